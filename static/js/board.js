/* The themes board, enhanced: changes post in the background and the board refreshes in
   place; co-facilitators' changes arrive live; a new answer is added to the unsorted pile as
   it arrives. Answers move three ways, each the board form's own `move` operation: dragged
   onto a theme (a mouse drags the whole card, a finger or pen its handle), ticked and then
   "Move here" on a theme (a tap), or ticked and a number key (the keyboard). Without
   JavaScript the same forms post and redirect. */
(function () {
  "use strict";
  var initial = window.Live.readInitial();
  var boardBox = document.getElementById("board");
  var status = document.querySelector("[data-board-status]");
  var refreshTimer = null, sayTimer = null;
  var t = window.Live.t;

  function say(text, keep) {
    if (!status) { return; }
    status.textContent = text;
    window.clearTimeout(sayTimer);
    if (!keep) { sayTimer = window.setTimeout(function () { status.textContent = ""; }, 4000); }
  }

  function checkedIds() {
    return Array.prototype.map.call(boardBox.querySelectorAll("input[type=checkbox]:checked"), function (box) {
      return box.name + "=" + box.value;
    });
  }

  function selectedAnswers() {
    return Array.prototype.map.call(boardBox.querySelectorAll("input[name=response_ids]:checked"), function (box) {
      return box.value;
    });
  }

  // How many answers are ticked, in the toolbar, with a way to untick them all.
  function showSelection() {
    var count = selectedAnswers().length;
    var box = boardBox.querySelector("[data-selection]");
    if (!box) { return; }
    box.hidden = count === 0;
    box.querySelector("[data-selected-count]").textContent = t("selected", { n: count });
  }

  // Changes arrive in bursts: one refresh waits for 150 ms without a change. A busy room may
  // never pause that long, so a refresh also comes at the latest MAX_WAIT after the first
  // change it carries, or ten times as long as the last fetch took: each one renders the whole
  // board on the server, which meanwhile answers no phone. (New answers need no refresh: see
  // onResponse.)
  var MAX_WAIT = 2000;
  var firstPending = 0, lastFetchTook = 0, fetching = false, again = false;
  var arrivedMeanwhile = [];  // answers added while a fetch was out: its board may lack them

  function refresh() {
    var now = Date.now();
    if (!firstPending) { firstPending = now; }
    window.clearTimeout(refreshTimer);
    var due = Math.min(now + 150, firstPending + Math.max(MAX_WAIT, 10 * lastFetchTook));
    refreshTimer = window.setTimeout(fetchBoard, Math.max(0, due - now));
  }

  function fetchBoard() {
    if (fetching) { again = true; return; }
    firstPending = 0;
    fetching = true;
    arrivedMeanwhile = [];
    var began = Date.now(), keep = [], open = [], pileScroll = 0;
    // What the person ticked, opened and scrolled is read as the new board goes in, not when
    // the fetch left: a box ticked while the board was on its way stays ticked.
    function readChoices() {
      keep = checkedIds();
      open = Array.prototype.map.call(boardBox.querySelectorAll("details[open]"), function (d) {
        var card = d.closest("[data-theme-id]");
        return card ? card.getAttribute("data-theme-id") : "";
      });
      pileScroll = scrollOf("[data-unsorted]");
    }
    window.Live.swapFragment(boardBox.getAttribute("data-fragment"), boardBox, readChoices).then(function () {
      keep.forEach(function (pair) {
        var parts = pair.split("=");
        var box = boardBox.querySelector('input[name="' + parts[0] + '"][value="' + parts[1] + '"]');
        if (box) { box.checked = true; }
      });
      open.forEach(function (id) {
        var details = boardBox.querySelector('[data-theme-id="' + id + '"] details');
        if (details) { details.open = true; }
      });
      arrivedMeanwhile.forEach(addCard);
      var pile = boardBox.querySelector("[data-unsorted]");
      if (pile) { pile.scrollTop = pileScroll; }
      showSelection();
      layoutThemes();
      askForHints();
    }).catch(function () {
      // offline for a moment: the next change (or the reconnect's) refreshes again
    }).finally(function () {
      lastFetchTook = Date.now() - began;
      fetching = false;
      if (again) { again = false; refresh(); }
    });
  }

  function scrollOf(selector) {
    var el = boardBox.querySelector(selector);
    return el ? el.scrollTop : 0;
  }

  // The plan-link hints need the suggestion encoders, which load once the board is open: a
  // board drawn before they were ready says so (data-hints-pending) and is drawn again a
  // little later, sooner at first, until the hints are there.
  var hintTries = 0, hintTimer = null;
  function askForHints() {
    window.clearTimeout(hintTimer);
    if (!boardBox.querySelector("[data-hints-pending]")) { hintTries = 0; return; }
    if (hintTries >= 30) { return; }
    var wait = Math.min(2000 * Math.pow(2, hintTries), 15000);
    hintTries += 1;
    hintTimer = window.setTimeout(refresh, wait);
  }

  function post(body, done) {
    var form = boardBox.querySelector("[data-board-form]");
    body.append("csrf_token", form.querySelector("[name=csrf_token]").value);
    var sent = body.getAll("response_ids").map(function (id) { return "response_ids=" + id; })
      .concat(body.getAll("theme_ids").map(function (id) { return "theme_ids=" + id; }));
    var op = String(body.get("op") || "");
    var newTitle = /^(create|split)/.test(op) ? body.get("new_title") : null;
    say(t("saving"), true);
    return fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) { return response.json(); }).then(function (reply) {
      say(reply.ok ? (done || t("saved")) : reply.error);
      if (reply.ok) {  // done with what was selected: as after the plain form post, start afresh
        untick(sent);  // (only what this post carried: boxes ticked since are the next move)
        clearNewTitle(newTitle);
        showSelection();
      }
      refresh();
    }).catch(function () { say(t("not_saved")); refresh(); });
  }

  // The title a theme was made with is used up, as the plain form's page starts empty; a
  // title typed since the post is the next theme's and stays.
  function clearNewTitle(used) {
    var field = boardBox.querySelector("#new-title");
    if (field && used && field.value === used) { field.value = ""; }
  }

  function untick(pairs) {
    pairs.forEach(function (pair) {
      var parts = pair.split("=");
      var box = boardBox.querySelector('input[name="' + parts[0] + '"][value="' + parts[1] + '"]');
      if (box) { box.checked = false; }
    });
  }

  // -- moving answers -----------------------------------------------------------------------

  function columnOf(themeId) {
    return boardBox.querySelector('[data-drop-theme="' + (themeId || "") + '"]');
  }

  function columnTitle(column) {
    var title = column && column.querySelector("[data-theme-title]");
    return title ? title.textContent : t("unsorted");
  }

  // The cards go where they were sent at once; the refresh that follows shows what the server
  // stored (a refusal puts them back).
  function moveCards(ids, themeId) {
    var column = columnOf(themeId);
    var list = column && column.querySelector(".cards-list");
    if (!list || !ids.length) { return; }
    var body = new FormData();
    body.append("op", "move");
    body.append("move_to", themeId || "");
    ids.forEach(function (id) {
      body.append("response_ids", id);
      var card = boardBox.querySelector('.answer-card[data-response-id="' + id + '"]');
      if (card && card.parentElement !== list) { list.appendChild(card); }
    });
    recount();
    layoutThemes();
    var words = t(ids.length === 1 ? "moved_one" : "moved_other", { n: ids.length, title: columnTitle(column) });
    post(body, words);
  }

  function recount() {
    boardBox.querySelectorAll("[data-drop-theme]").forEach(function (column) {
      var count = column.querySelector("[data-theme-count], [data-unsorted-count]");
      if (count) { count.textContent = "(" + column.querySelectorAll(".cards-list > .answer-card").length + ")"; }
    });
  }

  // A theme's "Move here" (and the pile's): the ticked answers, moved at once.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.move-here");
    if (button && boardBox.contains(button)) {
      event.preventDefault();
      var ids = selectedAnswers();
      if (!ids.length) { say(t("tick_first")); return; }
      moveCards(ids, button.value.split(":")[1]);
      return;
    }
    if (event.target.closest("[data-clear-selection]")) {
      untick(checkedIds().filter(function (pair) { return pair.indexOf("response_ids=") === 0; }));
      showSelection();
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.name === "response_ids") { showSelection(); }
  });

  // On an answer's box: 1-9 sends the ticked answers (or this one) to that numbered theme, 0
  // back to the pile. Focus goes on to the next answer, so sorting is a run of keystrokes.
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (box.name !== "response_ids" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (!/^[0-9]$/.test(event.key)) { return; }
    var themeId = "";
    if (event.key !== "0") {
      var column = boardBox.querySelector('[data-key="' + event.key + '"]');
      if (!column) { say(t("no_theme_number", { n: event.key })); return; }
      themeId = column.getAttribute("data-theme-id");
    }
    event.preventDefault();
    var ids = selectedAnswers();
    if (ids.indexOf(box.value) === -1) { ids = [box.value]; }
    var next = nextCard(box.closest(".answer-card"), ids);
    moveCards(ids, themeId);
    if (next) { next.querySelector("input").focus(); }
  });

  function nextCard(card, leaving) {
    var cards = Array.prototype.slice.call(card.parentElement.children);
    var after = cards.slice(cards.indexOf(card) + 1).concat(cards.slice(0, cards.indexOf(card)).reverse());
    return after.filter(function (c) { return leaving.indexOf(c.getAttribute("data-response-id")) === -1; })[0];
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-board-form]")) { return; }
    event.preventDefault();
    var body = new FormData(form, event.submitter);
    if (event.submitter && event.submitter.name && !body.has(event.submitter.name)) {
      body.append(event.submitter.name, event.submitter.value);  // browsers without FormData(form, submitter)
    }
    body.delete("csrf_token");
    post(body);
  });

  // Drag and drop with pointer events: a mouse drags the whole card once it has moved a few
  // pixels (a click still ticks it); a finger or a pen drags the handle (the card scrolls).
  var drag = null, scrollTimer = null;
  function dropTargetAt(x, y) {
    var under = document.elementFromPoint(x, y);
    return under ? under.closest("[data-drop-theme]") : null;
  }
  function clearTargets() {
    document.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
  }
  document.addEventListener("pointerdown", function (event) {
    var card = event.target.closest(".answer-card");
    if (!card || !boardBox.contains(card) || event.button !== 0) { return; }
    var onHandle = event.target.closest(".drag-handle");
    if (!onHandle && event.pointerType !== "mouse") { return; }
    if (onHandle) { event.preventDefault(); }
    drag = { card: card, ghost: null, pointer: event.pointerId, x: event.clientX, y: event.clientY };
    if (onHandle) { startDrag(event); }
  });
  function startDrag(event) {
    var ghost = document.createElement("div");
    ghost.className = "drag-ghost";
    var ids = draggedIds(drag.card);
    ghost.textContent = ids.length > 1 ? t("answers_other", { n: ids.length }) : drag.card.querySelector("[data-text]").textContent;
    document.body.append(ghost);
    drag.card.classList.add("dragging");
    drag.ghost = ghost;
    drag.ids = ids;
    scrollTimer = window.setInterval(scrollNearEdges, 30);
    moveGhost(event);
  }
  function draggedIds(card) {
    var id = card.getAttribute("data-response-id");
    var cardBox = card.querySelector("input[name=response_ids]");
    // dragging one of several ticked answers moves them all
    return cardBox && cardBox.checked ? selectedAnswers() : [id];
  }
  function scrollNearEdges() {
    if (!drag || !drag.ghost) { return; }
    var edge = 60, y = drag.lastY;
    if (y < edge) { window.scrollBy(0, -18); } else if (y > window.innerHeight - edge) { window.scrollBy(0, 18); }
  }
  function moveGhost(event) {
    if (!drag || event.pointerId !== drag.pointer) { return; }
    if (!drag.ghost) {
      if (Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) < 6) { return; }
      startDrag(event);
    }
    event.preventDefault();
    drag.lastY = event.clientY;
    drag.ghost.style.left = (event.clientX + 8) + "px";
    drag.ghost.style.top = (event.clientY + 8) + "px";
    clearTargets();
    var target = dropTargetAt(event.clientX, event.clientY);
    if (target) { target.classList.add("drop-target"); }
  }
  document.addEventListener("pointermove", moveGhost);
  function endDrag(event, cancelled) {
    if (!drag || event.pointerId !== drag.pointer) { return; }
    var started = drag.ghost !== null;
    var target = started && !cancelled ? dropTargetAt(event.clientX, event.clientY) : null;
    if (started) {
      drag.ghost.remove();
      drag.card.classList.remove("dragging");
      suppressClick();
    }
    window.clearInterval(scrollTimer);
    clearTargets();
    var ids = drag.ids;
    drag = null;
    if (target) { moveCards(ids, target.getAttribute("data-drop-theme")); }
  }
  // The click that ends a drag is no tick of the box under the pointer.
  function suppressClick() {
    function swallow(e) { e.preventDefault(); e.stopPropagation(); }
    document.addEventListener("click", swallow, { capture: true, once: true });
    window.setTimeout(function () { document.removeEventListener("click", swallow, { capture: true }); }, 0);
  }
  document.addEventListener("pointerup", function (event) { endDrag(event, false); });
  document.addEventListener("pointercancel", function (event) { endDrag(event, true); });

  // A new answer is one more card in the unsorted pile: added here from the message itself,
  // not by fetching the whole board again, which in a room of a thousand phones would be
  // rendered on the server several times a second. Changes to answers already on the board
  // (edited, hidden, deleted) and to themes still refresh it.
  var filters = initial.filters || {};

  function shownHere(item) {
    if (item.hidden || item.theme_id !== null) { return false; }
    if (filters.prompt && item.prompt_id !== filters.prompt) { return false; }
    return !filters.q || item.text.toLowerCase().indexOf(filters.q.toLowerCase()) !== -1;
  }

  function addCard(item) {
    var pile = boardBox.querySelector("[data-unsorted]");
    var template = boardBox.querySelector("#card-template");
    if (!pile || !template || pile.querySelector('[data-response-id="' + item.id + '"]')) { return; }
    var card = template.content.firstElementChild.cloneNode(true);
    var tag = (initial.prompt_tags || {})[item.prompt_id] || item.prompt_id;
    card.setAttribute("data-response-id", item.id);
    card.setAttribute("data-q", tag);
    card.querySelector("input[type=checkbox]").value = item.id;
    card.querySelector("[data-text]").textContent = item.text;
    var where = card.querySelector("[data-where]");
    where.textContent = tag;
    where.title = (initial.prompts || {})[item.prompt_id] || "";
    if (item.strategy_id) {
      var strategy = document.createElement("span");
      strategy.className = "q-tag";
      strategy.textContent = (initial.strategies || {})[item.strategy_id] || item.strategy_id;
      where.after(strategy);
    }
    pile.appendChild(card);
    var count = boardBox.querySelector("[data-unsorted-count]");
    if (count) { count.textContent = "(" + pile.children.length + ")"; }
  }

  function onResponse(message) {
    var item = message.response;
    if (message.action !== "created") { refresh(); return; }
    if (!shownHere(item)) { return; }
    addCard(item);
    if (fetching) { arrivedMeanwhile.push(item); }
  }

  function layoutThemes() { window.ThemeColumns.layout(boardBox.querySelector(".themes-column")); }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(layoutThemes, 150);
  });
  document.addEventListener("toggle", function (event) {
    if (event.target.closest && event.target.closest(".theme-card")) { layoutThemes(); }
  }, true);

  showSelection();
  layoutThemes();
  askForHints();
  if (window.io) {
    window.Live.connect("/facilitator", { workshop: initial.workshop_id }, {
      board: refresh,
      response: onResponse
    });
  }
})();
