"""Theme suggestions off the request path: one worker thread, runs with progress, warming.

The suggester is CPU work measured in seconds. Run in a request it would hold a worker (and,
under gevent, the whole event loop) for that long, so it runs in one native worker thread:
a facilitator's click starts a `SuggestionRun` and the page follows its progress. Once a
facilitator has opened a session's board, its answers are embedded by the same worker as they
arrive (`warm_session`, `warm`), in small batches, so the click finds most of the work done. Everything that touches the encoders goes through that one worker, so
the models load once and are never used from two threads.

Runs live in this process's memory: with several processes behind a cookie-sticky proxy
(docs/DEPLOYMENT.md) a facilitator's requests reach the process that holds their run; after a
restart the run is gone and the page says to ask again.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

RUN_TTL_SECONDS = 30 * 60
WARM_BATCH_DELAY = 1.0  # seconds: texts arriving meanwhile are embedded together


@dataclass
class SuggestionRun:
    id: str
    workshop_id: int
    fraction: float = 0.0
    message: str = ""
    suggestions: list | None = None
    error: Exception | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def done(self) -> bool:
        return self.finished is not None


class _Worker:
    """A single native thread (gevent's thread pool under gevent, else a thread executor)."""

    def __init__(self) -> None:
        self._pool: Any = None

    def submit(self, function: Callable[..., Any], *args: Any) -> Any:
        if self._pool is None:
            self._pool = _make_pool()
        if hasattr(self._pool, "spawn"):
            return self._pool.spawn(function, *args)
        return self._pool.submit(function, *args)

    def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run `function` on the worker and wait for it (the caller's greenlet only waits)."""
        pending = self.submit(function, *args)
        return pending.get() if hasattr(pending, "get") else pending.result()


def _make_pool() -> Any:
    from gevent import monkey

    if monkey.is_module_patched("threading"):
        from gevent.threadpool import ThreadPool

        return ThreadPool(1)
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="suggest")


_worker = _Worker()
_runs: dict[str, SuggestionRun] = {}
_warm_queue: deque[str] = deque(maxlen=20_000)
_warm_scheduled = False
_warm_sessions: set[int] = set()


def start(
    workshop_id: int, compute: Callable[[Callable[[float, str], None]], list]
) -> SuggestionRun:
    """Start `compute(progress)` on the worker; a run of the same session still going is reused
    (a double click does not queue the work twice)."""
    _forget_old_runs()
    for run in _runs.values():
        if run.workshop_id == workshop_id and not run.done:
            return run
    run = SuggestionRun(id=secrets.token_urlsafe(12), workshop_id=workshop_id)
    _runs[run.id] = run
    _worker.submit(_execute, run, compute)
    return run


def find(run_id: str, workshop_id: int) -> SuggestionRun | None:
    run = _runs.get(run_id)
    return run if run is not None and run.workshop_id == workshop_id else None


def _execute(run: SuggestionRun, compute: Callable) -> None:
    def progress(fraction: float, message: str) -> None:
        run.fraction, run.message = max(run.fraction, min(1.0, fraction)), message

    try:
        run.suggestions = compute(progress)
    except Exception as error:  # handed to the page that follows the run
        run.error = error
    run.fraction = 1.0
    run.finished = time.monotonic()


def _forget_old_runs() -> None:
    now = time.monotonic()
    for run_id, run in list(_runs.items()):
        if now - run.started > RUN_TTL_SECONDS:
            del _runs[run_id]


def encoders_ready() -> bool:
    """Whether the encoders are loaded in this process (without loading them)."""
    from .suggest import embedding

    return embedding.loaded()


_links_cache: dict[tuple, list] = {}


def strategy_links(themes: list[tuple[int, str, tuple[str, ...]]], frameworks) -> dict[int, list]:
    """On the worker: each (theme id, title, answer texts)'s closest strategies."""
    from . import suggest

    hints = [hint for f in frameworks for hint in suggest.strategy_hints(f)]
    found = {}
    for theme_id, title, texts in themes:
        key = (tuple(h.id for h in hints), title, texts)
        if key not in _links_cache:
            if len(_links_cache) > 2000:
                _links_cache.clear()
            _links_cache[key] = suggest.suggest_strategy_links(title, texts, hints)
        found[theme_id] = _links_cache[key]
    return found


def call(function: Callable[..., Any], *args: Any) -> Any:
    """Run something that uses the encoders (availability, strategy links) on the worker."""
    return _worker.call(function, *args)


def warm_session(workshop_id: int, texts: list[str]) -> None:
    """A facilitator opened this session's board: embed its answers, and from now on each
    new one as it arrives. (Not from the first answer of every session: the encoders cost
    about 300 MB and some CPU, which a room that never asks for suggestions should not pay.)"""
    first_time = workshop_id not in _warm_sessions
    _warm_sessions.add(workshop_id)
    if first_time:
        _worker.submit(_load_encoders)
        warm(texts)


def _load_encoders() -> None:
    from . import suggest

    suggest.available()  # loads them once; a failure is kept and shown at the click


def warm_if_wanted(workshop_id: int, texts: list[str]) -> None:
    if workshop_id in _warm_sessions:
        warm(texts)


def warm(texts: list[str]) -> None:
    """Queue new responses to be embedded ahead of the facilitator's click. Cheap to call on
    the answer path: it only appends; the worker embeds a batch a second later."""
    global _warm_scheduled
    _warm_queue.extend(t for t in texts if t and t.strip())
    if not _warm_scheduled and _warm_queue:
        _warm_scheduled = True
        _worker.submit(_warm_batch)


def _warm_batch() -> None:
    global _warm_scheduled
    _native_sleep(WARM_BATCH_DELAY)
    _warm_scheduled = False  # later arrivals schedule the next batch
    batch = []
    while _warm_queue:
        batch.append(_warm_queue.popleft())
    if batch:
        from . import suggest

        try:
            suggest.warm(batch)
        except Exception:  # warming is an optimisation: the click embeds whatever is missing
            log.exception("could not embed %d responses ahead of time", len(batch))


def _native_sleep(seconds: float) -> None:
    # On the worker thread: the real sleep, not gevent's (which belongs to the hub's thread).
    from gevent.monkey import get_original

    get_original("time", "sleep")(seconds)
