"""Serve the app: `python -m workshop.serve` (what `make run` does).

Flask-SocketIO runs on gevent here: one process holds many idle phone connections cheaply.
gevent must patch the standard library before anything else imports it, so this module
patches first and builds the app after.
"""

from gevent import monkey

monkey.patch_all()

import gc  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from sqlalchemy.exc import SQLAlchemyError  # noqa: E402


def main() -> None:
    from workshop import accounts, create_app, network
    from workshop.extensions import db

    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    # The suggestion worker is a second thread holding the GIL for stretches of Python and
    # numpy work; with the default 5 ms switch interval every answer the event loop handles
    # can wait several such slices for the GIL. 1 ms keeps the room's replies prompt.
    sys.setswitchinterval(0.001)
    app = create_app({"ASYNC_MODE": "gevent", "SERVE_HOST": host})
    quiet_garbage_collector()
    with app.app_context():
        try:
            facilitators = accounts.count_facilitators(db.session)
        except SQLAlchemyError:
            raise SystemExit(
                "The database is not set up: run `.venv/bin/workshop init-db` first."
            ) from None
    print(f"workshop is serving on http://{host}:{port}/  (Ctrl+C stops it)", flush=True)
    addresses = network.lan_addresses()
    for line in network.startup_lines(host, port, app.config["PUBLIC_URL"], addresses):
        print(line, flush=True)
    if facilitators == 0:
        print(
            "No facilitator account yet. In another terminal, create one with:\n"
            "  .venv/bin/workshop create-facilitator you@example.org",
            flush=True,
        )
    server = wsgi_server(app, host, port, log_output=os.environ.get("WORKSHOP_ACCESS_LOG") == "1")
    server.serve_forever()


def quiet_garbage_collector() -> None:
    """Keep Python's cycle collector from pausing the room. With a thousand phones connected
    the heap holds millions of objects, and each full collection stopped the event loop for
    ~170 ms, fifteen times in a two-minute load test (answer and ballot acknowledgements
    then took up to 220 ms). What the app built at start-up is frozen out of every scan,
    and full collections wait for many more young ones: ballot acknowledgement p99 fell from
    142 to 21 ms, the longest pause from 176 to 34 ms (python -m bench load --sizes 1000
    --modes app-nosuggest). Young objects are still scanned every 2,000 allocations."""
    gc.freeze()
    gc.set_threshold(2000, 50, 1000)


# Connections the kernel completes and holds while the server has not accepted them yet.
# gevent's default, 128, is less than a room: when a server that fell behind comes back,
# the whole room is reconnecting, and beyond 128 the kernel dropped the phones' connection
# attempts, which their TCP stacks retried 1, 3, 7, 15 s later (python -m bench stall: 300
# phones back 22 s after the pause, instead of within 10 s). Linux caps it at
# net.core.somaxconn (4096 by default).
LISTEN_BACKLOG = 4096


def wsgi_server(app, host: str, port: int, log_output: bool):
    """What `socketio.run` builds under gevent (pywsgi with gevent-websocket), with Nagle's
    algorithm off on every connection: an answer's acknowledgement often follows another small
    message to the same phone, and with Nagle on, that second write waited for the phone's
    delayed TCP ACK, about 40 ms, for one reply in ten."""
    import socket

    from gevent import pywsgi
    from geventwebsocket.handler import WebSocketHandler

    class Handler(WebSocketHandler):
        def __init__(self, sock, *args, **kwargs):
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().__init__(sock, *args, **kwargs)

    return pywsgi.WSGIServer(
        (host, port),
        app,
        handler_class=Handler,
        backlog=LISTEN_BACKLOG,
        log="default" if log_output else None,
    )


if __name__ == "__main__":
    main()
