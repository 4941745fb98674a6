/* The facilitator console: timer controls over the socket (the forms still post without it),
   enabled only when they make sense; ending asked first in a dialog; answers arriving live
   per question, and hiding an inappropriate one. */
(function () {
  "use strict";
  var initial = window.Live.readInitial();
  var t = window.Live.t;
  var countdown = new window.Live.Countdown();
  var template = document.getElementById("response-template");
  var controlError = document.querySelector("[data-control-error]");
  var endDialog = document.getElementById("end-dialog");
  var socket = null;
  window.Live.setOffsetFrom(initial.state);
  countdown.update(initial.state);

  // Which timer controls make sense in a state: the rule of `refusal` in
  // workshop/live/timing.py, which the server enforces (tests/test_e2e_console.py holds the
  // two to the same answers in every state).
  var CONTROLS = ["start", "pause", "resume", "extend", "next", "previous", "reopen", "end"];
  function controlAllowed(action, status, index, count) {
    if (action === "reopen") { return status === "ended"; }
    if (status === "ended") { return false; }
    if (action === "start") { return status === "lobby"; }
    if (action === "end") { return true; }
    if (status === "lobby") { return false; }
    if (action === "pause") { return status === "running"; }
    if (action === "resume") { return status === "paused"; }
    if (action === "next") { return index < count - 1; }
    if (action === "previous") { return index > 0; }
    return true;
  }
  function enabledControls(state) {
    var index = state.segment ? state.segment.index : -1;
    var allowed = {};
    CONTROLS.forEach(function (action) { allowed[action] = controlAllowed(action, state.status, index, state.segment_count); });
    return allowed;
  }
  window.Console = { enabledControls: enabledControls };

  // Where focus goes when the control it was on stops making sense (Pause pressed: Resume).
  var PARTNER = { pause: "resume", resume: "pause", start: "pause", end: "reopen", reopen: "resume", next: "previous", previous: "next" };
  function usable(button) { return button && !button.disabled && !button.hidden; }
  function applyControls(state) {
    var allowed = enabledControls(state);
    var buttons = document.querySelectorAll("[data-controls] [data-control]");
    var focused = document.activeElement;
    buttons.forEach(function (button) {
      var on = allowed[button.getAttribute("data-control")];
      if (button.getAttribute("data-off") === "hidden") { button.hidden = !on; } else { button.disabled = !on; }
    });
    if (focused && focused.matches("[data-controls] [data-control]") && !usable(focused)) {
      var partner = document.querySelector('[data-controls] [data-control="' + PARTNER[focused.getAttribute("data-control")] + '"]');
      var next = usable(partner) ? partner : Array.prototype.find.call(buttons, usable);
      if (next) { next.focus(); }
    }
  }

  applyControls(initial.state);

  function hideUrl(responseId) { return initial.hide_url.replace(/\/0\/hide$/, "/" + responseId + "/hide"); }

  // "Participant 7 (Ana)" in the page's language, from what the label is made of.
  function whoText(who) {
    var label = t(who.paper ? "paper_participant" : "participant", { number: who.number });
    return who.name ? t("named_participant", { label: label, name: who.name }) : label;
  }

  function fillItem(li, response) {
    li.setAttribute("data-response-id", response.id);
    li.classList.toggle("is-hidden", response.hidden);
    var text = li.querySelector("[data-text]");
    text.textContent = response.text;
    text.id = "answer-" + response.id;
    li.querySelector("[data-who]").textContent = whoText(response.who);
    var strategy = response.strategy_id ? "· " + (initial.strategies[response.strategy_id] || response.strategy_id) : "";
    li.querySelector("[data-strategy]").textContent = strategy;
    li.querySelector("[data-flag]").textContent = response.hidden ? t("hidden_flag") : "";
    var form = li.querySelector("[data-hide-form]");
    form.setAttribute("action", hideUrl(response.id));
    form.querySelector("[data-hidden-value]").value = response.hidden ? "0" : "1";
    var button = form.querySelector("[data-hide-button]");
    button.textContent = response.hidden ? t("show") : t("hide");
    button.id = "hide-" + response.id;  // named "Hide" and the answer's text
    button.setAttribute("aria-labelledby", button.id + " " + text.id);
  }

  function upsert(response) {
    var stream = document.querySelector('[data-stream="' + response.prompt_id + '"]');
    if (!stream) { return; }
    var list = stream.querySelector("[data-list]");
    var li = list.querySelector('[data-response-id="' + response.id + '"]');
    if (response.deleted) { if (li) { li.remove(); } return; }
    if (!li) {
      li = template.content.firstElementChild.cloneNode(true);
      list.append(li);
    }
    fillItem(li, response);
  }

  function showCounts(counts) {
    document.querySelectorAll("[data-count-participants]").forEach(function (el) { el.textContent = counts.participants; });
    document.querySelectorAll("[data-stream]").forEach(function (stream) {
      stream.querySelector("[data-count]").textContent = counts.responses[stream.getAttribute("data-stream")] || 0;
    });
  }

  var shownSegment = initial.state.segment ? initial.state.segment.index : -1;
  var shownVoting = votingSegment(initial.state);
  function votingSegment(state) { return Boolean(state.segment && state.segment.kind === "vote"); }
  // A new segment (or the end) is said once, politely: the heading "Now: …" as the page shows it.
  function moment(state) { return (state.segment ? state.segment.index : -1) + (state.status === "ended" ? ":ended" : ""); }
  var announced = moment(initial.state);
  function applyState(state) {
    countdown.update(state);
    applyControls(state);
    var index = state.segment ? state.segment.index : -1;
    if (index !== shownSegment) {
      // The voting panel depends on the segment only in a vote segment (its Open voting
      // form): between two others it stays as it is (forty rooms moving on at once would
      // each have asked for it).
      var voting = votingSegment(state);
      if (voting || shownVoting) { refreshVotePanel(); }
      shownSegment = index;
      shownVoting = voting;
    }
    var title = state.status === "ended" ? t("title_ended") : (state.segment ? window.Live.segmentTitle(state.segment) : t("title_not_started"));
    document.querySelector("[data-current-title]").textContent = title;
    if (moment(state) !== announced) {
      announced = moment(state);
      var heading = document.querySelector("[data-current-title]").closest("h2");
      countdown.announce((heading || document.querySelector("[data-current-title]")).textContent.replace(/\s+/g, " ").trim());
    }
    document.querySelectorAll("[data-timeline] li").forEach(function (li) {
      var current = state.segment && Number(li.getAttribute("data-index")) === state.segment.index;
      li.classList.toggle("current", Boolean(current));
      if (current) { li.setAttribute("aria-current", "step"); } else { li.removeAttribute("aria-current"); }
    });
  }

  var voteBox = document.getElementById("vote-box");
  var voteTimer = null;
  function refreshVotePanel() {
    window.clearTimeout(voteTimer);
    voteTimer = window.setTimeout(function () {
      window.Live.swapFragment(voteBox.getAttribute("data-fragment"), voteBox);
    }, 100);
  }

  // The running tally comes over the socket a few times a second while ballots arrive, with
  // every row: it is drawn here instead of fetching the panel again (forty rooms voting at
  // once would each ask the server to render it four times a second). The titles stay the
  // ones the panel showed (in the page's language); a round or candidate the panel does not
  // show yet brings the panel itself.
  function showTally(tally) {
    var list = voteBox.querySelector("[data-tally-rows]");
    if (!list || !tally.rows || String(tally.round_id) !== list.getAttribute("data-round-id")) {
      refreshVotePanel();
      return;
    }
    var titles = {};
    list.querySelectorAll("[data-candidate-id]").forEach(function (li) {
      titles[li.getAttribute("data-candidate-id")] = li.getAttribute("data-title");
    });
    if (tally.rows.some(function (row) { return !Object.prototype.hasOwnProperty.call(titles, String(row.candidate_id)); })) {
      refreshVotePanel();
      return;
    }
    voteBox.querySelectorAll("[data-ballots]").forEach(function (el) { el.textContent = tally.ballots; });
    voteBox.querySelectorAll("[data-present]").forEach(function (el) { el.textContent = tally.participants; });
    var top = Math.max.apply(null, tally.rows.map(function (row) { return row.points; }).concat([1]));
    list.replaceChildren.apply(list, tally.rows.map(function (row) { return tallyItem(row, titles[String(row.candidate_id)], top); }));
  }

  function tallyItem(row, title, top) {
    var li = document.createElement("li");
    li.setAttribute("data-candidate-id", row.candidate_id);
    li.setAttribute("data-title", title);
    var name = document.createElement("span");
    name.className = "tally-title";
    name.textContent = row.rank + ". " + title;
    if (row.tied) {
      var tied = document.createElement("span");
      tied.className = "muted";
      tied.textContent = t("tied");
      name.append(" ", tied);
    }
    var meter = document.createElement("meter");
    meter.min = 0;
    meter.max = top;
    meter.value = row.points;
    var label = row.points === 1 ? "tally_row_label_one" : "tally_row_label_other";
    meter.setAttribute("aria-label", t(label, { title: title, points: row.points }));
    var figures = document.createElement("span");
    figures.className = "tally-figures";
    var words = row.ballots === 1 ? "tally_figures_one" : "tally_figures_other";
    figures.textContent = t(words, { points: row.points, first: row.first_choices, ballots: row.ballots });
    li.append(name, meter, figures);
    return li;
  }

  function showThemeSummary(board) {
    var list = document.querySelector("[data-theme-summary]");
    if (!list) { return; }
    list.replaceChildren();
    board.themes.forEach(function (theme) {
      var li = document.createElement("li");
      // named as the room's phones read it in the page's language, as the voting panel does
      var spanish = document.documentElement.lang === "es" && theme.title_es;
      li.textContent = (spanish || theme.title) + " ";
      var count = document.createElement("span");
      count.className = "muted";
      count.textContent = "(" + theme.count + ")";
      li.append(count);
      list.append(li);
    });
  }

  function sendControl(action, seconds) {
    socket.timeout(10000).emit("control", { action: action, seconds: seconds }, function (err, ack) {
      if (err) { controlError.textContent = t("no_answer"); return; }
      var failed = Object.prototype.hasOwnProperty.call(initial.i18n || {}, "control_" + action) ? "control_" + action : "control_failed";
      controlError.textContent = ack.ok ? "" : t(failed, { error: ack.error });
      if (ack.ok) { applyState(ack.state); }
    });
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-dialog]")) { endDialog.close(); }
  });

  document.addEventListener("submit", function (event) {
    var voteForm = event.target.closest("[data-vote-form]");
    if (voteForm) {
      event.preventDefault();
      var body = new FormData(voteForm, event.submitter);
      if (event.submitter && event.submitter.name && !body.has(event.submitter.name)) {
        body.append(event.submitter.name, event.submitter.value);
      }
      fetch(voteForm.action, { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (reply) {
          refreshVotePanel();
          if (!reply.ok) { window.setTimeout(function () { var box = document.querySelector("[data-vote-error]"); if (box) { box.textContent = reply.error; } }, 400); }
        })
        .catch(function () { var box = document.querySelector("[data-vote-error]"); if (box) { box.textContent = t("no_answer"); } });
      return;
    }
    var form = event.target;
    var control = event.submitter && event.submitter.getAttribute("data-control");
    if (form.matches("[data-controls]") && control === "end" && endDialog && endDialog.showModal) {
      event.preventDefault();  // asked first, here rather than on a page of its own
      controlError.textContent = "";
      endDialog.showModal();
      return;
    }
    if (!socket || !socket.connected) { return; }  // the plain form post still works
    if (form.matches("[data-end-form]")) {
      event.preventDefault();
      endDialog.close();
      sendControl("end", 0);
    } else if (form.matches("[data-controls]")) {
      event.preventDefault();
      var parts = ((event.submitter && event.submitter.value) || "").split("-");
      sendControl(parts[0], Number(parts[1] || 0));
    } else if (form.matches("[data-hide-form]")) {
      event.preventDefault();
      var li = form.closest("[data-response-id]");
      var hidden = form.querySelector("[data-hidden-value]").value === "1";
      socket.timeout(10000).emit("hide_response", { id: Number(li.getAttribute("data-response-id")), hidden: hidden }, function (err, ack) {
        if (err || !ack.ok) { controlError.textContent = t("change_failed", { error: err ? t("no_reply") : ack.error }); }
      });
    }
  });

  if (window.io) {
    socket = window.Live.connect("/facilitator", { workshop: initial.workshop_id }, {
      snapshot: function (snapshot) {
        applyState(snapshot.state);
        document.querySelectorAll("[data-list]").forEach(function (list) { list.replaceChildren(); });
        snapshot.responses.forEach(upsert);
        showCounts(snapshot.counts);
        showThemeSummary(snapshot.board);
      },
      state: applyState,
      response: function (message) { upsert(message.response); },
      counts: showCounts,
      board: showThemeSummary,
      vote: refreshVotePanel,
      tally: showTally
    });
  }
})();
