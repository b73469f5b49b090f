/* Frontline desk: picking tickets in a queue for a bulk change (issue 12).
   Checkboxes, "select all on this page", shift-click for a range, and `x` on the row
   that j/k selected. The bar's form (#bulk-form) owns the checkboxes through their
   form="" attribute, so htmx and a plain submit send the same references. The server
   answers with the confirmation, then with what happened to each ticket. With every
   row checked, a banner offers all the tickets matching the queue (on every page). */
(function () {
  "use strict";

  var lastPicked = null;

  function picks() { return Array.prototype.slice.call(document.querySelectorAll("#queue-list input.pick")); }

  // "Select all N tickets matching this queue": offered once every row of the page is
  // checked; chosen, the form says scope=matching and the server reads the tickets
  // from the queue's filters (frontline.workflow.bulk.check_bulk_matching).
  function banner() { return document.querySelector("[data-bulk-all]"); }
  function scope() { return document.querySelector("[data-bulk-scope]"); }
  function allMatching() { var field = scope(); return !!field && field.value === "matching"; }
  function setAllMatching(on) {
    var field = scope(), all = banner();
    if (field) field.value = on ? "matching" : "";
    if (!all) return;
    all.classList.toggle("all-matching", on);
    ["[data-bulk-all-page]", "[data-bulk-select-matching]"].forEach(function (selector) {
      var part = all.querySelector(selector);
      if (part) part.hidden = on;
    });
    ["[data-bulk-all-chosen]", "[data-bulk-clear]"].forEach(function (selector) {
      var part = all.querySelector(selector);
      if (part) part.hidden = !on;
    });
  }

  function refresh() {
    var boxes = picks();
    var chosen = boxes.filter(function (box) { return box.checked; });
    var everyRow = boxes.length > 0 && chosen.length === boxes.length;
    if (!everyRow && allMatching()) setAllMatching(false);
    var all = banner();
    if (all) all.hidden = !everyRow;
    boxes.forEach(function (box) { box.closest("li").classList.toggle("picked", box.checked); });
    var bar = document.getElementById("bulk-form");
    if (bar) {
      bar.classList.toggle("has-selection", chosen.length > 0);
      var count = bar.querySelector("[data-bulk-count]");
      if (count) {
        count.textContent = allMatching() ? "All " + Number(banner().dataset.matching).toLocaleString("en") + " selected"
          : chosen.length ? chosen.length + " selected" : "Select tickets (x, shift-click for a range)";
      }
    }
    var all = document.querySelector("[data-pick-all]");
    if (all) {
      all.checked = boxes.length > 0 && chosen.length === boxes.length;
      all.indeterminate = chosen.length > 0 && chosen.length < boxes.length;
    }
  }

  function pickRange(from, to, checked) {
    var boxes = picks();
    var a = boxes.indexOf(from), b = boxes.indexOf(to);
    if (a < 0 || b < 0) return;
    for (var i = Math.min(a, b); i <= Math.max(a, b); i++) boxes[i].checked = checked;
  }

  document.addEventListener("click", function (event) {
    var box = event.target.closest && event.target.closest("#queue-list input.pick");
    if (box) {
      if (event.shiftKey && lastPicked && lastPicked !== box) pickRange(lastPicked, box, box.checked);
      lastPicked = box;
      refresh();
      return;
    }
    if (event.target.closest && event.target.closest("[data-bulk-select-matching]")) {
      setAllMatching(true);
      refresh();
      return;
    }
    if (event.target.closest && event.target.closest("[data-bulk-clear]")) {
      picks().forEach(function (box) { box.checked = false; });
      setAllMatching(false);
      lastPicked = null;
      refresh();
      return;
    }
    if (event.target.closest && event.target.closest("[data-bulk-cancel]")) {
      var dialog = document.getElementById("bulk-dialog");
      if (dialog) { event.preventDefault(); dialog.innerHTML = ""; }
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-pick-all]")) {
      picks().forEach(function (box) { box.checked = event.target.checked; });
      lastPicked = null;
      refresh();
    }
  });

  // `x` toggles the row j/k selected (or the focused checkbox).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "x" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var box = null;
    if (target && target.matches && target.matches("#queue-list input.pick")) {
      box = target;
    } else if (target && target.closest && target.closest("input, textarea, select, [contenteditable]")) {
      return;
    } else {
      var row = document.querySelector("#queue-list [data-row].selected") ||
        (target && target.closest && target.closest("#queue-list li") && target.closest("#queue-list li").querySelector("[data-row]"));
      if (row) box = row.closest("li").querySelector("input.pick");
    }
    if (!box) return;
    event.preventDefault();
    box.checked = !box.checked;
    lastPicked = box;
    refresh();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var dialog = document.getElementById("bulk-dialog");
    if (dialog && dialog.querySelector("[data-bulk-confirm]")) dialog.innerHTML = "";
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "bulk-dialog") {
      var confirm = event.detail.target.querySelector("[data-bulk-confirm-button]");
      if (confirm) confirm.focus();
    }
  });

  document.addEventListener("DOMContentLoaded", refresh);
})();
