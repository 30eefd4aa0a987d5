/* Asks before a step that moves money or cannot be undone: forms and buttons with data-confirm.
   A select with data-autosubmit sends its form when changed. No inline script anywhere, so the
   pages work under a Content-Security-Policy that allows scripts from the site only. */
(function () {
  "use strict";
  function ask(event) {
    var message = event.currentTarget.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }
  function wire() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", ask);
    });
    document.querySelectorAll("button[data-confirm], input[type=submit][data-confirm]").forEach(function (button) {
      button.addEventListener("click", ask);
    });
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
