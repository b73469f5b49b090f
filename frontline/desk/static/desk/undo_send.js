/* Undo send (issue 12): after "Send reply" the composer shows "Sending in Ns — Undo"
   while the reply's mail is held (FRONTLINE_UNDO_SEND_SECONDS; the server decides,
   frontline.mail.outbound.queue_reply's `hold`). This only counts down what the
   server said; Undo itself is an htmx POST (frontline.desk.views.tickets.undo_reply),
   refused by the server once the window has passed. A static file: the
   Content-Security-Policy runs no inline code. */
(function () {
  "use strict";
  if (window.frontlineUndoSend) return;
  window.frontlineUndoSend = true;

  function tick() {
    var bar = document.getElementById("undo-send");
    if (!bar || !bar.dataset.seconds) return;
    if (!bar.dataset.deadline) {
      bar.dataset.deadline = String(Date.now() + parseInt(bar.dataset.seconds, 10) * 1000);
    }
    var left = Math.ceil((parseInt(bar.dataset.deadline, 10) - Date.now()) / 1000);
    var shown = bar.querySelector(".undo-seconds");
    if (left > 0) {
      if (shown) shown.textContent = String(left);
      return;
    }
    var words = bar.querySelector(".undo-words");
    var message = words && words.dataset.message;
    delete bar.dataset.seconds;
    bar.classList.add("undo-over");
    bar.textContent = "Sent: the reply has gone to the mail queue.";
    // The reply's "goes out at … (undo until then)" line on the timeline turns to
    // "queued" at the same moment (ticket_live.js owns those lines and counts down
    // every one of them, other agents' replies included).
    if (message && window.frontlineHeldLines) window.frontlineHeldLines("m" + message);
  }

  setInterval(tick, 250);
  document.addEventListener("htmx:afterSwap", tick);
})();
