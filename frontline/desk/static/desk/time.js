/* Frontline desk: the ticket's Time panel (desk/tickets/_time_panel.html).
   Shows a running timer ticking, and starts the timer when the agent starts
   writing a reply or note (unless they untick "Start when I write here"). */
(function () {
  "use strict";
  if (window.FrontlineTime) return; // the panel is swapped often; set up once
  window.FrontlineTime = true;

  var KEY = "fl-time-autostart";

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function format(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    return Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
  }

  // Elapsed time counts from the server's clock: the page says when the timer
  // started and what time the server had, so a wrong clock here does not matter.
  function tick() {
    document.querySelectorAll("[data-timer-start]").forEach(function (clock) {
      if (clock._skew === undefined) clock._skew = Date.now() - Number(clock.dataset.serverNow);
      clock.textContent = format(Date.now() - clock._skew - Number(clock.dataset.timerStart));
    });
  }
  setInterval(tick, 1000);

  function autostartWanted() {
    try { return localStorage.getItem(KEY) !== "off"; } catch (e) { return true; }
  }
  function syncCheckbox() {
    document.querySelectorAll("[data-time-autostart]").forEach(function (box) { box.checked = autostartWanted(); });
  }

  document.addEventListener("change", function (event) {
    if (!event.target.matches || !event.target.matches("[data-time-autostart]")) return;
    try { localStorage.setItem(KEY, event.target.checked ? "on" : "off"); } catch (e) { /* private mode */ }
  });

  // One automatic start per page view: stopping the timer and writing on must not restart it.
  var autoStarted = false;
  document.addEventListener("input", function (event) {
    if (autoStarted || !event.target.closest || !event.target.closest("#composer")) return;
    var panel = document.getElementById("ticket-time");
    var form = document.getElementById("time-start");
    if (!panel || !form || panel.dataset.running === "1" || !autostartWanted()) return;
    autoStarted = true;
    // Through htmx, never a native submit: the panel may have been swapped in a
    // moment ago and not yet taken over by htmx, and a native submit would leave
    // the page (and the reply being typed).
    if (!window.htmx) return;
    window.htmx.ajax("POST", form.getAttribute("action"), {
      source: form, target: "#ticket-time", swap: "outerHTML",
      values: {auto: "1", csrfmiddlewaretoken: form.elements.csrfmiddlewaretoken.value}
    });
  });

  // Leaving the ticket ends the work the timer measures: the page tells the server
  // as it goes (a beacon survives the unload; frontline.desk.views.time.leave).
  // A tab merely hidden keeps timing: looking something up is work on the ticket.
  window.addEventListener("pagehide", function () {
    var panel = document.getElementById("ticket-time");
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (!panel || panel.dataset.running !== "1" || !token || !navigator.sendBeacon) return;
    var form = new FormData();
    form.append("csrfmiddlewaretoken", token.value);
    navigator.sendBeacon(panel.dataset.leaveUrl, form);
  });
  // Back to the page from the browser's cache: the timer it shows was stopped.
  window.addEventListener("pageshow", function (event) {
    var panel = document.getElementById("ticket-time");
    if (!event.persisted || !panel || !window.htmx) return;
    var url = panel.dataset.leaveUrl.replace(/\/leave$/, "");
    window.htmx.ajax("GET", url, { target: "#ticket-time", swap: "outerHTML" });
  });

  // The server found the timer stopped (the worker stops one whose page went quiet,
  // e.g. while the laptop slept; or another tab stopped it): show the panel as it is.
  document.addEventListener("timer-ended", function () {
    var panel = document.getElementById("ticket-time");
    if (!panel || !window.htmx) return;
    var url = panel.dataset.leaveUrl.replace(/\/leave$/, "");
    window.htmx.ajax("GET", url, { target: "#ticket-time", swap: "outerHTML" });
  });

  document.addEventListener("htmx:afterSettle", function () { syncCheckbox(); tick(); });
  document.addEventListener("DOMContentLoaded", function () { syncCheckbox(); tick(); });
})();
