/* Every form: once submitted, its buttons are disabled and say the work is under way, so a slow action
   (a report, a screening run, a what-if, a large import) is not sent twice. Downloads do not leave the
   page, so the buttons come back after a few seconds; a page shown again from the history comes back
   ready too. */
(function () {
  "use strict";
  var text = document.documentElement.lang === "en" ? "Working…" : "处理中…";
  function restore(form) {
    form.querySelectorAll("button[data-busy-label]").forEach(function (b) {
      b.disabled = false;
      b.textContent = b.getAttribute("data-busy-label");
      b.removeAttribute("data-busy-label");
    });
    form.removeAttribute("aria-busy");
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.hasAttribute("data-no-busy")) return;
    form.setAttribute("aria-busy", "true");
    /* disable after the browser has collected the clicked button's name/value */
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
        if (b.hasAttribute("data-busy-label")) return;
        b.setAttribute("data-busy-label", b.textContent);
        b.textContent = text;
        b.disabled = true;
      });
    }, 0);
    window.setTimeout(function () { restore(form); }, 8000);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[aria-busy]").forEach(restore);
  });
  /* a select marked data-autosubmit submits its form when changed (instead of an inline onchange handler,
     which the Content-Security-Policy forbids) */
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) field.form.submit();
  });
})();
