/* The projector: follows the session live. Read-only: it sends nothing but clock syncs. */
(function () {
  "use strict";
  var initial = window.Live.readInitial();
  var countdown = new window.Live.Countdown();
  var segmentBox = document.getElementById("segment");
  var counts = initial.counts;
  window.Live.setOffsetFrom(initial.state);
  countdown.update(initial.state);

  function showCounts(next) {
    counts = next;
    document.querySelectorAll("[data-count-participants]").forEach(function (el) { el.textContent = next.participants; });
    var total = Object.keys(next.responses).reduce(function (sum, key) { return sum + next.responses[key]; }, 0);
    document.querySelectorAll("[data-count-responses]").forEach(function (el) { el.textContent = total; });
    document.querySelectorAll("[data-prompt-count]").forEach(function (el) {
      el.textContent = next.responses[el.getAttribute("data-prompt-count")] || 0;
    });
  }

  function applyState(state) {
    var shown = segmentBox.querySelector("[data-index]");
    var changed = !shown || String(state.segment ? state.segment.index : -1) !== shown.getAttribute("data-index") ||
      state.status !== shown.getAttribute("data-status");
    countdown.update(state);
    if (changed) {
      window.Live.swapFragment(initial.fragment, segmentBox).then(function () { showCounts(counts); })
        .catch(function () { window.location.reload(); });
    }
  }

  if (window.io) {
    window.Live.connect("/screen", { token: initial.token }, {
      snapshot: function (snapshot) { applyState(snapshot.state); showCounts(snapshot.counts); },
      state: applyState,
      counts: showCounts
    });
  }
})();
