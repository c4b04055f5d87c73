// Accessibility repairs to Django admin's own widgets, found by axe-core (tests/e2e/test_every_page.py).
// Loaded with defer, so this "load" listener runs after the admin's widgets have built themselves.
(function () {
  "use strict";
  function text(node) { return node ? node.textContent.replace(/\s+/g, " ").trim() : ""; }
  window.addEventListener("load", function () {
    // filter_horizontal's help icons carry an aria-label on a plain <span>: give them an image role.
    document.querySelectorAll("span.help-tooltip[aria-label]").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
    // Tabular inlines label their columns, not their fields: name each field after its column.
    document.querySelectorAll(".tabular table").forEach(function (table) {
      table.querySelectorAll("tbody td input, tbody td select, tbody td textarea").forEach(function (field) {
        if (field.type === "hidden" || field.labels && field.labels.length || field.getAttribute("aria-label")) { return; }
        var cell = field.closest("td");
        var match = /(?:^|\s)field-(\S+)/.exec(cell.className);
        var head = match ? table.querySelector("thead th.column-" + match[1]) : null;
        if (!head && cell.classList.contains("delete")) { head = table.querySelector("thead th:last-child"); }
        var name = text(head) || field.name;
        if (name) { field.setAttribute("aria-label", name); }
      });
    });
    // The change-list search box: its label is an icon.
    var search = document.getElementById("searchbar");
    if (search && !search.getAttribute("aria-label")) {
      var icon = document.querySelector('label[for="searchbar"] img');
      search.setAttribute("aria-label", (icon && icon.alt) || "Search");
    }
  });
  // The autocomplete widget (select2) names its combobox after the <select>'s label. Django builds
  // it in a jQuery "ready" handler; one registered now runs after it.
  function nameAutocompletes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
      var name = label ? text(label).replace(/:$/, "") : "";
      if (!name) { return; }
      select.parentNode.querySelectorAll(".select2-selection, .select2-selection__rendered").forEach(function (part) {
        part.setAttribute("aria-label", name);
      });
    });
  }
  if (window.django && window.django.jQuery) { window.django.jQuery(nameAutocompletes); }
  window.addEventListener("load", nameAutocompletes);
}());
