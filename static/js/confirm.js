/* Asks before a step that moves money or cannot be undone: forms and buttons with data-confirm
   (a button with data-confirm-ticked="orders" says how many boxes are ticked and their total).
   A checkbox with data-check-all="orders" ticks or clears every box of that name on the page.
   A select with data-autosubmit sends its form when changed; a button with data-print prints the
   page. No inline script anywhere, so the pages work under a Content-Security-Policy that allows scripts from the site only. */
(function () {
  "use strict";
  function ticked(name) {
    // The count and the sum (to the fen, in integer fen) of the ticked boxes carrying data-amount.
    var boxes = document.querySelectorAll("input[type=checkbox][name='" + name + "']:checked");
    var fen = 0;
    boxes.forEach(function (box) {
      var parts = (box.getAttribute("data-amount") || "0").split(".");
      var whole = parseInt(parts[0], 10) || 0;
      var cents = parseInt(((parts[1] || "") + "00").slice(0, 2), 10) || 0;
      fen += whole * 100 + (whole < 0 || parts[0].charAt(0) === "-" ? -cents : cents);
    });
    var sign = fen < 0 ? "-" : "";
    fen = Math.abs(fen);
    var yuan = String(Math.floor(fen / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return {n: boxes.length, total: sign + "¥" + yuan + "." + String(fen % 100).padStart(2, "0")};
  }
  function ask(event) {
    var message = event.currentTarget.getAttribute("data-confirm");
    var name = event.currentTarget.getAttribute("data-confirm-ticked");
    if (message && name) {
      var found = ticked(name);
      message = message.replace("{n}", found.n).replace("{total}", found.total);
    }
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
    document.querySelectorAll("input[type=checkbox][data-check-all]").forEach(function (all) {
      all.addEventListener("change", function () {
        document.querySelectorAll("input[type=checkbox][name='" + all.getAttribute("data-check-all") + "']")
          .forEach(function (box) { box.checked = all.checked; });
      });
    });
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
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
