/* Intake: a filter box for the compound picker. Typing part of a name or alias narrows the grouped <select>.
   Progressive enhancement: without JavaScript the box stays hidden and the plain <select> works as is. */
(function () {
  "use strict";

  function normalise(text) {
    return text.toLocaleLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function setUp(box) {
    var input = box.querySelector("input");
    var select = document.getElementById(box.getAttribute("data-filter-for"));
    var status = box.querySelector("[data-filter-status]");
    if (!input || !select) { return; }
    var original = Array.prototype.map.call(select.children, function (node) { return node.cloneNode(true); });

    function apply() {
      var needle = normalise(input.value.trim());
      var selected = select.value;
      var matches = 0;
      while (select.firstChild) { select.removeChild(select.firstChild); }
      original.forEach(function (node) {
        if (node.tagName === "OPTION") {  // the empty choice always stays
          select.appendChild(node.cloneNode(true));
          return;
        }
        var group = node.cloneNode(false);
        Array.prototype.forEach.call(node.children, function (option) {
          var hit = !needle || normalise(option.textContent).indexOf(needle) !== -1;
          if (hit) { matches += 1; }
          if (hit || option.value === selected) { group.appendChild(option.cloneNode(true)); }  // keep the choice made
        });
        if (group.children.length) { select.appendChild(group); }
      });
      select.value = selected;
      if (needle && matches === 1 && !selected) {
        var only = select.querySelector("optgroup option");
        if (only) { select.value = only.value; }
      }
      if (status) { status.textContent = needle ? box.getAttribute("data-matches").replace("%(n)s", matches) : ""; }
    }

    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }  // Enter moves to the list, never submits
    });
    box.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-filter-for]"), setUp);
  });
})();
