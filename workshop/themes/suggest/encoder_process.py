"""The sentence encoders run in a process of their own, at a lower CPU priority.

Why a process: the encoders (and the pure-Python tokenizer of one of them) hold Python's GIL
for much of their work, and a server thread that shares it answers the room's phones late
while a few thousand answers are embedded. In a child process they cost the server nothing
but a pipe, the operating system gives the server the CPU first (the child is `nice`), and a
crash or an out-of-memory kill in native code takes the child, not the live session.

The protocol over the child's stdin and stdout is framed bytes: the server sends a 4-byte
length and a JSON list of texts; the child answers one byte of kind (READY, VECTORS or
FAILED), a 4-byte length and the payload (float32 rows of `encoders.DIM`, or a message).
The child ends when its stdin closes, so it never outlives the server, even a killed one.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading

import numpy as np

from workshop.themes.suggest import encoders
from workshop.themes.suggest.encoders import DIM, FAILED, HEADER, READY, read_exactly, write_all


def _unpatched(name: str):
    """An `os` function as the system provides it. gevent's monkey-patched posix_spawn and
    waitpid watch the child from the calling thread's hub, which only works in the main
    thread, and the encoder is started and reaped from the suggestion worker's thread."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("os"):
        return monkey.get_original("os", name)
    return getattr(os, name)


class EncoderStopped(RuntimeError):
    """The encoder process is gone or could not start; the message says why."""


class EncoderProcess:
    """The server's handle on one running encoder child. Calls block the calling thread (the
    suggestion worker's), never the server's event loop; one request at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        to_child_read, self._to_child = os.pipe()
        self._from_child, from_child_write = os.pipe()
        for fd in (self._to_child, self._from_child):
            os.set_inheritable(fd, False)
        env = {
            # Big temporary tensors straight from and back to the system: with glibc's
            # adaptive threshold they stay in the heap and the process peaks ~90 MB higher
            # over a room's answers (measured: 336 against 424 MB).
            "MALLOC_MMAP_THRESHOLD_": "131072",
            **os.environ,
        }
        self.pid = _unpatched("posix_spawn")(
            sys.executable,
            [sys.executable, encoders.__file__],
            env,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, to_child_read, 0),
                (os.POSIX_SPAWN_DUP2, from_child_write, 1),
            ],
        )
        os.close(to_child_read)
        os.close(from_child_write)
        kind, payload = self._receive()
        if kind != READY:
            self.close()
            raise EncoderStopped(payload.decode("utf-8", "replace"))

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors (len(texts) x DIM) for `texts`, computed in the child."""
        request = json.dumps(texts, ensure_ascii=False).encode("utf-8")
        with self._lock:
            try:
                write_all(self._to_child, HEADER.pack(len(request)) + request)
            except OSError:
                raise EncoderStopped(self._gone()) from None
            kind, payload = self._receive()
        if kind == FAILED:
            raise RuntimeError(payload.decode("utf-8", "replace"))
        return np.frombuffer(payload, dtype=np.float32).reshape(len(texts), DIM)

    def _receive(self) -> tuple[bytes, bytes]:
        try:
            kind = read_exactly(self._from_child, 1)
            (size,) = HEADER.unpack(read_exactly(self._from_child, HEADER.size))
            return kind, read_exactly(self._from_child, size)
        except (EOFError, OSError):
            raise EncoderStopped(self._gone()) from None

    def _gone(self) -> str:
        status = self._reap()
        return f"the sentence encoder process stopped ({status})"

    def _reap(self) -> str:
        try:
            pid, status = _unpatched("waitpid")(self.pid, 0)
        except ChildProcessError:
            return "already reaped"
        if pid and os.WIFSIGNALED(status):
            return f"killed by signal {os.WTERMSIG(status)}"
        return f"exit status {os.waitstatus_to_exitcode(status)}" if pid else "still running"

    def close(self) -> None:
        """Closing its stdin ends the child; it is reaped here."""
        for fd in (self._to_child, self._from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._reap()
