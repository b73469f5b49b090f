/* Frontline desk: keyboard moves, composer tabs, small conveniences. No framework; htmx does the requests. */
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.closest) return false;
    return !!target.closest("input, textarea, select, [contenteditable=''], [contenteditable=true]");
  }

  // -- queue list selection (j / k / Enter / o) ---------------------------
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#queue-list [data-row]")); }
  function selectedIndex() { return rows().findIndex(function (r) { return r.classList.contains("selected"); }); }
  function select(index) {
    var list = rows();
    if (!list.length) return;
    index = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (r) { r.classList.remove("selected"); });
    list[index].classList.add("selected");
    list[index].scrollIntoView({ block: "nearest" });
    try { sessionStorage.setItem("fl-sel:" + location.pathname + location.search, String(index)); } catch (e) { /* private mode */ }
  }
  function restoreSelection() {
    var saved = null;
    try { saved = sessionStorage.getItem("fl-sel:" + location.pathname + location.search); } catch (e) { /* ignore */ }
    if (saved !== null && rows().length) select(parseInt(saved, 10) || 0);
  }

  // -- composer -------------------------------------------------------------
  function composer() { return document.getElementById("composer"); }
  function setKind(kind) {
    var form = composer();
    if (!form) return;
    form.elements.kind.value = kind;
    form.classList.remove("kind-reply", "kind-note");
    form.classList.add("kind-" + kind);
    form.querySelectorAll("[role=tab]").forEach(function (tab) {
      tab.setAttribute("aria-selected", tab.dataset.kind === kind ? "true" : "false");
    });
    var body = form.elements.body;
    body.placeholder = kind === "note" ? "Write an internal note… only staff see it (Ctrl+Enter adds it)" : "Write a reply… (Ctrl+Enter sends)";
    body.focus();
  }

  document.addEventListener("click", function (event) {
    var tab = event.target.closest && event.target.closest("#composer [role=tab]");
    if (tab) { setKind(tab.dataset.kind); return; }
    if (event.target.closest && event.target.closest("[data-help-open]")) { toggleHelp(true); return; }
    if (event.target.closest && event.target.closest("[data-help-close]")) { toggleHelp(false); return; }
    if (event.target.id === "help") toggleHelp(false);
  });

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosubmit")) form.submit();
  });

  // -- help overlay -------------------------------------------------------------
  function toggleHelp(show) {
    var help = document.getElementById("help");
    if (!help) return;
    help.hidden = show === undefined ? !help.hidden : !show;
  }

  // -- keys -----------------------------------------------------------------------
  var pendingG = false;
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      toggleHelp(false);
      if (typing(event.target)) event.target.blur();
      return;
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.closest && event.target.closest("#composer")) {
      event.preventDefault();
      composer().requestSubmit();
      return;
    }
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    var page = document.body.dataset.page;
    if (pendingG) {
      pendingG = false;
      if (event.key === "q") { location.href = document.body.dataset.queueUrl || "/"; event.preventDefault(); }
      return;
    }
    switch (event.key) {
      case "/":
        var search = document.getElementById("global-search");
        if (search) { event.preventDefault(); search.focus(); search.select(); }
        break;
      case "?":
        toggleHelp();
        break;
      case "g":
        pendingG = true;
        setTimeout(function () { pendingG = false; }, 1500);
        break;
      case "j":
        if (page === "ticket") {
          if (document.body.dataset.nextUrl) location.href = document.body.dataset.nextUrl;
        } else { select(selectedIndex() + 1); }
        break;
      case "k":
        if (page !== "ticket") select(Math.max(selectedIndex() - 1, 0));
        break;
      case "o":
      case "Enter":
        var index = selectedIndex();
        if (page !== "ticket" && index >= 0) { event.preventDefault(); location.href = rows()[index].href; }
        break;
      case "r":
        if (composer()) { event.preventDefault(); setKind("reply"); }
        break;
      case "n":
        if (composer()) { event.preventDefault(); setKind("note"); }
        break;
    }
  });

  // -- after htmx swaps ---------------------------------------------------------------
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "composer") {
      var form = composer();
      if (form && form.querySelector(".field-error")) form.elements.body.focus();
    }
    fadeFlashes();
  });
  document.addEventListener("htmx:oobAfterSwap", function () { fadeFlashes(); });

  function fadeFlashes() {
    document.querySelectorAll("[data-fade]").forEach(function (flash) {
      flash.removeAttribute("data-fade");
      setTimeout(function () { flash.style.opacity = "0"; }, 2500);
      setTimeout(function () { flash.remove(); }, 3200);
    });
  }

  document.addEventListener("DOMContentLoaded", restoreSelection);
})();
/* "c": log a call (the phone script, desk/calls), for those the navigation offers it to. */
document.addEventListener("keydown", function (event) {
  var t = event.target;
  if (event.key !== "c" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  if (t && t.closest && t.closest("input, textarea, select, [contenteditable]")) return;
  if (document.body.dataset.page === "call") return;  // a call half typed is not started again
  var link = document.querySelector("a[data-nav=call]");
  if (link) { event.preventDefault(); location.href = link.href; }
});
/* The composer's "you are asking for something we know": Edit goes back to the text. */
document.addEventListener("click", function (event) {
  var edit = event.target.closest && event.target.closest("[data-known-edit]");
  if (!edit) return;
  var warning = edit.closest(".known-facts");
  var body = document.getElementById("composer-body");
  if (warning) warning.remove();
  if (body) { event.preventDefault(); body.focus(); body.setSelectionRange(body.value.length, body.value.length); }
});
/* A form shown only as a preview (the request form in category settings) sends nothing.
   Here, not in an onsubmit="" attribute: the Content-Security-Policy runs no inline code. */
document.addEventListener("submit", function (event) {
  if (event.target.hasAttribute && event.target.hasAttribute("data-preview-only")) event.preventDefault();
});
