/* Shared by the participant, facilitator and projector pages: the clock offset, the
   countdown, the socket connection and swapping server-rendered fragments.
   User text is only ever set with textContent or arrives escaped by the server. */
(function () {
  "use strict";

  function readInitial() {
    var node = document.getElementById("initial-state");
    return node ? JSON.parse(node.textContent) : {};
  }

  // The page's words in its language, handed over in the initial state (no inline script).
  var strings = readInitial().i18n || {};

  // t("not_sent", { error: "…" }): a string by key, its {placeholders} filled in.
  function t(key, params) {
    var text = typeof strings[key] === "string" ? strings[key] : key;
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return params && Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole;
    });
  }

  // Socket state carries the agenda's own (English) titles; the page knows the reader's.
  function segmentTitle(segment) {
    var titles = strings.segments || [];
    return (segment && titles[segment.index]) || (segment ? segment.title : "");
  }

  // Server time minus this device's time, in ms. Refined by `sync` round trips.
  var clockOffset = 0;
  var bestRoundTrip = Infinity;

  function serverNow() { return Date.now() + clockOffset; }

  function syncClock(socket) {
    var sentAt = Date.now();
    socket.timeout(5000).emit("sync", {}, function (err, ack) {
      if (err || !ack || !ack.ok) { return; }
      var receivedAt = Date.now();
      var roundTrip = receivedAt - sentAt;
      if (roundTrip <= bestRoundTrip) {  // the fastest round trip gives the best estimate
        bestRoundTrip = roundTrip;
        clockOffset = ack.server_now - (sentAt + roundTrip / 2);
      }
    });
  }

  function formatSeconds(total) {
    var sign = total < 0 ? "+" : "";
    var seconds = Math.abs(Math.round(total));
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return sign + minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function remainingSeconds(state) {
    if (!state || !state.timer || state.timer.remaining === null && !state.timer.ends_at) { return null; }
    if (state.timer.running && state.timer.ends_at) {
      return (state.timer.ends_at - serverNow()) / 1000;
    }
    return state.timer.remaining;
  }

  function phaseOf(state, remaining) {
    if (remaining === null || remaining > 0) { return "on-time"; }
    return -remaining < state.timer.grace ? "over-planned" : "overtime";
  }

  var PHASE_WORDS = {
    "on-time": "left",
    "over-planned": "over_planned",
    "overtime": "overtime"
  };

  // Renders the countdown once a second and announces the moments that matter, politely.
  function Countdown(options) {
    this.timerEls = document.querySelectorAll("[data-timer]");
    this.statusEls = document.querySelectorAll("[data-timer-status]");
    this.announcer = document.querySelector("[data-announcer]");
    this.onTick = options && options.onTick;
    this.state = null;
    this.lastPhase = null;
    this.warned = false;
    var self = this;
    window.setInterval(function () { self.render(); }, 1000);
  }

  Countdown.prototype.update = function (state) {
    var segmentChanged = !this.state || !state.segment || !this.state.segment ||
      this.state.segment.index !== state.segment.index || this.state.status !== state.status;
    if (segmentChanged) { this.warned = false; this.lastPhase = null; }
    this.state = state;
    this.render();
  };

  Countdown.prototype.announce = function (text) {
    if (this.announcer) { this.announcer.textContent = text; }
  };

  Countdown.prototype.render = function () {
    var state = this.state;
    if (!state) { return; }
    var remaining = state.status === "running" || state.status === "paused" ? remainingSeconds(state) : null;
    var phase = phaseOf(state, remaining);
    var text = remaining === null ? "" : formatSeconds(remaining);
    var words = "";
    if (state.status === "paused") { words = t("paused"); }
    else if (state.status === "lobby") { words = t("not_started"); }
    else if (state.status === "ended") { words = t("ended"); }
    else if (remaining !== null) { words = t(PHASE_WORDS[phase]); }
    this.timerEls.forEach(function (el) {
      el.textContent = text;
      el.setAttribute("data-state", phase);
      el.setAttribute("title", words);
    });
    this.statusEls.forEach(function (el) { el.textContent = words; });
    if (state.status === "running" && remaining !== null) {
      if (!this.warned && remaining <= 60 && remaining > 0) { this.warned = true; this.announce(t("one_minute")); }
      if (this.lastPhase && phase !== this.lastPhase) {
        this.announce(phase === "overtime" ? t("overtime_now") : t("planned_up"));
      }
      this.lastPhase = phase;
    }
  };

  function connect(namespace, query, handlers) {
    // Retry soon after a drop (a restarted server or a phone back on the wifi), never more
    // than 5 s apart; the client randomizes each delay, so a room does not reconnect at once.
    // Once a WebSocket has worked, a reconnect goes straight to it (one request) instead of
    // long-polling first and upgrading (four or five): a room reconnecting at once after the
    // server fell behind costs it a fifth as much. Where WebSockets fail it falls back.
    var socket = window.io(namespace, { query: query, reconnectionDelayMax: 5000, rememberUpgrade: true });
    var status = document.querySelector("[data-connection]");
    socket.on("connect", function () {
      syncClock(socket);
      window.setTimeout(function () { syncClock(socket); }, 2000);
      if (status) { status.hidden = true; }
    });
    socket.on("disconnect", function () {
      if (status) {
        status.hidden = false;
        status.textContent = t("reconnecting");
      }
    });
    Object.keys(handlers).forEach(function (event) { socket.on(event, handlers[event]); });
    return socket;
  }

  // Where keyboard focus is inside `container`, so it can come back after a swap: the
  // element's id; or else the nearest ancestor with an id and the element's place among its
  // kind there (a button or box also by name and value), counted from the end, since new
  // answers appear above a question's form. Without this a keyboard user lands on <body>.
  function focusPlace(container) {
    var el = document.activeElement;
    if (!el || el === document.body || !container.contains(el)) { return null; }
    if (el.id) { return { id: el.id }; }
    var anchor = el.parentElement.closest("[id]");
    if (!anchor || !container.contains(anchor)) { anchor = container; }
    var kind = el.tagName.toLowerCase();
    if (el.name) {
      kind += '[name="' + CSS.escape(el.name) + '"]';
      if (el.tagName === "BUTTON" || el.type === "checkbox" || el.type === "radio") {
        kind += '[value="' + CSS.escape(el.value) + '"]';
      }
    }
    var all = anchor.querySelectorAll(kind);
    var index = Array.prototype.indexOf.call(all, el);
    return { anchor: anchor === container ? null : anchor.id, kind: kind, fromEnd: all.length - 1 - index };
  }

  function restoreFocus(place, container) {
    if (!place) { return; }
    var again = null;
    if (place.id) {
      again = document.getElementById(place.id);
    } else {
      var anchor = (place.anchor && document.getElementById(place.anchor)) || container;
      var all = anchor.querySelectorAll(place.kind);
      again = all[Math.max(all.length - 1 - place.fromEnd, 0)] || null;
    }
    if (again && again !== document.activeElement) { again.focus(); }
  }

  // A field's draft: a text's value, a choice's selected value, a box's tick.
  function draftOf(el) { return el.type === "checkbox" ? el.checked : el.value; }
  // What the server rendered into the field, before the person touched it.
  function defaultOf(el) {
    if (el.type === "checkbox") { return el.defaultChecked; }
    if (el.tagName === "SELECT") {
      var chosen = Array.prototype.find.call(el.options, function (option) { return option.defaultSelected; });
      return chosen ? chosen.value : (el.options.length ? el.options[0].value : "");
    }
    return el.defaultValue;
  }
  function setDraft(el, draft) {
    if (el.type === "checkbox") { el.checked = draft; } else { el.value = draft; }
  }

  // Replace a container's content with a server-rendered fragment, keeping what the person
  // was typing or choosing (fields marked data-draft) and where their focus was.
  function swapFragment(url, target, prepare) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) { swapHtml(html, target, prepare); });
  }

  // The same with HTML already at hand (e.g. sent over the socket). `prepare(body)`, when
  // given, completes the parsed fragment before it goes in; what it puts in fields counts
  // as the server's value, so a person's own change still wins over it.
  function swapHtml(html, target, prepare) {
    var drafts = {};
    target.querySelectorAll("[data-draft]").forEach(function (el) {
      if (draftOf(el) !== defaultOf(el)) { drafts[el.getAttribute("data-draft")] = draftOf(el); }
    });
    var focused = focusPlace(target);
    var parsed = new DOMParser().parseFromString(html, "text/html");
    if (prepare) { prepare(parsed.body); }
    target.replaceChildren.apply(target, Array.prototype.slice.call(parsed.body.childNodes));
    target.querySelectorAll("[data-draft]").forEach(function (el) {
      var draft = drafts[el.getAttribute("data-draft")];
      // What the person changed (and only that) survives the swap: a fragment rendered a
      // moment before their own change landed must not undo it, and a field they never
      // touched takes the server's newer value.
      if (draft !== undefined && draft !== draftOf(el)) { setDraft(el, draft); }
    });
    restoreFocus(focused, target);
  }

  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);  // works on plain-HTTP venue addresses too
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  window.Live = {
    readInitial: readInitial,
    t: t,
    segmentTitle: segmentTitle,
    Countdown: Countdown,
    connect: connect,
    swapFragment: swapFragment,
    swapHtml: swapHtml,
    randomId: randomId,
    serverNow: serverNow,
    setOffsetFrom: function (state) {
      if (state && state.server_now && bestRoundTrip === Infinity) { clockOffset = state.server_now - Date.now(); }
    }
  };
})();
