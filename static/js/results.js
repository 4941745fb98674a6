// Results page: a Print button (the page works without it: the browser's own Print does the same).
"use strict";
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
document.querySelectorAll("[data-share-url]").forEach((input) => {
  input.addEventListener("focus", () => input.select());
});
