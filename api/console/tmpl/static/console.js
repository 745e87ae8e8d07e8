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
