/* Frontline desk: the ticket page kept live (issue 12, never two answers at once).

   - Every htmx POST from the ticket page says how far its timeline goes
     (after_message, after_event: the newest ids on screen), so the answer to any
     action appends whatever others wrote meanwhile; the composer also sends it as
     `seen`, and a send is held while somebody wrote after that
     (frontline.tickets.services.collision).
   - Every few seconds while the tab is visible the page beats (desk/tickets/_live.html,
     frontline.desk.views.presence): the answer says who else is here and typing,
     and brings new timeline entries. Hidden or closed, the page says it left. */
(function () {
  "use strict";
  if (window.FrontlineLive) return; // loaded again when the page part is swapped
  window.FrontlineLive = true;

  var BEAT_MS = 5000;   // how often others' presence and entries are fetched
  var TYPING_MS = 6000; // a keystroke this recent counts as typing

  var lastTyped = 0;
  var inFlight = false;
  var stopped = false;

  function slot() { return document.getElementById("presence"); }

  // The newest message and event ids on screen (entries are <li id="m12"> / <li id="e40">).
  function mark() {
    var found = { message: 0, event: 0 };
    document.querySelectorAll("#timeline > li[id]").forEach(function (entry) {
      var id = /^([me])(\d+)$/.exec(entry.id);
      if (!id) return;
      var key = id[1] === "m" ? "message" : "event";
      found[key] = Math.max(found[key], parseInt(id[2], 10));
    });
    return found;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var source = event.detail.elt;
    if (event.detail.verb !== "post" || !source || !source.closest || !source.closest(".ticket")) return;
    if (!document.getElementById("timeline")) return;
    var shown = mark();
    event.detail.parameters.after_message = String(shown.message);
    event.detail.parameters.after_event = String(shown.event);
    // What the agent had in front of them when they pressed Send.
    if (source.closest("#composer")) event.detail.parameters.seen = String(shown.message);
  });

  // A beat and an action may both bring the same new entry: keep the first.
  // A reply withdrawn by its writer (undo send) comes as its "withdrew a reply" line,
  // naming the entries it takes away (data-withdraws="m12 e40"): this page drops them,
  // as the writer's own page did (frontline.workflow.conversation.undo_reply).
  function dropRepeats() {
    var kept = {};
    var timeline = document.getElementById("timeline");
    if (!timeline) return;
    timeline.querySelectorAll(":scope > li[id]").forEach(function (entry) {
      if (kept[entry.id]) entry.remove(); else kept[entry.id] = true;
    });
    timeline.querySelectorAll(":scope > li[data-withdraws]").forEach(function (line) {
      line.dataset.withdraws.split(/\s+/).forEach(function (id) {
        var gone = id && document.getElementById(id);
        if (gone && gone.parentElement === timeline) gone.remove();
      });
    });
  }
  document.addEventListener("htmx:oobAfterSwap", dropRepeats);
  document.addEventListener("htmx:afterSettle", dropRepeats);

  // A reply's mail held for the undo window reads "Mail to … goes out at 14:02:10 (undo
  // until then)"; once the window has passed it is queued, as the line would say after a
  // reload. The server said how many seconds were left when it sent the line
  // (data-held-for), so the browser's clock does not count. undo_send.js calls this when
  // the writer's own bar ends, so both change together.
  function heldLines(force) {
    document.querySelectorAll("#timeline .delivery[data-held-for]").forEach(function (line) {
      if (!line.dataset.deadline) {
        line.dataset.deadline = String(Date.now() + parseInt(line.dataset.heldFor, 10) * 1000);
      }
      var entry = line.closest("li[id]");
      var due = force && entry && force === entry.id;
      if (!due && Date.now() < parseInt(line.dataset.deadline, 10)) return;
      delete line.dataset.heldFor;
      line.textContent = line.textContent.replace(/ goes out at .*$/, " queued");
    });
  }
  window.frontlineHeldLines = heldLines;
  setInterval(function () { heldLines(); }, 500);
  document.addEventListener("htmx:afterSettle", function () { heldLines(); });

  // The agent's timer runs here (the Time panel says so): the beat keeps it alive on
  // the server, which stops a timer whose page went quiet (frontline.costs.services).
  function timing() {
    var panel = document.getElementById("ticket-time");
    return !!panel && panel.dataset.running === "1";
  }

  function beat() {
    var here = slot();
    if (!here || stopped || inFlight || !window.htmx) return;
    var visible = document.visibilityState === "visible";
    var timer = timing();
    // Hidden, the page is not "here" for the others, but a running timer still beats
    // (`away`): the browser slows hidden tabs' timers to about once a minute, well
    // within the server's idle limit.
    if (!visible && !timer) return;
    var values = visible ? { typing: Date.now() - lastTyped < TYPING_MS ? "1" : "0" } : { away: "1" };
    if (timer) values.timer = "1";
    inFlight = true;
    window.htmx.ajax("POST", here.dataset.presenceUrl, {
      source: here, target: here, swap: "innerHTML", values: values
    }).then(function () { inFlight = false; }, function () { inFlight = false; });
  }

  // Signed out meanwhile (the beat was sent to the sign-in page): stop, show nothing.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.elt !== slot()) return;
    var xhr = event.detail.xhr;
    if (xhr && /\/login/.test(xhr.responseURL || "")) { stopped = true; event.detail.shouldSwap = false; }
  });

  function left() {
    var here = slot();
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (!here || !token || !navigator.sendBeacon) return;
    var form = new FormData();
    form.append("csrfmiddlewaretoken", token.value);
    form.append("left", "1");
    navigator.sendBeacon(here.dataset.presenceUrl, form);
  }

  // Typing shows at once, not at the next beat; then with each beat while it lasts.
  document.addEventListener("input", function (event) {
    if (!event.target.closest || !event.target.closest("#composer")) return;
    var starting = Date.now() - lastTyped >= TYPING_MS;
    lastTyped = Date.now();
    if (starting) beat();
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") beat(); else left();
  });
  window.addEventListener("pagehide", left);

  function start() {
    beat();
    setInterval(beat, BEAT_MS);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
