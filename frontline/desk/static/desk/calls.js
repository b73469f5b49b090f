/* The phone script (desk/calls): Enter never saves by accident, Ctrl+Enter saves,
   picking a ticket picks its caller, and new questions are announced where they appear. */
(function () {
  "use strict";

  function form() { return document.getElementById("call-form"); }
  function check(id) { var el = document.getElementById(id); if (el) el.checked = true; }

  // Enter in a field would send the form: only the Save button (or Ctrl+Enter) does.
  document.addEventListener("keydown", function (event) {
    var f = event.target.closest && event.target.closest("#call-form");
    if (!f || event.key !== "Enter") return;
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      f.requestSubmit(document.getElementById("call-save"));
      return;
    }
    if (event.target.matches("input")) {
      event.preventDefault();
      if (event.target.id === "call-lookup" && window.htmx) window.htmx.trigger(event.target, "lookup");
    }
  });

  // Before htmx reads the form (capture phase): a picked ticket is the caller's and
  // means "add to it"; a category or subject means a new request.
  document.addEventListener("change", function (event) {
    var t = event.target;
    if (!t.closest || !t.closest("#call-form")) return;
    if (t.name === "ticket" && t.checked) {
      check("contact-" + t.dataset.contact);
      check("mode-existing");
      var reference = document.getElementById("call-reference");
      if (reference) reference.value = "";
    } else if (t.name === "category") {
      check("mode-new");
    }
  }, true);

  document.addEventListener("input", function (event) {
    var t = event.target;
    if (t.id === "new-name" || t.id === "new-email") check("contact-new");
    if (t.id === "call-reference" && t.value.trim()) {
      check("mode-existing");
      document.querySelectorAll("#call-form input[name=ticket]").forEach(function (r) { r.checked = false; });
    }
  });

  // What the lookup did not find, the agent need not type again.
  function fill(id, value) { var el = document.getElementById(id); if (el && value && !el.value) el.value = value; }
  // The server only echoes what was sent; what the agent typed or clicked while it
  // answered is fresher, so it is put back into the questions drawn again.
  var before = [], live = {};
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "questions") return;
    before = Array.prototype.map.call(document.querySelectorAll("#questions [data-question]"), function (li) { return li.dataset.question; });
    live = {};
    document.querySelectorAll("#questions input[id], #questions select[id], #questions textarea[id]").forEach(function (el) {
      live[el.id] = (el.type === "radio" || el.type === "checkbox") ? { checked: el.checked } : { value: el.value };
    });
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var matches = document.getElementById("matches");
    if (matches && target && (target.id === "matches" || target === matches)) {
      fill("call-phone", matches.dataset.phone);
      if (matches.dataset.none) { fill("new-email", matches.dataset.email); fill("new-name", matches.dataset.name); }
    }
    if (!document.getElementById("questions") || !target || target.id !== "questions") return;
    // A question that appeared on an answer is the next to ask: mark it, and move
    // there when the cursor had already passed it.
    var added = Array.prototype.filter.call(document.querySelectorAll("#questions [data-question]"), function (li) {
      return before.indexOf(li.dataset.question) < 0;
    });
    Object.keys(live).forEach(function (id) {
      var el = document.getElementById(id);
      if (!el || !el.closest("#questions")) return;
      if ("checked" in live[id]) el.checked = live[id].checked; else el.value = live[id].value;
    });
    added.forEach(function (li) { li.classList.add("appeared"); });
    var first = added[0] && added[0].querySelector("input, select, textarea");
    var focused = document.activeElement;
    if (first && focused && focused !== document.body &&
        (first.compareDocumentPosition(focused) & Node.DOCUMENT_POSITION_FOLLOWING) &&
        focused.closest("#questions")) {
      first.focus();
    }
  });

  // A refused save: the first field to put right has the cursor.
  document.addEventListener("DOMContentLoaded", function () {
    var wrong = document.querySelector("#call-form [aria-invalid=true]");
    if (wrong) { wrong.focus(); wrong.scrollIntoView({ block: "center" }); }
  });
})();
