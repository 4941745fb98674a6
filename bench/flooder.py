"""One phone that floods the server with events, in a process of its own (so its sending does
not hold up the load generator's loop, whose phones measure the room): it joins like any
phone, then sends `count` answers over its socket as fast as it can, each waiting for its
acknowledgement up to a minute, and reports what came back. Used by `bench/flood_bench.py`."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from multiprocessing.connection import Connection

from workshop.live.phone_page import SimulatedPhone, Timings

REPLY_WAIT = 60.0


def run(url: str, code: str, count: int, pipe: Connection) -> None:
    """The child process: join, say "ready", wait for "go", flood, send the report."""
    asyncio.run(_run(url, code, count, pipe))


async def _run(url: str, code: str, count: int, pipe: Connection) -> None:
    phone = SimulatedPhone(url, code, random.Random(7), Timings())
    await phone.join()
    pipe.send("ready")
    await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
    try:
        pipe.send(await flood(phone, count))
    finally:
        await phone.close()


async def flood(phone: SimulatedPhone, count: int) -> dict:
    """Send `count` answers without waiting between them; returns the replies by kind ("ok",
    an error's code, "no reply", "connection lost"), when the first was sent and when the
    last reply came (wall-clock seconds), and whether the phone's connection dropped."""
    prompts = ((phone.state or {}).get("segment") or {}).get("prompt_ids") or ["worked_well"]
    replies: Counter[str] = Counter()
    finished = asyncio.Event()
    last = {"at": 0.0}

    def reply(error, ack) -> None:
        if error is not None:
            kind = "no reply" if isinstance(error, TimeoutError) else "connection lost"
        else:
            kind = "ok" if ack.get("ok") else str(ack.get("code"))
        replies[kind] += 1
        last["at"] = time.time()
        if sum(replies.values()) == count:
            finished.set()

    started = time.time()
    for index in range(count):
        item = {
            "client_id": uuid.uuid4().hex,
            "prompt_id": prompts[index % len(prompts)],
            "text": f"flood {index}",
            "strategy_id": None,
        }
        phone.socket.emit("respond", item, reply, REPLY_WAIT)
        if index % 50 == 49:
            await asyncio.sleep(0)  # let the socket write what is queued
    sent = time.time()
    await finished.wait()
    return {
        "sent": count,
        "replies": dict(replies),
        "started": started,
        "all_sent": sent,
        "last_reply": last["at"],
        "dropped": phone.socket.drops,
    }
