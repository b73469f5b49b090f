/* The request form: htmx redraws the questions as answers come in, so the
   "Update questions" buttons (for browsers without script) are hidden once it runs.
   A file of its own, not an inline <script>: the Content-Security-Policy runs none
   (frontline/core/csp.py). Loaded before htmx, so it hears htmx's first load. */
document.addEventListener("htmx:load", function () {
  document.documentElement.classList.add("htmx");
}, {once: true});
