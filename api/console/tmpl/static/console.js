// Staff console: progressive enhancement only; every page works without it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // GOV.UK pattern: move focus to the error summary so screen readers announce it.
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
      // Links in the summary focus the field and open its action panel.
      summary.addEventListener("click", function (e) {
        var a = e.target.closest("a");
        if (!a) return;
        var field = document.getElementById(a.getAttribute("href").slice(1));
        if (!field) return;
        var details = field.closest("details");
        if (details) details.open = true;
        e.preventDefault();
        field.focus();
      });
      // Open the action panel whose field has an error.
      summary.querySelectorAll("a").forEach(function (a) {
        var f = document.getElementById(a.getAttribute("href").slice(1));
        var d = f && f.closest("details");
        if (d) d.open = true;
      });
    }
    // Prevent double submission of a form (double claim, double approve).
    document.querySelectorAll("form[method=post]").forEach(function (form) {
      form.addEventListener("submit", function () {
        var b = form.querySelector("button[type=submit]");
        if (b) setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });
})();
// Keep the session alive while someone works on a page without loading
// another (typing a long answer): at most one ping a few minutes, only after
// activity. With no activity the session ends after its idle time.
(function () {
  "use strict";
  var idle = parseInt(document.body && document.body.getAttribute("data-idle"), 10);
  if (!idle) return;
  var every = Math.max(30, Math.min(300, Math.floor(idle / 3))) * 1000;
  var last = Date.now();
  function activity() {
    if (Date.now() - last < every) return;
    last = Date.now();
    fetch("/console/session", { credentials: "same-origin", cache: "no-store" }).catch(function () {});
  }
  ["keydown", "input", "click"].forEach(function (ev) { document.addEventListener(ev, activity, { passive: true }); });
})();
// The print button of the printable forms (no inline script under the CSP).
document.addEventListener("click", function (e) {
  if (e.target && e.target.closest && e.target.closest("[data-print]")) { window.print(); }
});
