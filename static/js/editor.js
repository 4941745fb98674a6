/* The agenda editor works without this script. It only adds: the keyboard focus on what
   "Add …" just added, opening a segment's questions or vote settings when its kind changes,
   and a confirmation before deleting an agenda. */
(function () {
  "use strict";
  var added = document.querySelector("[data-focus]");
  if (added) {
    var first = added.querySelector("input:not([type=hidden]), textarea, select");
    if (first) { first.focus(); }
  }

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.name || !/^segments-\d+-kind$/.test(select.name)) { return; }
    var segment = select.closest("fieldset");
    var part = segment && segment.querySelector('[data-kind-part="' + select.value + '"]');
    if (part) { part.open = true; }
  });

  var remove = document.querySelector("[data-confirm]");
  if (remove) {
    remove.addEventListener("submit", function (event) {
      if (!window.confirm(remove.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  }
})();
