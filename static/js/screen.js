/* The projector: follows the session live. Read-only: it sends nothing but clock syncs.
   Everything is sized to the screen: the segment's type shrinks (or grows) until it fits
   without scrolling; the answers wall keeps the newest answers that fit. User text is only
   ever set with textContent. */
(function () {
  "use strict";
  var Live = window.Live;
  var t = Live.t;
  var initial = Live.readInitial();
  var countdown = new Live.Countdown();
  var segmentBox = document.getElementById("segment");
  var joinScreen = document.querySelector("[data-join-screen]");
  var stage = document.querySelector("[data-stage]");
  var pausedBanner = document.querySelector("[data-paused]");
  var counts = initial.counts;
  var state = initial.state;
  var screen = initial.screen || { join: false, wall: { prompt_ids: [], answers: [], total: 0 } };
  var tally = null;   // the latest tally, redrawn after every swap
  var ranked = true;
  var names = {};     // candidate id → its title in this screen's language, from the segment
  var joinByKey = null;  // J on this page: true/false until the facilitators choose again
  Live.setOffsetFrom(state);
  countdown.update(state);

  function plural(key, n) { return t(key + (n === 1 ? "_one" : "_other"), { n: n }); }

  // "1 answer", "2 answers": the line is drawn again around its number, which keeps its
  // element (bold, and found by its attributes).
  function countLine(line, key, n) {
    var number = line.querySelector("strong").cloneNode(false);
    number.textContent = n;
    var words = t(key + (n === 1 ? "_one" : "_other")).split("{n}");
    line.replaceChildren(words[0], number, words.slice(1).join(""));
  }

  // A theme as this screen's room reads it: its Spanish title where it has one.
  function roomTitle(item) { return (initial.lang === "es" && item.title_es) || item.title; }

  // A tally row's candidate as the segment named it (a plan strategy too), else by its row.
  function candidateTitle(row) { return names[row.candidate_id] || roomTitle(row); }

  // -- fitting ------------------------------------------------------------------------------

  // Sizes are rounded to whole pixels here: any overflow at all counts.
  function overflows(el) { return el.scrollHeight > el.clientHeight || el.scrollWidth > el.clientWidth; }

  // The largest type scale (between 0.45 and 1.6) at which the box shows everything; with
  // an answers wall, no larger than 1: the space is the answers'.
  function fitBox(box) {
    var low = 0.45, high = box.querySelector("[data-wall-section]") ? 1 : 1.6;
    box.style.setProperty("--fit", high);
    if (!overflows(box)) { return; }
    for (var step = 0; step < 9; step += 1) {
      var middle = (low + high) / 2;
      box.style.setProperty("--fit", middle);
      if (overflows(box)) { high = middle; } else { low = middle; }
    }
    box.style.setProperty("--fit", low * 0.97);  // a margin for sub-pixel rounding
  }

  // A wall shows its newest answers; the oldest that do not fit wait off screen, counted.
  function fitWall(section) {
    var list = section.querySelector("[data-wall-cards]");
    var more = section.querySelector("[data-wall-more]");
    var cards = Array.prototype.slice.call(list.children);
    var total = Number(section.getAttribute("data-total") || cards.length);
    cards.forEach(function (card) { card.hidden = false; });
    var shown = cards.length;
    function showFirst(n) { cards.forEach(function (card, i) { card.hidden = i >= n; }); }
    if (overflows(list)) {
      var low = 0, high = cards.length;
      while (low < high) {  // the most cards that still fit
        var middle = Math.ceil((low + high) / 2);
        showFirst(middle);
        if (overflows(list)) { high = middle - 1; } else { low = middle; }
      }
      shown = low;
      showFirst(shown);
    }
    more.hidden = total <= shown;
    more.textContent = total > shown ? plural("wall_more", total - shown) : "";
  }

  function fitAll() {
    document.querySelectorAll("[data-wall-cards]").forEach(function (list) {
      Array.prototype.forEach.call(list.children, function (card) { card.hidden = true; });
    });
    var body = segmentBox.querySelector("[data-fit]");
    if (body) { fitBox(body); }
    document.querySelectorAll("[data-wall-section]").forEach(fitWall);
  }

  // -- join screen, pause -------------------------------------------------------------------

  function showFaces() {
    var ended = state.status === "ended";
    var full = !ended && (state.status === "lobby" || (joinByKey !== null ? joinByKey : screen.join));
    joinScreen.hidden = !full;
    stage.hidden = full;
    document.body.setAttribute("data-status", state.status);
    pausedBanner.hidden = state.status !== "paused";
    var title = document.querySelector("[data-join-segment]");
    if (title) { title.textContent = state.segment ? Live.segmentTitle(state.segment) : ""; }
    if (!full) { fitAll(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.key.toLowerCase() !== "j") { return; }
    joinByKey = joinScreen.hidden;
    showFaces();
  });

  // -- counts, themes -----------------------------------------------------------------------

  function showCounts(next) {
    counts = next;
    document.querySelectorAll("[data-count-participants], [data-join-participants]").forEach(function (el) { el.textContent = next.participants; });
    var total = Object.keys(next.responses).reduce(function (sum, key) { return sum + next.responses[key]; }, 0);
    document.querySelectorAll("[data-count-responses-line]").forEach(function (el) { countLine(el, "answers", total); });
    document.querySelectorAll("[data-prompt-count-line]").forEach(function (el) {
      countLine(el, "answers", next.responses[el.getAttribute("data-prompt-count-line")] || 0);
    });
  }

  function showThemes(message) {
    var list = document.querySelector("[data-screen-themes]");
    if (!list) { if (message.themes.length) { refresh(); } return; }
    list.replaceChildren();
    message.themes.forEach(function (theme) {
      var li = document.createElement("li");
      var title = document.createElement("span");
      title.className = "theme-title";
      title.textContent = roomTitle(theme);
      var count = document.createElement("span");
      count.className = "count-badge";
      count.textContent = plural("answers", theme.count);
      li.append(title, " ", count);
      list.append(li);
    });
    fitAll();
  }

  // -- the tally ----------------------------------------------------------------------------

  // Why a row stands where it does among rows with the same points, in the room's words.
  function tieNote(rows, index) {
    var row = rows[index];
    var same = rows.filter(function (other) { return other !== row && other.points === row.points; });
    if (!same.length || row.points === 0) { return ""; }  // nobody's pick yet: nothing to explain
    if (same.some(function (other) { return other.rank === row.rank; })) {
      return ranked ? t("tied_full") : t("tied_dots");
    }
    var above = index > 0 && rows[index - 1].points === row.points ? rows[index - 1] : null;
    var other = above || rows[index + 1];
    var where = above ? "behind" : "ahead";
    var byFirsts = other.first_choices !== row.first_choices;
    return t(where + (byFirsts ? "_firsts" : "_ballots"), {
      other: t("rank_of", { rank: other.rank }),
      mine: byFirsts ? row.first_choices : row.ballots,
      theirs: byFirsts ? other.first_choices : other.ballots
    });
  }

  function tallyRow(row, index, rows, top) {
    var li = document.createElement("li");
    li.className = index < 3 && row.points > 0 ? "top top-" + (index + 1) : "rest";
    var rank = document.createElement("span");
    rank.className = "tally-rank";
    rank.textContent = row.rank;
    var words = document.createElement("span");
    words.className = "tally-title";
    var name = document.createElement("span");
    name.className = "tally-name";  // a long title shortens; the tie note below never does
    name.textContent = candidateTitle(row);
    words.append(name);
    var note = tieNote(rows, index);
    if (note) {
      var small = document.createElement("span");
      small.className = "tally-tie";
      small.textContent = note;
      words.append(small);
    }
    var meter = document.createElement("meter");
    meter.min = 0; meter.max = top; meter.value = row.points;
    meter.setAttribute("aria-hidden", "true");  // the figure beside it says the same
    var figure = document.createElement("span");
    figure.className = "tally-figures";
    figure.textContent = plural("points", row.points);
    li.append(rank, words, meter, figure);
    return li;
  }

  function showTally(next) {
    tally = next;
    document.querySelectorAll("[data-ballots]").forEach(function (el) { el.textContent = next.ballots; });
    document.querySelectorAll("[data-present]").forEach(function (el) { el.textContent = next.participants; });
    var note = document.querySelector("[data-tally-hidden]");
    if (note) { note.hidden = !next.hidden; }
    var list = document.querySelector("[data-tally-rows]");
    if (!list) { return; }
    var rows = next.rows || [];
    // Up to 12 every candidate shows; beyond, the top 10 and how many more.
    var shown = rows.length > 12 ? rows.slice(0, 10) : rows;
    var top = rows.reduce(function (max, row) { return Math.max(max, row.points); }, 1);
    list.replaceChildren.apply(list, shown.map(function (row, i) { return tallyRow(row, i, rows, top); }));
    list.classList.toggle("many", shown.length > 6);
    var more = document.querySelector("[data-tally-more]");
    if (more) {
      more.hidden = rows.length === shown.length;
      more.textContent = more.hidden ? "" : t("more_candidates", { n: rows.length - shown.length });
    }
    var rule = document.querySelector("[data-tie-rule]");
    if (rule) { rule.hidden = !list.querySelector(".tally-tie"); }
    fitAll();
  }

  function readVote() {
    var node = segmentBox.querySelector("[data-vote-json]");
    if (!node) { tally = null; names = {}; return; }
    var vote = JSON.parse(node.textContent);
    ranked = vote.ranked;
    names = vote.names || {};
    tally = vote.tally;  // as the server rendered it: rows absent while hidden
    if (tally) { showTally(tally); }
  }

  // -- the answers wall ---------------------------------------------------------------------

  function showWall(next) {
    screen = next;
    var wall = next.wall || { answers: [], total: 0 };
    document.querySelectorAll("[data-wall-section]").forEach(function (section) {
      var promptId = section.getAttribute("data-wall-section");
      var list = section.querySelector("[data-wall-cards]");
      var mine = wall.answers.filter(function (answer) { return answer.prompt_id === promptId; });
      list.replaceChildren.apply(list, mine.map(function (answer) {
        var li = document.createElement("li");
        li.className = "wall-card";
        li.textContent = answer.text;
        return li;
      }));
      if (!mine.length) {
        var empty = document.createElement("li");
        empty.className = "wall-empty";
        empty.textContent = t("wall_empty");
        list.append(empty);
      }
      section.setAttribute("data-total", counts.responses[promptId] || mine.length);
    });
  }

  function applyScreen(next) {
    var shownWall = (segmentBox.querySelector("[data-wall]") || { getAttribute: function () { return ""; } }).getAttribute("data-wall");
    if (next.join !== screen.join) { joinByKey = null; }  // the facilitators chose again
    if ((next.wall.prompt_ids || []).join(" ") !== shownWall) { screen = next; refresh(); return; }
    showWall(next);
    showFaces();
  }

  // -- segment changes ----------------------------------------------------------------------

  function moment(s) { return (s.segment ? s.segment.index : -1) + (s.status === "ended" ? ":ended" : ""); }
  var announced = moment(state);
  function announceMoment(next) {
    if (moment(next) === announced) { return; }
    announced = moment(next);
    countdown.announce(next.status === "ended" ? t("session_ended") :
      next.segment ? t("now", { title: Live.segmentTitle(next.segment) }) : "");
  }

  function redraw() {
    showCounts(counts);
    readVote();
    showWall(screen);
    showFaces();
  }

  function refresh() {
    Live.swapFragment(initial.fragment, segmentBox).then(redraw)
      .catch(function () { window.location.reload(); });
  }

  function applyState(next) {
    var shown = segmentBox.querySelector("[data-index]");
    var changed = !shown || String(next.segment ? next.segment.index : -1) !== shown.getAttribute("data-index") ||
      next.status !== shown.getAttribute("data-status");
    state = next;
    countdown.update(next);
    announceMoment(next);
    showFaces();
    if (changed) { refresh(); }
  }

  window.addEventListener("resize", function () { showFaces(); });
  redraw();

  if (window.io) {
    Live.connect("/screen", { token: initial.token }, {
      snapshot: function (snapshot) {
        showCounts(snapshot.counts);
        if (snapshot.screen) { applyScreen(snapshot.screen); }
        applyState(snapshot.state);
      },
      state: applyState,
      counts: function (next) { showCounts(next); fitAll(); },
      themes: showThemes,
      vote: refresh,
      tally: showTally,
      screen: applyScreen
    });
  }
})();
