// Contribution form, progressive: the form works without this file. With it, the focus goes to the
// first field with an error, and "Add another …" adds a blank row in the page instead of asking the
// server (the new row's inputs are numbered on from the last row, as the server would number them).
(function () {
  "use strict";

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function directRows(group) {
    return Array.prototype.filter.call(group.children, function (el) {
      return el.classList && el.classList.contains("repeat-row");
    });
  }

  function renumber(row, group, from, to) {
    var pattern = new RegExp("(^|f-|\\s)" + escapeRegExp(group + "-" + from) + "(?=-|$|\\s)", "g");
    var attributes = ["name", "id", "for", "aria-describedby", "data-row", "data-group", "data-field"];
    var all = [row].concat(Array.prototype.slice.call(row.querySelectorAll("*")));
    all.forEach(function (el) {
      attributes.forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value !== null) {
          el.setAttribute(attr, value.replace(pattern, "$1" + group + "-" + to));
        }
      });
      if (el.tagName === "BUTTON" && el.name === "add") {
        el.value = el.value.replace(pattern, "$1" + group + "-" + to);
      }
    });
  }

  function blank(row) {
    // nested groups (a new source's authors) start with one row
    row.querySelectorAll(".repeat").forEach(function (inner) {
      directRows(inner).slice(1).forEach(function (extra) { extra.remove(); });
    });
    row.querySelectorAll(".field-errors").forEach(function (el) { el.remove(); });
    // as on the server's page, the inputs' help shows in a group's first row only
    row.querySelectorAll(".contribute-field > .field-help").forEach(function (el) { el.remove(); });
    row.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    row.classList.remove("has-error");
    row.querySelectorAll("input, textarea, select").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
      el.removeAttribute("autofocus");
      if (el.tagName === "SELECT") {
        el.selectedIndex = 0;
      } else if (el.type === "checkbox" || el.type === "radio") {
        el.checked = false;
      } else {
        el.value = "";
      }
    });
  }

  function addRow(button) {
    var name = button.value;
    var group = document.querySelector('.repeat[data-group="' + name + '"]');
    if (!group) { return false; }
    var rows = directRows(group);
    var limit = parseInt(group.getAttribute("data-limit") || "0", 10);
    if (!rows.length || (limit && rows.length >= limit)) { return false; }
    var last = rows[rows.length - 1];
    var row = last.cloneNode(true);
    renumber(row, name, rows.length - 1, rows.length);
    blank(row);
    var legend = row.querySelector("legend");
    if (legend) { legend.textContent = legend.textContent.replace(/[0-9]+\s*$/, String(rows.length + 1)); }
    last.parentNode.insertBefore(row, last.nextSibling);
    // the nested "add another" buttons of the new row (authors) work too
    row.querySelectorAll("button[name=add]").forEach(function (inner) {
      inner.addEventListener("click", onAdd);
    });
    if (limit && rows.length + 1 >= limit) { button.hidden = true; }
    var first = row.querySelector("input, select, textarea");
    if (first) { first.focus(); }
    return true;
  }

  function onAdd(event) {
    if (addRow(event.currentTarget)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".contribute-form");
    if (!form) { return; }
    form.querySelectorAll("button[name=add]").forEach(function (button) {
      button.addEventListener("click", onAdd);
    });
    var first = form.querySelector(".has-error input, .has-error select, .has-error textarea");
    if (first && !form.querySelector("[autofocus]")) { first.focus(); }
  });
})();
