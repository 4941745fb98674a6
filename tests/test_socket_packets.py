"""Packets that cannot be read, sent the way an attacker would: raw Engine.IO and Socket.IO
frames on a real server (`python -m workshop.serve`), over WebSocket and long-polling.

Every such packet is answered with an error acknowledgement (when it carries an ack id on a
namespace the client joined) or the connection is closed; nothing leaves a traceback, each
connection is logged at most once, and the error acknowledgements count against the
connection's event limit like events do (docs/protocol.md §3.5, docs/SECURITY.md)."""

from __future__ import annotations

import json
import re

import pytest
import requests
import websocket
from browser_support import live_session

EVENTS_PER_10S = 12
DEEP = "[" * 1000 + "]" * 1000  # 2 kB: far under the size limit

# Packets no client of ours ever sends, with no ack id to answer: the connection closes.
UNANSWERABLE = {
    "an empty Socket.IO packet": "4",
    "an event with no payload": "42/participant,",
    "an event that is an empty list": "42/participant,[]",
    "an event that is an object": "42/participant,{}",
    "an unterminated array": '42/participant,["respond",{"text":"x"}',
    "an unknown packet type": "47/participant,",
    "a connect-error from the client": '44/participant,{"message":"x"}',
    "a binary event header without attachments": (
        '451-/participant,["respond",{"_placeholder":true,"num":0}]'
    ),
    "JSON nested 1,000 deep": '42/participant,["respond",' + DEEP + "]",
    "an unknown Engine.IO packet type": "9",
    "an Engine.IO packet that is not one": "x",
    "an empty frame": "",
    "a broken base64 frame": "b%%%",
}
# The same with an ack id on the joined namespace: an error acknowledgement, and the
# connection stays usable.
ANSWERABLE = {
    "an event that is an empty list": "42/participant,7[]",
    "an event that is an object": "42/participant,7{}",
    "an unterminated array": '42/participant,7["respond",{"text":"x"}',
    "JSON nested 1,000 deep": '42/participant,7["respond",' + DEEP + "]",
    "JSON nested 1,000 deep in an object": '42/participant,7["respond",{"a":' + DEEP + "}]",
    "a binary event header": '451-/participant,7["respond",{"_placeholder":true,"num":0}]',
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live, code = live_session(
        tmp_path_factory.mktemp("packets"),
        env={
            "WORKSHOP_SOCKET_EVENTS_PER_10S": str(EVENTS_PER_10S),
            # Each connection's line is asserted here; test_log_lines_... checks the cap.
            "WORKSHOP_SOCKET_UNREADABLE_LOGS_PER_MINUTE": "100000",
        },
    )
    live.code = code
    yield live
    live.stop()
    assert "Traceback" not in live.log.read_text()


@pytest.fixture(autouse=True)
def close_sockets():
    yield
    while RawSocket.opened:
        RawSocket.opened.pop().close()


def joined_cookies(server) -> str:
    """A phone that joined the session: its cookies, as its socket's handshake carries them."""
    http = requests.Session()
    page = http.get(f"{server.url}/w/{server.code}").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    role = re.search(r'name="role"[^>]*value="([^"]+)"', page).group(1)
    reply = http.post(f"{server.url}/w/{server.code}/join", {"csrf_token": token, "role": role})
    assert reply.status_code == 200 and "respond-form" in reply.text
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


class RawSocket:
    """Engine.IO over WebSocket by hand: frames exactly as written."""

    opened: list[RawSocket] = []

    def __init__(self, server, cookies: str = ""):
        url = server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        # The handshake's query is every namespace's: /participant reads the join code in it.
        url += f"&code={server.code}"
        self.ws = websocket.create_connection(url, timeout=5, cookie=cookies or None)
        RawSocket.opened.append(self)
        assert self.ws.recv().startswith("0")  # OPEN

    def join(self) -> RawSocket:
        self.ws.send("40/participant,")
        frames = sorted([self.next(), self.next()])  # the snapshot may come first
        assert frames[0].startswith("40/participant,{"), frames  # connected
        assert frames[1].startswith('42/participant,["snapshot"'), frames
        return self

    def send(self, frame: str | bytes) -> None:
        if isinstance(frame, bytes):
            self.ws.send_binary(frame)
        else:
            self.ws.send(frame)

    def send_at_once(self, frames: list[str]) -> None:
        """Text frames written in one go, as a client in a hurry's kernel hands them over."""
        blob = b"".join(
            websocket.ABNF.create_frame(f, websocket.ABNF.OPCODE_TEXT).format() for f in frames
        )
        self.ws.sock.sendall(blob)

    def next(self, timeout: float = 5) -> str | None:
        """The next frame from the server other than a ping; None once the connection closed."""
        self.ws.settimeout(timeout)
        while True:
            try:
                frame = self.ws.recv()
            except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
                return None
            if frame == "2":
                self.ws.send("3")
                continue
            return None if frame in ("1", "", b"") else frame

    def closed(self) -> bool:
        """Whether the server closes the connection (after, at most, frames it had queued)."""
        for _ in range(5):
            frame = self.next()
            if frame is None:
                return True
            if not frame.startswith("42/participant,"):  # a broadcast may come first
                raise AssertionError(f"expected the connection to close, got {frame!r}")
        return False

    def ack(self, ack_id: int) -> dict:
        frame = self.next()
        while frame is not None and frame.startswith("42/participant,"):
            frame = self.next()
        assert frame is not None, "the connection closed instead of answering"
        prefix = f"43/participant,{ack_id}"
        assert frame.startswith(prefix), frame
        (payload,) = json.loads(frame[len(prefix) :])
        return payload

    def close(self) -> None:
        self.ws.close()


def log_since(server, size: int) -> str:
    return server.log.read_bytes()[size:].decode()


@pytest.mark.parametrize("frame", UNANSWERABLE.values(), ids=UNANSWERABLE.keys())
def test_an_unreadable_packet_without_an_ack_id_closes_the_connection(server, frame):
    size = server.log.stat().st_size
    raw = RawSocket(server, joined_cookies(server)).join()
    raw.send(frame)
    assert raw.closed()
    raw.close()
    logged = log_since(server, size)
    assert "Traceback" not in logged
    assert len(logged.splitlines()) <= 1, logged


@pytest.mark.parametrize("frame", [*UNANSWERABLE.values(), b"\x00\x01"])
def test_a_connection_that_joined_nothing_is_closed_too(server, frame):
    raw = RawSocket(server)  # no cookie at all
    size = server.log.stat().st_size
    raw.send(frame)
    assert raw.closed()
    raw.close()
    assert "Traceback" not in log_since(server, size)


@pytest.mark.parametrize("frame", ANSWERABLE.values(), ids=ANSWERABLE.keys())
def test_an_unreadable_event_with_an_ack_id_gets_an_error_ack_and_the_connection_lives(
    server, frame
):
    size = server.log.stat().st_size
    raw = RawSocket(server, joined_cookies(server)).join()
    raw.send(frame)
    ack = raw.ack(7)
    assert ack["ok"] is False and ack["code"] == "malformed"
    assert ack["error"] == "the message could not be read"
    raw.send('42/participant,8["sync",{}]')
    assert raw.ack(8)["ok"] is True
    raw.send(frame)  # a second one on the same connection is not logged again
    assert raw.ack(7)["code"] == "malformed"
    raw.close()
    logged = log_since(server, size)
    assert "Traceback" not in logged
    assert len(logged.splitlines()) == 1, logged


def test_the_error_ack_is_in_the_language_of_the_page_that_opened_the_socket(server):
    raw = RawSocket(server, joined_cookies(server) + "; lang=es").join()
    raw.send("42/participant,7[]")
    assert raw.ack(7)["error"] == "no se pudo leer el mensaje"
    raw.close()


def test_unreadable_packets_count_against_the_connections_event_limit(server):
    raw = RawSocket(server, joined_cookies(server)).join()
    codes = []
    for n in range(EVENTS_PER_10S + 3):
        raw.send(f"42/participant,{n}[]")
        codes.append(raw.ack(n)["code"])
    assert codes == ["malformed"] * EVENTS_PER_10S + ["rate_limited"] * 3
    raw.send('42/participant,99["sync",{}]')  # and events share the same limit
    assert raw.ack(99)["code"] == "rate_limited"
    raw.close()


def test_a_flood_of_one_byte_packets_is_cut_short_and_barely_logged(server):
    size = server.log.stat().st_size
    for _ in range(20):
        raw = RawSocket(server)
        for _ in range(50):
            try:
                raw.send("4")
            except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
                break
        assert raw.closed()
        raw.close()
    logged = log_since(server, size)
    assert "Traceback" not in logged
    assert len(logged.splitlines()) <= 20  # at most one short line per connection


def polling_session(server) -> str:
    opened = requests.get(f"{server.url}/socket.io/?EIO=4&transport=polling")
    return json.loads(opened.text[1:])["sid"]


@pytest.mark.parametrize("body", ["x", "4", "9", "42/participant,{}", "4" + DEEP, "b%%%"])
def test_over_long_polling_an_unreadable_packet_ends_the_session(server, body):
    size = server.log.stat().st_size
    sid = polling_session(server)
    url = f"{server.url}/socket.io/?EIO=4&transport=polling&sid={sid}"
    for _ in range(5):  # a loop of bad posts: the first ends the session
        requests.post(url, data=body)
    assert requests.get(url).status_code == 400  # the session is gone
    logged = log_since(server, size)
    assert "Traceback" not in logged
    # python-engineio notes the first request on an unknown session once per process.
    lines = [line for line in logged.splitlines() if not line.startswith("Invalid session")]
    assert len(lines) <= 1, logged


def test_log_lines_about_unreadable_packets_are_capped_per_process(tmp_path, caplog):
    """However many connections send them: one line each, then nothing for the minute."""
    from conftest import make_app

    from workshop.extensions import socketio

    app = make_app(tmp_path, SOCKET_UNREADABLE_LOGS_PER_MINUTE=3)
    for _ in range(5):
        client = socketio.test_client(app)
        for _ in range(3):  # as python-engineio hands a message's Socket.IO packet over
            socketio.server._handle_eio_message(client.eio_sid, "x")
    lines = [r for r in caplog.records if "could not be read" in r.getMessage()]
    assert len(lines) == 3
    assert all(r.exc_info is None for r in caplog.records)


FLOOD = 600


def test_a_phone_flooding_events_waits_behind_the_others(server):
    """A connection that sends hundreds of events at once does not hold up another's: the
    other's answer is handled while the flood is still being refused, so its `own` message
    reaches the flooder's connection (the same participant's, as a second tab's would) before
    most of the flood's replies. Before, every flooding event was queued ahead of it and `own`
    came after all of them."""
    cookies = joined_cookies(server)
    flooder, other = RawSocket(server, cookies).join(), RawSocket(server, cookies).join()
    flooder.send('42/participant,0["sync",{}]')
    assert flooder.ack(0)["ok"] is True
    flooder.send_at_once([f'42/participant,{n}["sync",{{}}]' for n in range(1, FLOOD + 1)])
    assert flooder.ack(1)["ok"] is True  # the server is reading the flood
    answer = {"client_id": "c" * 32, "prompt_id": "worked_well", "text": "Shared rides"}
    other.send("42/participant,1" + json.dumps(["respond", answer]))
    assert other.ack(1)["ok"] is True
    replies_before_own = 1
    while (frame := flooder.next()) is not None:
        if frame.startswith('42/participant,["own"'):
            break
        replies_before_own += frame.startswith("43/participant,")
    assert frame is not None, "the flooder's connection closed"
    assert replies_before_own < FLOOD // 2, replies_before_own
    codes = [flooder.ack(n).get("code") for n in range(replies_before_own + 1, FLOOD + 1)]
    assert codes[-1] == "rate_limited" and set(codes) <= {None, "rate_limited"}
