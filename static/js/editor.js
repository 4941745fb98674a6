/* The agenda editor works without this script. It only adds: the keyboard focus on what
   "Add …" just added (or on what a pasted outline was read as), opening a segment's questions
   or vote settings when its kind changes, a check that the form is not too large to send,
   and a confirmation before deleting an agenda. */
(function () {
  "use strict";
  var added = document.querySelector("[data-focus]");
  if (added) {
    var first = added.querySelector("input:not([type=hidden]), textarea, select");
    if (first) { first.focus(); } else if (added.hasAttribute("tabindex")) { added.focus(); }
  }

  // The server takes a form of at most data-max-bytes (and says so if more arrives), but a
  // facilitator should not have to send a long plan to find out: the form is measured as
  // the browser will send it, and the largest field is named beside it.
  var editor = document.querySelector("[data-editor][data-max-bytes]");
  function encodedSize(value) {  // as sent: line breaks as CR LF, then percent-encoded
    return new URLSearchParams({ v: value.replace(/\r?\n/g, "\r\n") }).toString().length - 2;
  }
  function sizeText(bytes) {
    return bytes < 1048576 ? Math.max(1, Math.round(bytes / 1024)) + " KB" : (bytes / 1048576).toFixed(1).replace(/\.0$/, "") + " MB";
  }
  function showTooLarge(field, size, limit) {
    var id = field.id + "-error";
    var note = document.getElementById(id);
    if (!note) {
      note = document.createElement("p");
      note.className = "error";
      note.id = id;
      note.setAttribute("role", "alert");
      field.after(note);
    }
    // The words come in the page's language from the form's data-too-large.
    note.textContent = editor.getAttribute("data-too-large")
      .replace("{size}", sizeText(size)).replace("{limit}", sizeText(limit));
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", id);
    var box = field.closest(".field");
    if (box) { box.classList.add("has-error"); }
    field.focus();
  }
  if (editor) {
    editor.addEventListener("submit", function (event) {
      var limit = Number(editor.getAttribute("data-max-bytes"));
      var size = new URLSearchParams(new FormData(editor, event.submitter)).toString().length;
      if (!limit || size <= limit) { return; }
      var largest = null;
      editor.querySelectorAll("textarea, input:not([type=hidden])").forEach(function (field) {
        if (!largest || field.value.length > largest.value.length) { largest = field; }
      });
      event.preventDefault();
      showTooLarge(largest, encodedSize(largest.value), limit);
    });
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
