/* Shared by the participant, facilitator and projector pages: the clock offset, the
   countdown, the socket connection and swapping server-rendered fragments.
   User text is only ever set with textContent or arrives escaped by the server. */
(function () {
  "use strict";

  function readInitial() {
    var node = document.getElementById("initial-state");
    return node ? JSON.parse(node.textContent) : {};
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
    "over-planned": "over the planned time",
    "overtime": "overtime: past the time limit"
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
    if (state.status === "paused") { words = "paused"; }
    else if (state.status === "lobby") { words = "not started"; }
    else if (state.status === "ended") { words = "ended"; }
    else if (remaining !== null) { words = PHASE_WORDS[phase]; }
    this.timerEls.forEach(function (el) {
      el.textContent = text;
      el.setAttribute("data-state", phase);
      el.setAttribute("title", words);
    });
    this.statusEls.forEach(function (el) { el.textContent = words; });
    if (state.status === "running" && remaining !== null) {
      if (!this.warned && remaining <= 60 && remaining > 0) { this.warned = true; this.announce("One minute left"); }
      if (this.lastPhase && phase !== this.lastPhase) {
        this.announce(phase === "overtime" ? "Overtime: past the time limit" : "The planned time is up");
      }
      this.lastPhase = phase;
    }
  };

  function connect(namespace, query, handlers) {
    // Retry soon after a drop (a restarted server or a phone back on the wifi), never more
    // than 5 s apart; the client randomizes each delay, so a room does not reconnect at once.
    var socket = window.io(namespace, { query: query, reconnectionDelayMax: 5000 });
    var status = document.querySelector("[data-connection]");
    socket.on("connect", function () {
      syncClock(socket);
      window.setTimeout(function () { syncClock(socket); }, 2000);
      if (status) { status.hidden = true; }
    });
    socket.on("disconnect", function () {
      if (status) {
        status.hidden = false;
        status.textContent = "Connection lost: reconnecting… Anything you send is kept on this device until it is delivered.";
      }
    });
    Object.keys(handlers).forEach(function (event) { socket.on(event, handlers[event]); });
    return socket;
  }

  // Replace a container's content with a server-rendered fragment, keeping what the person
  // was typing and where their focus was.
  function swapFragment(url, target) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var drafts = {};
        target.querySelectorAll("[data-draft]").forEach(function (el) { drafts[el.getAttribute("data-draft")] = el.value; });
        var focusedId = document.activeElement && document.activeElement.id;
        var parsed = new DOMParser().parseFromString(html, "text/html");
        target.replaceChildren.apply(target, Array.prototype.slice.call(parsed.body.childNodes));
        target.querySelectorAll("[data-draft]").forEach(function (el) {
          var key = el.getAttribute("data-draft");
          if (drafts[key] !== undefined && drafts[key] !== el.defaultValue) { el.value = drafts[key]; }
        });
        if (focusedId) {
          var again = document.getElementById(focusedId);
          if (again) { again.focus(); }
        }
      });
  }

  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);  // works on plain-HTTP venue addresses too
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  window.Live = {
    readInitial: readInitial,
    Countdown: Countdown,
    connect: connect,
    swapFragment: swapFragment,
    randomId: randomId,
    serverNow: serverNow,
    setOffsetFrom: function (state) {
      if (state && state.server_now && bestRoundTrip === Infinity) { clockOffset = state.server_now - Date.now(); }
    }
  };
})();
