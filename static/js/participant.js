/* The participant page, enhanced: live segment changes without reloads, and answers sent
   over the socket with an acknowledgement. Every answer waits in local storage until the
   server confirms it is stored; after a reconnect or a reload it is sent again with the same
   client id, so the server never stores it twice. Without JavaScript the forms post as usual.
   Once loaded, the page fetches nothing (but a theme's answers, when a person opens what a
   ballot choice means): the segment comes over the socket as every phone of
   its language shares it, and the page fills in this phone's own part (answers, ballot, form
   token) and the room's themes from what the socket told it. The load bench's phone model
   (workshop/live/simulate.py) does what this script does on the network; a browser test holds
   them together (tests/test_e2e_phone_model.py). */
(function () {
  "use strict";
  var initial = window.Live.readInitial();
  var t = window.Live.t;
  var code = initial.code;
  var queueKey = "workshop-queue-" + code;
  var segmentBox = document.getElementById("segment");
  var countdown = new window.Live.Countdown();
  var inFlight = {};
  // A reply normally takes milliseconds; one missing after this long was probably lost with a
  // dropped connection the phone has not noticed yet, so the item goes again (its client id
  // makes a second copy harmless).
  var REPLY_WAIT = 6000;
  var socket = null;
  var currentState = initial.state;
  // From the socket; null until the first snapshot (the served page shows it all).
  var view = null;        // {key, html}: the segment shared by this language's phones
  var mine = null;        // this phone's answers, by id
  var myBallot = null;    // its ballot in the latest round
  var roomThemes = null;

  window.Live.setOffsetFrom(currentState);
  countdown.update(currentState);

  // Edits and deletions of sent answers wait in local storage the same way, the latest one
  // per answer, until the server confirms it (an edit sets the text, so sending it again is
  // harmless; a deletion the server already made is done).
  var changesKey = "workshop-changes-" + code;
  var changesInFlight = {};
  var memoryChanges = {};
  function changes() {
    try { return JSON.parse(window.localStorage.getItem(changesKey) || "null") || memoryChanges; } catch (e) { return memoryChanges; }
  }
  function saveChanges(all) {
    memoryChanges = all;
    try { window.localStorage.setItem(changesKey, JSON.stringify(all)); } catch (e) { /* private mode: in memory */ }
  }

  function loadQueue() {
    try { return JSON.parse(window.localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(queue) {
    try { window.localStorage.setItem(queueKey, JSON.stringify(queue)); } catch (e) { /* private mode: keep in memory */ }
    memoryQueue = queue;
  }
  var memoryQueue = loadQueue();
  function queue() { var stored = loadQueue(); return stored.length || !memoryQueue.length ? stored : memoryQueue; }

  function renderPending() {
    document.querySelectorAll("[data-prompt]").forEach(function (section) {
      var list = section.querySelector("[data-pending]");
      if (!list) { return; }
      var promptId = section.getAttribute("data-prompt");
      list.replaceChildren();
      queue().filter(function (item) { return item.prompt_id === promptId; }).forEach(function (item) {
        var li = document.createElement("li");
        li.className = "answer pending-answer";
        var text = document.createElement("span");
        text.textContent = item.text;
        var note = document.createElement("span");
        note.className = "muted small";
        note.textContent = " " + t("sending");
        li.append(text, note);
        list.append(li);
      });
    });
  }

  function showError(promptId, message) {
    var section = document.querySelector('[data-prompt="' + promptId + '"]');
    var target = section ? section.querySelector(".respond-form") || section : document.querySelector("[data-connection]");
    if (!target) { return; }
    var error = target.querySelector(".js-error");
    if (!error) {
      error = document.createElement("p");
      error.className = "error js-error";
      error.setAttribute("role", "alert");
      target.append(error);
    }
    error.textContent = message;
    if (target.hidden) { target.hidden = false; }
  }

  // The view's key as the page shows it (the served page carries one too).
  function shownKey() {
    var section = segmentBox.querySelector("[data-view]");
    return section ? section.getAttribute("data-view") : null;
  }

  // The shared view with this phone's part filled in; drafts and focus stay (Live.swapHtml).
  function redraw() {
    if (!view) { return; }
    var focused = document.activeElement && document.activeElement.id;
    window.Live.swapHtml(view.html, segmentBox, personalize);
    drawRankers();
    // The ranker is drawn after the swap (from the choices the swap kept): focus on one of
    // its buttons comes back now.
    var again = focused && document.getElementById(focused);
    if (again && document.activeElement !== again && !again.disabled) { again.focus(); }
    renderPending();
    showVoteStatus();
  }

  function personalize(body) {
    body.querySelectorAll("[data-prompt]").forEach(drawAnswers);
    body.querySelectorAll("[data-ballot-form]").forEach(drawBallot);
    drawThemes(body);
    body.querySelectorAll("input[name=csrf_token]").forEach(function (field) { field.value = initial.csrf; });
    body.querySelectorAll(".respond-form [name=client_id]").forEach(function (field) {
      field.value = window.Live.randomId();
    });
  }

  function drawAnswers(section) {
    var promptId = section.getAttribute("data-prompt");
    var list = section.querySelector("[data-answers]");
    var template = section.querySelector("template[data-own-answer]");
    if (!list || !template || !mine) { return; }
    var answers = Object.keys(mine).map(function (id) { return mine[id]; })
      .filter(function (answer) { return answer.prompt_id === promptId; })
      .sort(function (a, b) { return a.id - b.id; });
    list.replaceChildren();
    answers.forEach(function (answer, index) {
      list.append(ownAnswer(template, answer, index + 1));
    });
    var full = answers.length >= Number(section.getAttribute("data-max"));
    var form = section.querySelector(".respond-form");
    var note = section.querySelector("[data-answers-full]");
    if (form) { form.hidden = full; }
    if (note) { note.hidden = !full; }
    var counter = section.querySelector("[data-counter]");
    if (counter && counter.hasAttribute("data-counter-text")) {
      counter.textContent = counter.getAttribute("data-counter-text").replace("__N__", String(answers.length + 1));
    }
  }

  function ownAnswer(template, answer, number) {
    var item = template.content.firstElementChild.cloneNode(true);
    [item].concat(Array.prototype.slice.call(item.querySelectorAll("*"))).forEach(function (el) {
      Array.prototype.forEach.call(el.attributes, function (attribute) {
        if (attribute.value.indexOf("__ID__") !== -1) { attribute.value = attribute.value.split("__ID__").join(String(answer.id)); }
      });
    });
    item.querySelectorAll("label").forEach(function (label) {
      label.textContent = label.textContent.replace("__N__", String(number));
    });
    var change = changes()[answer.id];
    item.querySelector("textarea").defaultValue = change && change.op === "edit" ? change.text : answer.text;  // as text, never as markup
    if (change) {
      item.classList.add("pending-answer");
      var note = document.createElement("p");
      note.className = "muted small";
      note.textContent = t(change.op === "edit" ? "change_sending" : "delete_sending");
      item.querySelector("form").append(note);
    }
    var choice = item.querySelector("select[name=strategy_id]");
    if (choice) {
      Array.prototype.forEach.call(choice.options, function (option) {
        option.defaultSelected = option.value === (answer.strategy_id || "");
      });
    }
    return item;
  }

  function drawBallot(form) {
    var round = form.querySelector("[name=round_id]");
    var picks = myBallot && round && String(myBallot.round_id) === round.value ? myBallot.picks : [];
    form.querySelectorAll("[data-pick]").forEach(function (field, index) {
      if (field.type === "checkbox") {
        field.defaultChecked = picks.indexOf(Number(field.value)) !== -1;
        field.checked = field.defaultChecked;
        return;
      }
      var wanted = index < picks.length ? String(picks[index]) : "";
      Array.prototype.forEach.call(field.options, function (option) { option.defaultSelected = option.value === wanted; });
      field.value = wanted;
    });
    var send = form.querySelector("button[type=submit]");
    if (send && picks.length) { send.textContent = t("change_vote"); }
  }

  // True when the answer changes what this phone holds.
  function remember(answer, gone) {
    if (!mine) { mine = {}; }
    var before = mine[answer.id];
    if (gone) { delete mine[answer.id]; return before !== undefined; }
    mine[answer.id] = answer;
    return JSON.stringify(before) !== JSON.stringify(answer);
  }

  function settle(item, ack) {
    delete inFlight[item.client_id];
    saveQueue(queue().filter(function (queued) { return queued.client_id !== item.client_id; }));
    if (!ack.ok) {
      var field = document.getElementById("new-" + item.prompt_id);
      if (field && !field.value) { field.value = item.text; }  // give the words back, nothing lost
      showError(item.prompt_id, t("not_sent", { error: ack.error }));
      renderPending();
      return;
    }
    if (remember(ack.response)) { redraw(); } else { renderPending(); }
  }

  var resendTimer = null;
  function scheduleResend() {
    window.clearTimeout(resendTimer);
    resendTimer = window.setTimeout(function () { sendQueue(); sendChanges(); }, 1000 + Math.random() * 2000);
  }

  function sendQueue() {
    if (!socket || !socket.connected) { renderPending(); return; }
    queue().forEach(function (item) {
      if (inFlight[item.client_id]) { return; }
      inFlight[item.client_id] = true;
      socket.timeout(REPLY_WAIT).emit("respond", item, function (err, ack) {
        if (err || (!ack.ok && ack.code === "server")) {
          // No answer (the server may have died with it) or a server fault: it stays queued
          // and goes again shortly; the client id makes a resend of a stored answer harmless.
          delete inFlight[item.client_id];
          scheduleResend();
          return;
        }
        settle(item, ack);
      });
    });
    renderPending();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("respond-form")) { return; }
    event.preventDefault();
    var textField = form.querySelector("textarea[name=text]");
    var text = textField.value.trim();
    if (!text) { showError(form.querySelector("[name=prompt_id]").value, t("write_first")); return; }
    var strategy = form.querySelector("[name=strategy_id]");
    var item = {
      client_id: form.querySelector("[name=client_id]").value,
      prompt_id: form.querySelector("[name=prompt_id]").value,
      text: text,
      strategy_id: strategy && strategy.value ? strategy.value : null
    };
    var pending = queue();
    pending.push(item);
    saveQueue(pending);
    textField.value = "";
    textField.dispatchEvent(new Event("input", { bubbles: true }));  // the counter starts again
    form.querySelector("[name=client_id]").value = window.Live.randomId();
    var oldError = form.querySelector(".js-error");
    if (oldError) { oldError.remove(); }
    sendQueue();
  });

  function sendChanges() {
    if (!socket || !socket.connected) { return; }
    var all = changes();
    Object.keys(all).forEach(function (id) {
      var change = all[id];
      if (changesInFlight[id]) { return; }
      changesInFlight[id] = true;
      var event = change.op === "edit" ? "edit_response" : "delete_response";
      var payload = change.op === "edit" ? { id: change.id, text: change.text, strategy_id: change.strategy_id } : { id: change.id };
      socket.timeout(REPLY_WAIT).emit(event, payload, function (err, ack) {
        delete changesInFlight[id];
        if (err || (!ack.ok && ack.code === "server")) { scheduleResend(); return; }
        settleChange(change, ack);
      });
    });
  }

  function settleChange(change, ack) {
    var all = changes();
    if (all[change.id] && JSON.stringify(all[change.id]) === JSON.stringify(change)) {
      delete all[change.id];  // a newer change of the same answer waits for its own reply
      saveChanges(all);
    }
    if (ack.ok && change.op === "edit") { remember(ack.response); }
    if (ack.ok && change.op === "delete") { remember({ id: change.id }, true); }
    redraw();
    if (!ack.ok && !(change.op === "delete" && ack.code === "not_found")) {
      showError(change.prompt_id, t("not_sent", { error: ack.error }));
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("edit-form") || !socket) { return; }
    var item = form.closest("[data-response-id]");
    var id = item && Number(item.getAttribute("data-response-id"));
    if (!id) { return; }  // a form the server drew without an id: it posts as usual
    event.preventDefault();
    var deleting = event.submitter && /\/delete$/.test(event.submitter.getAttribute("formaction") || "");
    var text = form.querySelector("textarea[name=text]").value.trim();
    var section = form.closest("[data-prompt]");
    var promptId = section ? section.getAttribute("data-prompt") : "";
    if (!deleting && !text) { showError(promptId, t("write_first")); return; }
    var strategy = form.querySelector("[name=strategy_id]");
    var all = changes();
    all[id] = deleting ? { id: id, op: "delete", prompt_id: promptId }
      : { id: id, op: "edit", prompt_id: promptId, text: text, strategy_id: strategy && strategy.value ? strategy.value : null };
    saveChanges(all);
    redraw();
    sendChanges();
  });

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field.tagName !== "TEXTAREA" || !field.maxLength || field.maxLength < 0) { return; }
    var counter = field.closest(".field") && field.closest(".field").querySelector("[data-counter]");
    if (counter) { counter.textContent = t("characters_used", { used: field.value.length, limit: field.maxLength }); }
  });

  // Ballots: the latest one waits in local storage until the server confirms it.
  var ballotKey = "workshop-ballot-" + code;
  var ballotInFlight = false;
  function pendingBallot() {
    try { return JSON.parse(window.localStorage.getItem(ballotKey) || "null"); } catch (e) { return null; }
  }
  function setPendingBallot(ballot) {
    try {
      if (ballot) { window.localStorage.setItem(ballotKey, JSON.stringify(ballot)); }
      else { window.localStorage.removeItem(ballotKey); }
    } catch (e) { /* private mode */ }
  }
  // The last word on this phone's ballot, shown again when the vote section is redrawn.
  var lastVoteStatus = null;
  // `picks`: the ballot the server holds, listed under the words in the reader's order.
  function voteStatus(text, isError, picks) {
    var section = document.getElementById("vote");
    lastVoteStatus = { round: section && section.getAttribute("data-vote-round"), text: text, isError: isError, picks: picks };
    showVoteStatus();
  }
  function showVoteStatus() {
    var box = document.querySelector("[data-vote-status]");
    var section = document.getElementById("vote");
    if (!box || !lastVoteStatus || !section || section.getAttribute("data-vote-round") !== lastVoteStatus.round) { return; }
    box.hidden = false;
    box.className = lastVoteStatus.isError ? "error" : "confirm";
    var line = document.createElement("p");
    line.textContent = lastVoteStatus.text;
    box.replaceChildren(line);
    if (!lastVoteStatus.picks) { return; }
    var list = document.createElement(section.querySelector("[data-ranker]") ? "ol" : "ul");
    list.className = "picked";
    lastVoteStatus.picks.forEach(function (id) {
      var item = document.createElement("li");
      item.textContent = titleOf(section, id);
      list.append(item);
    });
    box.append(list);
  }
  // The form now shows what the server holds: a later redraw keeps only changes made after this.
  function markBallotSaved() {
    document.querySelectorAll("[data-ballot-form] [data-pick]").forEach(function (field) {
      if (field.type === "checkbox") { field.defaultChecked = field.checked; return; }
      Array.prototype.forEach.call(field.options, function (option) { option.defaultSelected = option.selected; });
    });
  }
  function sendBallot() {
    var ballot = pendingBallot();
    if (!ballot || ballotInFlight || !socket || !socket.connected) { return; }
    ballotInFlight = true;
    socket.timeout(REPLY_WAIT).emit("ballot", ballot, function (err, ack) {
      ballotInFlight = false;
      if (err || (!ack.ok && ack.code === "server")) {  // kept; sent again on reconnect or next try
        voteStatus(t("vote_still_sending"), false);
        window.setTimeout(sendBallot, 3000);
        return;
      }
      var current = pendingBallot();
      if (current && current.client_id === ballot.client_id) { setPendingBallot(null); }
      if (ack.ok) {
        myBallot = ack.ballot;  // what the server now holds, drawn again on every redraw
        markBallotSaved();
        voteStatus(t("vote_in"), false, ack.ballot.picks);
        var send = document.querySelector("[data-ballot-form] button[type=submit]");
        if (send) { send.textContent = t("change_vote"); }
      } else {
        voteStatus(t("vote_not_counted", { error: ack.error }), true);
      }
      sendBallot();  // a newer ballot may have been queued meanwhile
    });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-ballot-form]")) { return; }
    event.preventDefault();
    var picks = [];
    form.querySelectorAll("[data-pick]").forEach(function (field) {
      if (field.type === "checkbox" ? field.checked : field.value) { picks.push(Number(field.value)); }
    });
    if (!picks.length) { voteStatus(t("pick_one"), true); return; }
    if (new Set(picks).size !== picks.length) { voteStatus(t("pick_once"), true); return; }
    var ballot = {
      round_id: Number(form.querySelector("[name=round_id]").value),
      picks: picks,
      client_id: window.Live.randomId()  // each change is its own submission
    };
    setPendingBallot(ballot);
    voteStatus(socket && socket.connected ? t("vote_sending") : t("vote_kept"), false);
    sendBallot();
  });

  // Tap to rank. The ranked ballot's choices are buttons: a tap gives one the next place, a
  // second tap takes it back, the arrows beside a place reorder. The form's own selects (the
  // ballot without script) stay the record: the ranker reads and writes them, so sending,
  // choices kept over redraws and the stored ballot drawn back all work as they did.
  function rankedPicks(form) {
    var ids = [];
    form.querySelectorAll("select[data-pick]").forEach(function (field) {
      if (field.value && ids.indexOf(field.value) === -1) { ids.push(field.value); }
    });
    return ids;
  }
  function titleOf(root, id) {
    var title = root.querySelector('[data-candidate-title="' + id + '"]');
    return title ? title.textContent : "";
  }
  function placeName(form, index) {
    var place = form.querySelectorAll("[data-slot] [data-place]")[index];
    return place ? place.textContent : String(index + 1);
  }
  function drawRanker(form) {
    var ranker = form.querySelector("[data-ranker]");
    if (!ranker) { return; }
    ranker.hidden = false;
    form.querySelector("[data-pick-fields]").hidden = true;
    var ids = rankedPicks(form);
    var slots = form.querySelectorAll("[data-slot]");
    slots.forEach(function (slot, index) {
      var title = slot.querySelector("[data-slot-title]");
      title.textContent = ids[index] ? titleOf(form, ids[index]) : title.getAttribute("data-empty");
      slot.classList.toggle("filled", Boolean(ids[index]));
      slot.querySelector("[data-slot-moves]").hidden = !ids[index];
      slot.querySelectorAll("[data-move]").forEach(function (button) {
        var up = button.getAttribute("data-move") === "-1";
        button.setAttribute("aria-label", t(up ? "move_up" : "move_down", { title: title.textContent }));
        button.disabled = up ? index === 0 : index >= ids.length - 1;
      });
    });
    form.querySelectorAll("[data-choose]").forEach(function (button) {
      var at = ids.indexOf(button.getAttribute("data-choose"));
      button.setAttribute("aria-pressed", at === -1 ? "false" : "true");
      button.querySelector("[data-choice-place]").textContent = at === -1 ? "" : placeName(form, at);
    });
    form.querySelector("[data-ranker-full]").hidden = ids.length < slots.length;
  }
  function drawRankers() { document.querySelectorAll("[data-ballot-form]").forEach(drawRanker); }
  function setRanked(form, ids) {
    form.querySelectorAll("select[data-pick]").forEach(function (field, index) { field.value = ids[index] || ""; });
    drawRanker(form);
  }
  // Said by the page's polite live region; emptied first, so the same words are said again.
  function say(text) {
    var region = document.querySelector("[data-announcer]");
    if (!region) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }
  function choose(form, button) {
    var ids = rankedPicks(form);
    var id = button.getAttribute("data-choose");
    var at = ids.indexOf(id);
    var title = titleOf(form, id);
    if (at !== -1) {
      ids.splice(at, 1);
      say(t("rank_cleared", { title: title }));
    } else if (ids.length < form.querySelectorAll("[data-slot]").length) {
      ids.push(id);
      say(t("rank_set", { place: placeName(form, ids.length - 1), title: title }));
    } else {
      say(form.querySelector("[data-ranker-full]").textContent);
    }
    setRanked(form, ids);
  }
  function move(form, button) {
    var ids = rankedPicks(form);
    var slots = Array.prototype.slice.call(form.querySelectorAll("[data-slot]"));
    var from = slots.indexOf(button.closest("[data-slot]"));
    var to = from + Number(button.getAttribute("data-move"));
    if (to < 0 || to >= ids.length) { return; }
    var moved = ids.splice(from, 1)[0];
    ids.splice(to, 0, moved);
    setRanked(form, ids);
    // The finger or the keyboard stays with the choice it moves (the other arrow at an end).
    var again = slots[to].querySelector('[data-move="' + button.getAttribute("data-move") + '"]');
    (again.disabled ? slots[to].querySelector("[data-move]:not(:disabled)") : again).focus();
    say(t("rank_moved", { title: titleOf(form, moved), place: placeName(form, to) }));
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-choose], [data-move]");
    var form = button && button.closest("[data-ballot-form]");
    if (!form) { return; }
    if (button.hasAttribute("data-choose")) { choose(form, button); } else { move(form, button); }
  });

  // What a choice means: a theme's answers, read from its page when the disclosure opens.
  document.addEventListener("toggle", function (event) {
    var info = event.target;
    if (!info.open || !info.hasAttribute("data-theme-answers") || info.hasAttribute("data-loaded")) { return; }
    info.setAttribute("data-loaded", "");
    fetch(info.getAttribute("data-theme-answers"), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var list = info.querySelector("[data-answers-list]");
        new DOMParser().parseFromString(html, "text/html").querySelectorAll("[data-answer-text]").forEach(function (answer) {
          var item = document.createElement("li");
          item.textContent = answer.textContent;
          list.append(item);
        });
        list.hidden = !list.children.length;
      })
      .catch(function () { info.removeAttribute("data-loaded"); });  // the link stays
  }, true);

  function drawThemes(root) {
    var section = root.querySelector(".themes-list");
    if (!section || !roomThemes) { return; }
    var list = section.querySelector("ul");
    list.replaceChildren();
    roomThemes.forEach(function (theme) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = "/w/" + encodeURIComponent(code) + "/themes/" + theme.id;
      link.textContent = (initial.lang === "es" && theme.title_es) || theme.title;
      var count = document.createElement("span");
      count.className = "muted";
      count.textContent = " (" + t(theme.count === 1 ? "answers_one" : "answers_other", { n: theme.count }) + ")";
      li.append(link, count);
      list.append(li);
    });
    section.hidden = !roomThemes.length;
  }

  function segmentOf(state) { return (state && state.segment ? state.segment.index : -1) + ":" + (state ? state.status : ""); }

  function applyState(state) {
    var changed = segmentOf(state) !== segmentOf(currentState);
    currentState = state;
    countdown.update(state);
    if (changed) {
      countdown.announce(state.segment ? t("now", { title: window.Live.segmentTitle(state.segment) }) : (state.status === "ended" ? t("session_ended") : ""));
    }
  }

  function showView(next) {
    if (!next) { return; }
    view = next;
    if (next.key !== shownKey()) { redraw(); }
  }

  // A change stored for this participant (from any tab): a queued copy need not go again.
  function ownChanged(message) {
    var answer = message.response;
    if (message.action === "created") {
      saveQueue(queue().filter(function (queued) { return queued.client_id !== answer.client_id; }));
    }
    if (remember(answer, message.action === "deleted")) { redraw(); } else { renderPending(); }
  }

  if (window.io) {
    socket = window.Live.connect("/participant", { code: code, lang: initial.lang }, {
      snapshot: function (snapshot) {
        // A new connection: replies owed on the old one will never come, so send again
        // whatever is still unconfirmed instead of waiting for those replies to time out.
        inFlight = {};
        ballotInFlight = false;
        var first = view === null;
        mine = {};
        (snapshot.responses || []).forEach(function (answer) { mine[answer.id] = answer; });
        myBallot = snapshot.ballot || null;
        roomThemes = snapshot.themes || [];
        applyState(snapshot.state);
        view = snapshot.segment || null;
        // The served page is current at first; after a reconnect anything may have changed.
        if (!first || !view || view.key !== shownKey()) { redraw(); } else { drawThemes(segmentBox); }
        changesInFlight = {};
        sendQueue();
        sendChanges();
        sendBallot();
      },
      state: applyState,
      segment: showView,
      themes: function (message) { roomThemes = message.themes; drawThemes(segmentBox); },
      own: ownChanged
    });
  }
  drawRankers();
  renderPending();
})();
