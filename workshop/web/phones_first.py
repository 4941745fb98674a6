"""Phones first: work that no phone is waiting on runs after the phones' waiting events.

One server process serves every room from one thread (gevent), in the order work became
ready. `gevent.sleep(0)` lets only greenlets that are already runnable go first, and the loop
may run the sleeper again before it reads the connections (gevent's own docs): a ballot that
arrived during a facilitator's click or a projector's recount waited behind it. Waiting for
the loop to be idle puts such work behind every connection with data to read, every greenlet
ready to run and every timer due, so a phone's event is handled first. The wait is bounded
(`PATIENCE`): on a server that is never idle, the facilitator and the projector still get on,
a little later.
"""

from __future__ import annotations

from workshop.extensions import socketio

PATIENCE = 0.02  # seconds: the longest a step waits for the phones' events to be served


def after_phones(patience: float = PATIENCE) -> None:
    """Return once the event loop has nothing else waiting, or after `patience` seconds."""
    if socketio.async_mode != "gevent":  # threads: the OS schedules, there is no queue to jump
        socketio.sleep(0)
        return
    import gevent

    with gevent.Timeout(patience, False):
        gevent.idle()
