/* Composer drafts (frontline/tickets/services/drafts.py): what the agent types is kept
   on the server a moment after they stop typing, so a reload or a crash brings it back
   (the ticket page opens with it). Leaving the page with unsent text asks first.
   A static file, not inline: the Content-Security-Policy runs no inline code. The
   composer is swapped by htmx after every send, so everything is found again each time. */
(function () {
  "use strict";
  if (window.frontlineDrafts) return;
  window.frontlineDrafts = true;

  var DELAY = 800;        // ms after the last keystroke
  var SWEEP = 5000;       // text put in by other scripts (a macro) is saved too
  var timer = null;
  var saved = null;       // kind + text the server holds, as far as we know
  var sending = false;
  var inflight = null;

  function form() { return document.getElementById("composer"); }
  // The To and Cc fields go with the text (the server keeps them only where they
  // differ from the reply's default).
  function field(f, name) { return f.elements[name] ? f.elements[name].value : null; }
  function key(f) {
    return [f.elements.kind.value, field(f, "to"), field(f, "cc"), f.elements.body.value].join("\n");
  }
  function payload(f) {
    var data = new FormData();
    var token = f.elements.csrfmiddlewaretoken;
    if (token) data.append("csrfmiddlewaretoken", token.value);
    data.append("body", f.elements.body.value);
    data.append("kind", f.elements.kind.value);
    ["to", "cc"].forEach(function (name) {
      if (field(f, name) !== null) data.append(name, field(f, name));
    });
    return data;
  }
  function say(words) {
    var f = form();
    var state = f && f.querySelector(".draft-state");
    if (state) state.textContent = words ? " · " + words : "";
  }

  function save() {
    timer = null;
    var f = form();
    if (!f || !f.dataset.draftUrl || sending) return;
    var now = key(f);
    if (now === saved) return;
    var controller = window.AbortController ? new AbortController() : null;
    inflight = controller;
    fetch(f.dataset.draftUrl, {
      method: "POST", body: payload(f), credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    }).then(function (response) {
      if (inflight === controller) inflight = null;
      if (response.ok) {
        saved = now;
        say(f.elements.body.value.trim() ? "Draft saved" : "");
      } else {
        say("Draft not saved (" + response.status + ")");
      }
    }).catch(function () {
      if (inflight === controller) inflight = null;
      if (!sending) say("Draft not saved: no connection");
    });
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, DELAY);
  }
  function cancel() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (inflight) { inflight.abort(); inflight = null; }
  }

  function start() {
    var f = form();
    // The text the page opened with is the server's draft already.
    if (f) saved = key(f);
  }

  document.addEventListener("input", function (event) {
    var id = event.target && event.target.id;
    if (id === "composer-body" || id === "composer-to" || id === "composer-cc") schedule();
  });
  document.addEventListener("click", function (event) {
    // Reply <-> note: the same text, now of the other kind.
    if (event.target.closest && event.target.closest("#composer [role=tab]")) schedule();
  });
  setInterval(function () {
    var f = form();
    if (f && !sending && !timer && key(f) !== saved) save();
  }, SWEEP);

  // Sending: nothing may save the text again behind the send (the send ends the draft).
  document.addEventListener("submit", function (event) {
    // A plain post (htmx handles its own, and says so through defaultPrevented).
    if (event.target && event.target.id === "composer" && !event.defaultPrevented) {
      sending = true; cancel();
    }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "composer") { sending = true; cancel(); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "composer") sending = false;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "composer") return;
    sending = false;
    var f = form();
    if (!f) return;
    // Sent: the box is empty and the server dropped the draft. Held back (somebody
    // wrote meanwhile, a known fact, an error): the text is back; keep it saved.
    if (f.elements.body.value.trim()) { saved = null; schedule(); } else { saved = key(f); }
  });

  window.addEventListener("beforeunload", function (event) {
    var f = form();
    if (!f || sending || !f.elements.body.value.trim()) return;
    // Last words typed within DELAY: send them along as the page goes.
    if (key(f) !== saved && navigator.sendBeacon) {
      navigator.sendBeacon(f.dataset.draftUrl, payload(f));
      saved = key(f);
    }
    event.preventDefault();
    event.returnValue = "";  // older browsers need a value to ask
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
