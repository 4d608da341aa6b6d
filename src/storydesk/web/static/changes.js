// storydesk: the story page's "What changed since your last visit" panel. The last visit is kept
// in this browser only (localStorage, one key per story): the server remembers nothing. The panel
// asks /api/stories/{id}/changes?since=<the version seen last time> and lists what changed, then
// remembers the version shown now (on a first visit it only remembers). Everything is written with textContent (never as HTML), since
// values and sentences come from articles.
(function () {
  "use strict";
  var box = document.getElementById("changes");
  if (!box || !window.fetch) { return; }
  var body = box.querySelector(".changes-body");
  var key = "storydesk:last-visit:" + box.getAttribute("data-story");

  function load() { try { return window.localStorage.getItem(key); } catch (e) { return null; } }
  function save(v) { try { window.localStorage.setItem(key, v); } catch (e) { /* private mode: no memory */ } }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function when(iso) {
    if (!iso) { return "undated"; }
    var d = new Date(iso);
    return isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }
  function section(title, items, render) {
    if (!items || !items.length) { return; }
    body.appendChild(el("h3", null, title + " (" + items.length + ")"));
    var ul = el("ul");
    items.forEach(function (it) { var li = el("li"); render(li, it); ul.appendChild(li); });
    body.appendChild(ul);
  }
  function text(li, s) { li.appendChild(document.createTextNode(s)); }

  function render(ch, since) {
    body.textContent = "";
    var empty = !["new_outlets", "dropped_outlets", "new_facts", "revised_values", "conflicts_appeared",
      "conflicts_resolved", "brief_added", "brief_dropped", "updated_articles"].some(function (k) {
      return ch[k] && ch[k].length; });
    if (empty) {
      body.appendChild(el("p", "muted", "Nothing has changed since your last visit (" + when(since) + ")."));
      return;
    }
    body.appendChild(el("p", "muted", "Since your last visit (" + when(since) + "), as of the analysis of " +
      when(ch.latest && ch.latest.analysed_at) + ":"));
    section("New outlets", ch.new_outlets, function (li, o) {
      text(li, o.outlet + " joined with " + o.articles.length + (o.articles.length === 1 ? " article" : " articles") +
        (o.published ? ", published " + when(o.published) : "") + (o.seen ? ", first seen " + when(o.seen) : ""));
    });
    section("Revised values", ch.revised_values, function (li, r) {
      text(li, r.subject + ": " + r.outlet + " ");
      li.appendChild(el("span", "old", r.old));
      text(li, " → ");
      li.appendChild(el("span", "new", r.new));
      text(li, r.correction ? " (correction: the outlet edited its article, seen " + when(r.new_seen) + ")"
                            : " (" + (r.new_published ? "published " + when(r.new_published) : "seen " + when(r.new_seen)) + ")");
      li.appendChild(el("q", null, "before: " + r.old_text));
      li.appendChild(el("q", null, "now: " + r.new_text));
    });
    section("New facts", ch.new_facts, function (li, f) {
      text(li, f.subject + ": " + f.values.map(function (v, i) { return (f.outlets[i] || "") + " " + v; }).join("; "));
    });
    section("Conflicts that appeared", ch.conflicts_appeared, function (li, c) {
      text(li, c.subject + ": " + c.values.map(function (v) { return v.value + " (" + v.outlets.join(", ") + ")"; }).join(" vs "));
    });
    section("Conflicts resolved", ch.conflicts_resolved, function (li, c) { text(li, c.subject); });
    section("Brief sentences added", ch.brief_added, text);
    section("Brief sentences dropped", ch.brief_dropped, text);
    section("Outlets no longer in the story", ch.dropped_outlets, function (li, o) { text(li, o.outlet); });
    section("Articles edited by their outlet", ch.updated_articles, function (li, u) {
      text(li, u.outlet + ": a new text of its article, seen " + when(u.new_seen) + " ");
      var a = el("a", null, "open it");
      a.href = "/articles/" + encodeURIComponent(u.new);
      li.appendChild(a);
    });
  }

  var since = load();
  var url = box.getAttribute("data-api") + (since ? "?since=" + encodeURIComponent(since) : "");
  fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
    if (!r.ok) { throw new Error("HTTP " + r.status); }
    return r.json();
  }).then(function (ch) {
    // a first visit has nothing to compare with: the panel stays hidden (the brief and the fact
    // table keep the first screen) and only the version seen now is remembered
    if (since) {
      render(ch, since);
      box.hidden = false;
    }
    if (ch.latest && ch.latest.analysed_at) { save(ch.latest.analysed_at); }
  }).catch(function () { /* no panel rather than a broken one */ });
}());
