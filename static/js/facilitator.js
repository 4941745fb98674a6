/* The facilitator console: timer controls over the socket (the forms still post without it),
   answers arriving live per question, and hiding an inappropriate one. */
(function () {
  "use strict";
  var initial = window.Live.readInitial();
  var t = window.Live.t;
  var countdown = new window.Live.Countdown();
  var template = document.getElementById("response-template");
  var controlError = document.querySelector("[data-control-error]");
  var socket = null;
  window.Live.setOffsetFrom(initial.state);
  countdown.update(initial.state);

  function hideUrl(responseId) { return initial.hide_url.replace(/\/0\/hide$/, "/" + responseId + "/hide"); }

  // "Participant 7 (Ana)" in the page's language, from what the label is made of.
  function whoText(who) {
    var label = t(who.paper ? "paper_participant" : "participant", { number: who.number });
    return who.name ? t("named_participant", { label: label, name: who.name }) : label;
  }

  function fillItem(li, response) {
    li.setAttribute("data-response-id", response.id);
    li.classList.toggle("is-hidden", response.hidden);
    li.querySelector("[data-text]").textContent = response.text;
    li.querySelector("[data-who]").textContent = whoText(response.who);
    var strategy = response.strategy_id ? "· " + (initial.strategies[response.strategy_id] || response.strategy_id) : "";
    li.querySelector("[data-strategy]").textContent = strategy;
    li.querySelector("[data-flag]").textContent = response.hidden ? t("hidden_flag") : "";
    var form = li.querySelector("[data-hide-form]");
    form.setAttribute("action", hideUrl(response.id));
    form.querySelector("[data-hidden-value]").value = response.hidden ? "0" : "1";
    form.querySelector("[data-hide-button]").textContent = response.hidden ? t("show") : t("hide");
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
  // A new segment (or the end) is said once, politely: the heading "Now: …" as the page shows it.
  function moment(state) { return (state.segment ? state.segment.index : -1) + (state.status === "ended" ? ":ended" : ""); }
  var announced = moment(initial.state);
  function applyState(state) {
    countdown.update(state);
    var index = state.segment ? state.segment.index : -1;
    if (index !== shownSegment) {  // the voting panel depends on the segment
      shownSegment = index;
      refreshVotePanel();
    }
    var title = state.segment ? window.Live.segmentTitle(state.segment) : (state.status === "ended" ? t("title_ended") : t("title_not_started"));
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

  function showThemeSummary(board) {
    var list = document.querySelector("[data-theme-summary]");
    if (!list) { return; }
    list.replaceChildren();
    board.themes.forEach(function (theme) {
      var li = document.createElement("li");
      li.textContent = theme.title + " ";
      var count = document.createElement("span");
      count.className = "muted";
      count.textContent = "(" + theme.count + ")";
      li.append(count);
      list.append(li);
    });
  }

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
    if (!socket || !socket.connected) { return; }  // the plain form post still works
    var form = event.target;
    if (form.matches("[data-controls]")) {
      event.preventDefault();
      var value = (event.submitter && event.submitter.value) || "";
      var parts = value.split("-");
      socket.timeout(10000).emit("control", { action: parts[0], seconds: Number(parts[1] || 0) }, function (err, ack) {
        if (err) { controlError.textContent = t("no_answer"); return; }
        var failed = Object.prototype.hasOwnProperty.call(initial.i18n || {}, "control_" + parts[0]) ? "control_" + parts[0] : "control_failed";
        controlError.textContent = ack.ok ? "" : t(failed, { error: ack.error });
        if (ack.ok) { applyState(ack.state); }
      });
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
      tally: refreshVotePanel
    });
  }
})();
