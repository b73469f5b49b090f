/* @mentions in internal notes: typing "@" and the start of a name in the note
   composer lists the staff who may see the ticket (frontline.desk.views.mentions);
   ArrowDown/ArrowUp choose, Enter or Tab inserts "@username ", Escape closes.
   Handlers sit on the document, so they survive htmx swapping the composer. */
(function () {
  "use strict";
  var TOKEN = /(^|[^\w.@])@([\w.+-]{0,40})$/;
  var menu = null, items = [], active = -1, timer = null, asked = 0;

  function source() { return document.getElementById("mention-source"); }
  function body() { return document.getElementById("composer-body"); }
  function isNote(area) {
    var form = area && area.form;
    return !!(form && form.elements.kind && form.elements.kind.value === "note");
  }
  function tokenAt(area) {
    var match = TOKEN.exec(area.value.slice(0, area.selectionStart));
    return match ? { text: match[2], start: area.selectionStart - match[2].length - 1 } : null;
  }

  function close() {
    if (menu) menu.remove();
    menu = null; items = []; active = -1;
    var area = body();
    if (area) { area.setAttribute("aria-expanded", "false"); area.removeAttribute("aria-activedescendant"); }
  }

  function choose(index) {
    active = index;
    items.forEach(function (item, i) { item.setAttribute("aria-selected", i === index ? "true" : "false"); });
    var area = body();
    if (area && items[index]) area.setAttribute("aria-activedescendant", items[index].id);
  }

  function insert(username) {
    var area = body(), token = area && tokenAt(area);
    if (!token) { close(); return; }
    var before = area.value.slice(0, token.start), after = area.value.slice(area.selectionStart);
    var text = "@" + username + " ";
    area.value = before + text + after;
    var caret = before.length + text.length;
    area.setSelectionRange(caret, caret);
    close();
    area.focus();
  }

  function show(area, people) {
    close();
    if (!people.length) return;
    menu = document.createElement("ul");
    menu.id = "mention-menu";
    menu.className = "mention-menu";
    menu.setAttribute("role", "listbox");
    menu.setAttribute("aria-label", "People to mention");
    people.forEach(function (person, i) {
      var item = document.createElement("li");
      item.id = "mention-option-" + i;
      item.className = "mention-option";
      item.setAttribute("role", "option");
      item.dataset.username = person.username;
      var handle = document.createElement("b");
      handle.textContent = "@" + person.username;
      item.appendChild(handle);
      if (person.name) item.appendChild(document.createTextNode(" " + person.name));
      // mousedown, not click: the textarea keeps its focus and caret.
      item.addEventListener("mousedown", function (event) { event.preventDefault(); insert(person.username); });
      menu.appendChild(item);
      items.push(item);
    });
    area.insertAdjacentElement("afterend", menu);
    area.setAttribute("aria-controls", "mention-menu");
    area.setAttribute("aria-expanded", "true");
    choose(0);
  }

  function lookup(area) {
    var src = source(), token = isNote(area) ? tokenAt(area) : null;
    if (!src || !token) { close(); return; }
    var ask = ++asked;
    fetch(src.dataset.url + "?q=" + encodeURIComponent(token.text), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (answer) { return answer.ok ? answer.json() : { people: [] }; })
      .then(function (found) {
        // An older answer arriving after a newer question is dropped.
        if (ask === asked && tokenAt(area)) show(area, found.people || []);
      }).catch(close);
  }

  document.addEventListener("input", function (event) {
    if (event.target.id !== "composer-body") return;
    clearTimeout(timer);
    var area = event.target;
    timer = setTimeout(function () { lookup(area); }, 120);
  });

  // Capture phase: while the list is open its keys are ours, not the desk's
  // shortcuts (Escape blurring the composer, Ctrl+Enter sending).
  document.addEventListener("keydown", function (event) {
    if (!menu || event.target.id !== "composer-body") return;
    var handled = true;
    if (event.key === "ArrowDown") choose((active + 1) % items.length);
    else if (event.key === "ArrowUp") choose((active - 1 + items.length) % items.length);
    else if ((event.key === "Enter" && !event.ctrlKey && !event.metaKey) || event.key === "Tab") {
      if (items[active]) insert(items[active].dataset.username); else handled = false;
    } else if (event.key === "Escape") close();
    else handled = false;
    if (handled) { event.preventDefault(); event.stopImmediatePropagation(); }
  }, true);

  document.addEventListener("focusout", function (event) {
    if (event.target.id === "composer-body") setTimeout(close, 150);
  });
})();
