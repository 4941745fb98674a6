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
from workshop.themes.suggest.encoders import (
    DIM,
    FAILED,
    FOREGROUND,
    HEADER,
    READY,
    read_exactly,
    write_all,
)


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
    suggestion worker's), never the server's event loop; one request at a time.

    `foreground` is for a command a person waits for (`workshop suggest-themes`): the child
    runs at normal priority and uses every core (see `encoders.Models`), where beside a live
    room it runs at the lowest priority on one core. `wait=False` returns as soon as the child
    is started, so it loads its models while the caller reads its input; the first request
    (or `wait_ready`) then waits for them."""

    def __init__(self, foreground: bool = False, wait: bool = True) -> None:
        self._lock = threading.Lock()
        self._ready = False
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
        arguments = [sys.executable, encoders.__file__] + ([FOREGROUND] if foreground else [])
        self.pid = _unpatched("posix_spawn")(
            sys.executable,
            arguments,
            env,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, to_child_read, 0),
                (os.POSIX_SPAWN_DUP2, from_child_write, 1),
            ],
        )
        os.close(to_child_read)
        os.close(from_child_write)
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        """Wait until the child has loaded its models; EncoderStopped if it could not."""
        with self._lock:
            if self._ready:
                return
            kind, payload = self._receive()
            if kind != READY:
                self.close()
                raise EncoderStopped(payload.decode("utf-8", "replace"))
            self._ready = True

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors (len(texts) x DIM) for `texts`, computed in the child."""
        request = json.dumps(texts, ensure_ascii=False).encode("utf-8")
        self.wait_ready()
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
