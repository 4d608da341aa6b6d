// storydesk: a click pins a citation's source sentence open; hovering an aligned claim in one
// outlet's column highlights the same claim in the others. No network requests, no libraries.
// Keyboard: a focused marker shows its popup (CSS :focus-within), Tab goes on to the popup's
// "open article" link, Escape closes it and leaves focus on the marker, Enter toggles it.
(function () {
  "use strict";
  function wrapOf(el) { return el && el.closest ? el.closest(".cite-wrap") : null; }
  // A popup is placed below-left of its marker; near the right edge of a phone that runs off
  // screen, so once shown it is shifted back inside the viewport (8 px margin).
  function keepOnScreen(w) {
    var tip = w && w.querySelector(".cite-src");
    if (!tip) { return; }
    tip.style.left = "";
    var r = tip.getBoundingClientRect();
    if (!r.width) { return; }
    var edge = document.documentElement.clientWidth - 8, dx = 0;
    if (r.right > edge) { dx = edge - r.right; }
    if (r.left + dx < 8) { dx = 8 - r.left; }
    if (dx) { tip.style.left = (parseFloat(getComputedStyle(tip).left) + dx) + "px"; }
  }
  function setOpen(w, open) {
    w.classList.toggle("open", open);
    // a closed popup stays hidden though focus or the pointer is still on it, until they leave
    w.classList.toggle("shut", !open);
    var b = w.querySelector(".cite");
    if (b) { b.setAttribute("aria-expanded", open ? "true" : "false"); }
    if (open) { keepOnScreen(w); }
  }
  function closeAll(except) {
    document.querySelectorAll(".cite-wrap.open").forEach(function (w) {
      if (w !== except) { setOpen(w, false); w.classList.remove("shut"); }
    });
  }
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    var btn = t && t.closest ? t.closest(".cite") : null;
    if (btn) {
      var wrap = btn.parentElement;
      closeAll(wrap);
      setOpen(wrap, !wrap.classList.contains("open"));
      ev.preventDefault();
      return;
    }
    if (!(t && t.closest && t.closest(".cite-src"))) { closeAll(null); }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape") { return; }
    closeAll(null);
    var w = wrapOf(document.activeElement);
    if (w) {
      setOpen(w, false);
      // focus stays on the marker (never the page body), so Tab goes on from where it was
      var b = w.querySelector(".cite");
      if (b && document.activeElement !== b) { b.focus(); }
    }
    document.querySelectorAll(".cite-wrap:hover").forEach(function (h) { h.classList.add("shut"); });
  });
  document.addEventListener("focusin", function (ev) { keepOnScreen(wrapOf(ev.target)); });
  document.addEventListener("mouseover", function (ev) {
    var w = wrapOf(ev.target);
    if (w && !(ev.relatedTarget && w.contains(ev.relatedTarget))) { keepOnScreen(w); }
  });
  // focus leaving a marker and its popup closes a pinned popup and forgets a dismissal
  document.addEventListener("focusout", function (ev) {
    var w = wrapOf(ev.target);
    if (w && !(ev.relatedTarget && w.contains(ev.relatedTarget))) {
      w.classList.remove("open", "shut");
      var b = w.querySelector(".cite");
      if (b) { b.setAttribute("aria-expanded", "false"); }
    }
  });
  document.addEventListener("mouseout", function (ev) {
    var w = wrapOf(ev.target);
    if (w && !(ev.relatedTarget && w.contains(ev.relatedTarget)) && w.classList.contains("shut") &&
        !w.contains(document.activeElement)) {
      w.classList.remove("shut");
    }
  });
  // A link to something inside a folded section (report.html's "open article" goes to the
  // article's column) opens the folds around it; Chromium does this itself, not every browser.
  function unfold() {
    var id = "";
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    var el = id ? document.getElementById(id) : null;
    var d = el ? el.closest("details") : null, opened = false;
    while (d) {
      if (!d.open) { d.open = true; opened = true; }
      d = d.parentElement ? d.parentElement.closest("details") : null;
    }
    if (opened && el.scrollIntoView) { el.scrollIntoView(); }
  }
  window.addEventListener("hashchange", unfold);
  if (location.hash) { unfold(); }
  function mark(claim, on) {
    document.querySelectorAll("mark[data-claim]").forEach(function (m) {
      if (m.getAttribute("data-claim") === claim) { m.classList.toggle("hl-active", on); }
    });
  }
  document.addEventListener("mouseover", function (ev) {
    var m = ev.target && ev.target.closest ? ev.target.closest("mark[data-claim]") : null;
    if (m) { mark(m.getAttribute("data-claim"), true); }
  });
  document.addEventListener("mouseout", function (ev) {
    var m = ev.target && ev.target.closest ? ev.target.closest("mark[data-claim]") : null;
    if (m) { mark(m.getAttribute("data-claim"), false); }
  });
})();
