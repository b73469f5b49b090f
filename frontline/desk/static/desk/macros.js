/* Canned replies: the composer's macro picker (frontline/desk/views/macros.py).
   "Macros" or m opens it, typing searches, Enter inserts the first, Esc closes.
   Inserting applies the macro on the server (its changes show at once) and the
   answer carries the filled-in text, which lands here in the composer. */
(function () {
  if (window.frontlineMacros) return;  // the composer (and this tag) is swapped in again after sending
  window.frontlineMacros = true;

  function picker() { return document.getElementById("macro-picker"); }
  function body() { return document.getElementById("composer-body"); }
  function close(focusBody) {
    var panel = picker();
    if (panel) { panel.hidden = true; panel.innerHTML = ""; }
    if (focusBody && body()) body().focus();
  }
  function insert(text) {
    var area = body();
    if (!area) return;
    var start = area.selectionStart || 0, end = area.selectionEnd || 0;
    var before = area.value.slice(0, start), after = area.value.slice(end);
    var gap = before && !/\n$/.test(before) ? "\n" : "";
    area.value = before + gap + text + after;
    var caret = (before + gap + text).length;
    area.focus();
    area.setSelectionRange(caret, caret);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var open = event.target.closest && event.target.closest("[data-macro-open]");
    if (open && picker()) picker().hidden = false;
    if (event.target.closest && event.target.closest("[data-macro-close]")) close(true);
  });

  document.addEventListener("keydown", function (event) {
    var t = event.target;
    if (t && t.id === "macro-search") {
      if (event.key === "Enter") {
        event.preventDefault();  // the picker sits in the composer's form: never send it
        var first = document.querySelector("#macro-results [data-macro-insert]");
        if (first) first.click();
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        close(true);
      }
      return;
    }
    if (event.key !== "m" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (t && t.closest && t.closest("input, textarea, select, [contenteditable]")) return;
    var button = document.querySelector("#composer [data-macro-open]");
    if (button) { event.preventDefault(); button.click(); }
  }, true);

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target) return;
    if (target.id === "macro-picker") {
      var search = document.getElementById("macro-search");
      if (search) search.focus();
      return;
    }
    var carried = target.querySelector && target.querySelector("[data-macro-text]");
    if (!carried) return;
    var text = carried.value, status = carried.getAttribute("data-macro-status");
    carried.remove();
    var replyTab = document.querySelector("#composer [role=tab][data-kind=reply]");
    if (replyTab && replyTab.getAttribute("aria-selected") !== "true") replyTab.click();
    var select = document.querySelector("#composer select[name=status]");
    if (status && select && select.querySelector('option[value="' + status + '"]')) select.value = status;
    close(false);
    if (text) insert(text);
  });
})();
