/* Frontline desk: on a phone the sidebar (desk/_nav.html) folds into a menu behind the
   top bar's button (issue 12). A static file: the Content-Security-Policy allows no
   inline script. The open state lives on .frame, not on the nav, because htmx swaps
   the nav out of band when the queue counts change. */
(function () {
  "use strict";

  function toggle() { return document.getElementById("nav-toggle"); }
  function frame() { return document.querySelector(".frame"); }

  function setOpen(open, returnFocus) {
    var button = toggle(), shell = frame();
    if (!button || !shell) return;
    shell.classList.toggle("nav-open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      var first = document.querySelector("#nav-queues a");
      if (first) first.focus();
    } else if (returnFocus) {
      button.focus();
    }
  }

  function isOpen() { var shell = frame(); return !!shell && shell.classList.contains("nav-open"); }

  // Only pages with a menu button fold the nav; without this script the nav stays a strip.
  if (toggle()) document.documentElement.classList.add("nav-menu");

  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    if (event.target.closest("#nav-toggle")) { setOpen(!isOpen(), false); return; }
    if (isOpen() && !event.target.closest("#nav-queues")) setOpen(false, false);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen()) {
      event.stopPropagation();
      setOpen(false, true);
    }
  }, true);
})();
