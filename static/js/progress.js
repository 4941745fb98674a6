/* A page that waits for work on the server (themes being suggested, regional themes being
   proposed): asks the server how far it is every second and moves the progress bar, then
   opens the result. No page reload every second (a reload loses a screen reader's place and
   WCAG 2.2.1 asks for none); without JavaScript the page has a link to check again. */
(function () {
  "use strict";
  var bar = document.querySelector("[data-progress]");
  var words = document.querySelector("[data-progress-words]");
  if (!bar || !window.fetch) { return; }

  function check() {
    fetch(window.location.href, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (progress) {
        if (progress.done) { window.location.reload(); return; }
        bar.value = progress.percent;
        bar.textContent = progress.percent + "%";
        if (words) { words.textContent = progress.words; }
        window.setTimeout(check, 1000);
      })
      .catch(function () { window.setTimeout(check, 3000); });
  }
  window.setTimeout(check, 1000);
})();
