// storydesk: a click pins a citation's source sentence open; hovering an aligned claim in one
// outlet's column highlights the same claim in the others. No network requests, no libraries.
(function () {
  "use strict";
  function closeAll(except) {
    document.querySelectorAll(".cite-wrap.open").forEach(function (w) {
      if (w !== except) {
        w.classList.remove("open");
        var b = w.querySelector(".cite");
        if (b) { b.setAttribute("aria-expanded", "false"); }
      }
    });
  }
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    var btn = t && t.closest ? t.closest(".cite") : null;
    if (btn) {
      var wrap = btn.parentElement;
      var open = !wrap.classList.contains("open");
      closeAll(wrap);
      wrap.classList.toggle("open", open);
      btn.setAttribute("aria-expanded", open ? "true" : "false");
      ev.preventDefault();
      return;
    }
    if (!(t && t.closest && t.closest(".cite-src"))) { closeAll(null); }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") {
      closeAll(null);
      var a = document.activeElement;
      if (a && a.classList && a.classList.contains("cite")) { a.blur(); }
    }
  });
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
