// Progressive enhancement only: every page works without this file.
// On small screens the header's links fold behind a "Menu" button (WAI-ARIA disclosure pattern).
(function () {
  "use strict";
  // A page waiting on background work (data-refresh-seconds) reloads itself until the reader stops
  // it: a timed refresh the reader controls, not a <meta http-equiv="refresh"> they cannot.
  var waiting = document.querySelector("[data-refresh-seconds]");
  if (waiting) {
    var timer = window.setTimeout(function () { window.location.reload(); },
      1000 * Number(waiting.getAttribute("data-refresh-seconds")));
    var stop = waiting.querySelector("[data-refresh-stop]");
    if (stop) {
      stop.hidden = false;
      stop.addEventListener("click", function () { window.clearTimeout(timer); stop.hidden = true; });
    }
  }
}());

(function () {
  "use strict";
  var button = document.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");
  if (!button || !menu) { return; }
  document.documentElement.classList.add("js");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("open", open);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.classList.contains("open")) {
      button.setAttribute("aria-expanded", "false");
      menu.classList.remove("open");
      button.focus();
    }
  });
}());
