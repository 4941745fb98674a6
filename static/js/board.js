/* The themes board, enhanced: changes post in the background and the board refreshes in
   place; co-facilitators' changes arrive live; a new answer is added to the unsorted pile as
   it arrives; answers can be dragged onto a theme with a mouse, a pen or a finger. Without
   JavaScript the same forms post and redirect. */
(function () {
  "use strict";
  var initial = window.Live.readInitial();
  var boardBox = document.getElementById("board");
  var status = document.querySelector("[data-board-status]");
  var refreshTimer = null;

  function say(text) { if (status) { status.textContent = text; } }

  function checkedIds() {
    return Array.prototype.map.call(boardBox.querySelectorAll("input[type=checkbox]:checked"), function (box) {
      return box.name + "=" + box.value;
    });
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
    var began = Date.now();
    var keep = checkedIds();
    var open = Array.prototype.map.call(boardBox.querySelectorAll("details[open]"), function (d) {
      var card = d.closest("[data-theme-id]");
      return card ? card.getAttribute("data-theme-id") : "";
    });
    window.Live.swapFragment(boardBox.getAttribute("data-fragment"), boardBox).then(function () {
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
    }).catch(function () {
      // offline for a moment: the next change (or the reconnect's) refreshes again
    }).finally(function () {
      lastFetchTook = Date.now() - began;
      fetching = false;
      if (again) { again = false; refresh(); }
    });
  }

  function post(body) {
    var form = boardBox.querySelector("[data-board-form]");
    body.append("csrf_token", form.querySelector("[name=csrf_token]").value);
    say(window.Live.t("saving"));
    return fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) { return response.json(); }).then(function (reply) {
      say(reply.ok ? window.Live.t("saved") : reply.error);
      if (reply.ok) {  // done with what was selected: as after the plain form post, start afresh
        boardBox.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) { box.checked = false; });
      }
      refresh();
    }).catch(function () { say(window.Live.t("not_saved")); });
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

  // Drag and drop with pointer events: works the same for mouse, pen and touch.
  var drag = null;
  function dropTargetAt(x, y) {
    var under = document.elementFromPoint(x, y);
    return under ? under.closest("[data-drop-theme]") : null;
  }
  function clearTargets() {
    document.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
  }
  document.addEventListener("pointerdown", function (event) {
    var handle = event.target.closest(".drag-handle");
    if (!handle) { return; }
    var card = handle.closest("[data-response-id]");
    event.preventDefault();
    var ghost = document.createElement("div");
    ghost.className = "drag-ghost";
    ghost.textContent = card.querySelector("[data-text]").textContent;
    document.body.append(ghost);
    card.classList.add("dragging");
    drag = { card: card, ghost: ghost, pointer: event.pointerId };
    handle.setPointerCapture(event.pointerId);
    moveGhost(event);
  });
  function moveGhost(event) {
    if (!drag || event.pointerId !== drag.pointer) { return; }
    drag.ghost.style.left = (event.clientX + 8) + "px";
    drag.ghost.style.top = (event.clientY + 8) + "px";
    clearTargets();
    var target = dropTargetAt(event.clientX, event.clientY);
    if (target) { target.classList.add("drop-target"); }
  }
  document.addEventListener("pointermove", moveGhost);
  function endDrag(event, cancelled) {
    if (!drag || event.pointerId !== drag.pointer) { return; }
    var target = cancelled ? null : dropTargetAt(event.clientX, event.clientY);
    var card = drag.card;
    drag.ghost.remove();
    card.classList.remove("dragging");
    clearTargets();
    drag = null;
    if (!target) { return; }
    var id = card.getAttribute("data-response-id");
    var selected = boardBox.querySelectorAll("input[name=response_ids]:checked");
    var ids = [id];
    var cardBox = card.querySelector("input[name=response_ids]");
    if (cardBox && cardBox.checked) {  // dragging one of several selected answers moves them all
      ids = Array.prototype.map.call(selected, function (box) { return box.value; });
    }
    var body = new FormData();
    body.append("op", "move");
    body.append("move_to", target.getAttribute("data-drop-theme"));
    ids.forEach(function (value) { body.append("response_ids", value); });
    post(body);
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
    card.setAttribute("data-response-id", item.id);
    card.querySelector("input[type=checkbox]").value = item.id;
    card.querySelector("[data-text]").textContent = item.text;
    var where = "· " + ((initial.prompts || {})[item.prompt_id] || item.prompt_id);
    if (item.strategy_id) { where += " · " + ((initial.strategies || {})[item.strategy_id] || item.strategy_id); }
    card.querySelector("[data-where]").textContent = where;
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

  if (window.io) {
    window.Live.connect("/facilitator", { workshop: initial.workshop_id }, {
      board: refresh,
      response: onResponse
    });
  }
})();
