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

  // A new segment (or the end) is said once, politely, for anyone following with a screen
  // reader; the countdown itself is never announced, only its warnings.
  function moment(state) { return (state.segment ? state.segment.index : -1) + (state.status === "ended" ? ":ended" : ""); }
  var announced = moment(initial.state);
  function announceMoment(state) {
    if (moment(state) === announced) { return; }
    announced = moment(state);
    var t = window.Live.t;
    countdown.announce(state.status === "ended" ? t("session_ended") :
      state.segment ? t("now", { title: window.Live.segmentTitle(state.segment) }) : "");
  }

  function applyState(state) {
    var shown = segmentBox.querySelector("[data-index]");
    var changed = !shown || String(state.segment ? state.segment.index : -1) !== shown.getAttribute("data-index") ||
      state.status !== shown.getAttribute("data-status");
    countdown.update(state);
    announceMoment(state);
    if (changed) {
      window.Live.swapFragment(initial.fragment, segmentBox).then(function () { showCounts(counts); })
        .catch(function () { window.location.reload(); });
    }
  }

  function showThemes(message) {
    var list = document.querySelector("[data-screen-themes]");
    if (!list) { if (message.themes.length) { refresh(); } return; }
    list.replaceChildren();
    message.themes.forEach(function (theme) {
      var li = document.createElement("li");
      li.textContent = theme.title + " ";
      var count = document.createElement("span");
      count.className = "muted";
      count.textContent = "(" + theme.count + ")";
      li.append(count);
      list.append(li);
    });
  }

  // The live tally, redrawn from each coalesced update; never more than a few times a second.
  function showTally(tally) {
    document.querySelectorAll("[data-ballots]").forEach(function (el) { el.textContent = tally.ballots; });
    document.querySelectorAll("[data-present]").forEach(function (el) { el.textContent = tally.participants; });
    var note = document.querySelector("[data-tally-hidden]");
    if (note) { note.hidden = !tally.hidden; }
    var list = document.querySelector("[data-tally-rows]");
    if (!list) { return; }
    list.replaceChildren();
    var rows = tally.rows || [];
    var top = rows.reduce(function (max, row) { return Math.max(max, row.points); }, 1);
    rows.forEach(function (row) {
      var li = document.createElement("li");
      var title = document.createElement("span");
      title.className = "tally-title";
      title.textContent = row.rank + ". " + row.title + (row.tied ? " " + window.Live.t("tied") : "");
      var meter = document.createElement("meter");
      meter.min = 0; meter.max = top; meter.value = row.points;
      meter.setAttribute("aria-hidden", "true");  // the figure beside it says the same
      var figure = document.createElement("span");
      figure.className = "tally-figures";
      figure.textContent = row.points;
      li.append(title, meter, figure);
      list.append(li);
    });
  }

  function refresh() {
    window.Live.swapFragment(initial.fragment, segmentBox).then(function () { showCounts(counts); })
      .catch(function () { window.location.reload(); });
  }

  if (window.io) {
    window.Live.connect("/screen", { token: initial.token }, {
      snapshot: function (snapshot) { applyState(snapshot.state); showCounts(snapshot.counts); },
      state: applyState,
      counts: showCounts,
      themes: showThemes,
      vote: refresh,
      tally: showTally
    });
  }
})();
