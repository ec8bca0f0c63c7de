// Autocomplete for the site search box, as an ARIA 1.2 combobox with a listbox popup.
// Progressive: without JavaScript the box is a plain search form. Keys: Down/Up move through the
// suggestions, Enter opens the highlighted one (or searches), Escape closes the list.
(function () {
  "use strict";
  var input = document.querySelector("input[data-autocomplete]");
  if (!input) { return; }
  var endpoint = input.getAttribute("data-autocomplete");
  var list = document.createElement("ul");
  list.id = "site-search-suggestions";
  list.className = "autocomplete-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  input.parentNode.appendChild(list);
  var status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  input.parentNode.appendChild(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  var items = [];
  var active = -1;
  var timer = null;
  var latest = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    var options = list.querySelectorAll("[role=option]");
    for (var i = 0; i < options.length; i++) {
      options[i].setAttribute("aria-selected", i === index ? "true" : "false");
    }
    active = index;
    if (index >= 0 && options[index]) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function go(index) {
    var item = items[index];
    if (item && item.url) { window.location.assign(item.url); }
  }

  function render(results) {
    items = results;
    list.textContent = "";
    results.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.className = "autocomplete-option";
      var label = document.createElement("span");
      label.textContent = item.label;
      li.appendChild(label);
      var kind = document.createElement("small");
      kind.textContent = " " + item.kind.replace("-", " ") + (item.context ? " · " + item.context : "");
      li.appendChild(kind);
      li.addEventListener("mousedown", function (event) { event.preventDefault(); go(i); });
      list.appendChild(li);
    });
    var open = results.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    status.textContent = open ? results.length + " suggestions; use the arrow keys" : "";
    active = -1;
  }

  function fetchSuggestions() {
    var query = input.value.trim();
    if (query.length < 2) { render([]); return; }
    var ticket = ++latest;
    fetch(endpoint + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { if (ticket === latest) { render(data.results || []); } })
      .catch(function () { render([]); });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(fetchSuggestions, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      if (list.hidden) { fetchSuggestions(); return; }
      event.preventDefault();
      highlight(Math.min(active + 1, items.length - 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(Math.max(active - 1, 0));
    } else if (event.key === "Enter") {
      if (!list.hidden && active >= 0) { event.preventDefault(); go(active); }
    } else if (event.key === "Escape") {
      if (!list.hidden) { event.preventDefault(); close(); }
    }
  });
  input.addEventListener("blur", function () { window.setTimeout(close, 100); });
})();
