"""Theme suggestions off the request path: one worker thread, runs with progress, warming.

The suggester is CPU work measured in seconds. Run in a request it would hold a worker (and,
under gevent, the whole event loop) for that long, so it runs in one native worker thread:
a facilitator's click starts a `SuggestionRun` and the page follows its progress. Once a
facilitator has opened a session's board, its answers are embedded by the same worker as they
arrive (`warm_session`, `warm`), in small steps with rests between them, so the click finds
most of the work done without the room's phones waiting on a busy machine.
Everything that touches the encoders goes through that one worker, so the models load once
and are never used from two threads; nothing on the request side ever waits for the worker
except `call`, with a timeout where a page is waiting.

A run is worked on in the process that got the click, and kept where every process sees it
(`run_store`: its row in the database, written when it starts, as it progresses and when it is
done), so behind several processes the page that follows it may ask any of them. Runs started
without a database (`engine=None`) live in this process's memory only.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine

from workshop import clock
from workshop.themes import run_store
from workshop.themes.run_store import Decode, Encode, SuggestionRun

log = logging.getLogger(__name__)

RUN_TTL_SECONDS = 30 * 60
PUBLISH_EVERY = 0.5  # seconds between writes of a run's progress to its row


class _Worker:
    """The one native thread all encoder work runs on. Submitting never makes the caller
    wait: under gevent a dispatcher greenlet hands tasks one by one to gevent's one-thread
    pool (whose own spawn() would block a third caller while it is busy); otherwise a
    one-thread executor queues them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tasks: Any = None  # gevent: the queue the dispatcher reads
        self._executor: Any = None  # threads: a one-thread executor
        # One entry per task submitted and not started yet: a deque's append and popleft are
        # atomic, so the event loop and the worker thread can both change it without a lock.
        self._waiting: deque[None] = deque()

    def submit(self, function: Callable[..., Any], *args: Any) -> Any:
        """Queue `function(*args)`; returns a handle `call` can wait on."""
        self._start()
        self._waiting.append(None)
        task = functools.partial(self._run, function, *args)
        if self._executor is not None:
            return self._executor.submit(task)
        from gevent.event import AsyncResult

        result = AsyncResult()
        self._tasks.put((task, (), result))
        return result

    def _run(self, function: Callable[..., Any], *args: Any) -> Any:
        self._waiting.popleft()
        return function(*args)

    def waiting(self) -> int:
        """How many submitted tasks have not started (read from the worker while it works)."""
        return len(self._waiting)

    def call(self, function: Callable[..., Any], *args: Any, timeout: float | None = None) -> Any:
        """Run `function` on the worker and wait for it (only the caller's greenlet waits);
        TimeoutError after `timeout` seconds (the task still runs)."""
        pending = self.submit(function, *args)
        if self._executor is not None:
            return pending.result(timeout)
        import gevent

        try:
            return pending.get(timeout=timeout)
        except gevent.Timeout:
            raise TimeoutError from None

    def _start(self) -> None:
        with self._lock:
            if self._tasks is not None or self._executor is not None:
                return
            from gevent import monkey

            if not monkey.is_module_patched("threading"):
                from concurrent.futures import ThreadPoolExecutor

                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="suggest")
                return
            import gevent
            from gevent.queue import Queue
            from gevent.threadpool import ThreadPool

            pool, tasks = ThreadPool(1), Queue()

            def dispatch() -> None:
                while True:
                    function, args, result = tasks.get()
                    try:
                        result.set(pool.apply(function, args))
                    except Exception as error:
                        result.set_exception(error)

            gevent.spawn(dispatch)
            self._tasks = tasks


def _spawn(function: Callable[..., Any], *args: Any) -> None:
    """Run `function(*args)` beside the request: a greenlet under gevent, else a thread."""
    from gevent import monkey

    if monkey.is_module_patched("threading"):
        import gevent

        gevent.spawn(function, *args)
    else:
        threading.Thread(target=function, args=args, daemon=True).start()


_worker = _Worker()
_runs: dict[str, SuggestionRun] = {}
_runs_lock = threading.Lock()
_warm_queue: deque[str] = deque(maxlen=20_000)
# Embedding ahead runs in steps of WARM_STEP answers, each followed by a rest WARM_REST times
# as long, so it takes at most half a core. The encoder process already runs at idle
# priority and yields the CPU at once, but with it busy on the second core of a small
# machine, answer acknowledgements at 2,000 phones had a p95 of 18 ms against 14 ms before
# the board was opened; with the rests the encoder took 0.42 of a core instead of 0.9, and
# 16 against 15 ms (python -m bench load, BENCH_LATENCY_TRACE). The answers that arrive
# meanwhile wait for the next batch; the click embeds anything still missing at full speed.
WARM_STEP = 32
WARM_REST = 1.0
_warm_scheduled = False
_warm_sessions: set[int] = set()
_links_cache: dict[tuple, list] = {}


# -- runs -----------------------------------------------------------------------------------


def start(
    workshop_id: int | str,
    compute: Callable[[Callable[[float, str], None]], Any],
    engine: Engine | None = None,
    encode: Encode | None = None,
) -> SuggestionRun:
    """Start `compute(progress)` on the worker; a run of the same session still going, in this
    process or (with `engine`) another, is reused (a double click does not queue the work
    twice). With `engine` the run is kept in the database for every process (`encode` writes
    its result as JSON)."""
    with _runs_lock:
        _forget_old_runs()
        for run in _runs.values():
            if run.workshop_id == workshop_id and not run.done:
                return run
    if engine is not None:
        run_store.forget_before(engine, clock.now() - timedelta(seconds=RUN_TTL_SECONDS))
        elsewhere = run_store.running(engine, workshop_id)
        if elsewhere is not None:
            return elsewhere
    run = SuggestionRun(id=secrets.token_urlsafe(12), workshop_id=workshop_id)
    if engine is not None:
        run_store.save(engine, run)  # before the page that follows it can ask another process
    with _runs_lock:
        _runs[run.id] = run
    try:
        _worker.submit(_execute, run, compute)
    except BaseException:
        with _runs_lock:
            _runs.pop(run.id, None)
        raise
    if engine is not None:
        _spawn(_publish, run, engine, encode)
    return run


def find(
    run_id: str, workshop_id: int | str, engine: Engine | None = None, decode: Decode | None = None
) -> SuggestionRun | None:
    """The run, from this process's memory or (with `engine`) from its row."""
    with _runs_lock:
        run = _runs.get(run_id)
    if run is not None:
        return run if run.workshop_id == workshop_id else None
    return run_store.load(engine, run_id, workshop_id, decode) if engine is not None else None


def _execute(run: SuggestionRun, compute: Callable) -> None:
    def progress(fraction: float, message: str) -> None:
        run.fraction, run.message = max(run.fraction, min(1.0, fraction)), message

    try:
        run.suggestions = compute(progress)
    except Exception as error:  # handed to the page that follows the run
        from workshop.messages import ActionError

        if not isinstance(error, ActionError):
            log.exception("theme suggestions failed")
        run.error = error
    run.fraction = 1.0
    run.finished = time.monotonic()


def _publish(run: SuggestionRun, engine: Engine, encode: Encode | None) -> None:
    """Beside the worker (a greenlet, or a thread without gevent): write the run's progress to
    its row when it changes, at least every heartbeat, and its result once done. The worker
    thread itself never touches the database."""
    written, at = None, 0.0
    while True:
        done, now = run.done, time.monotonic()
        state = (run.fraction, run.message)
        if done or state != written or now - at >= run_store.HEARTBEAT_SECONDS:
            try:
                run_store.save(engine, run, encode)
            except Exception as error:  # tried again at the next change or heartbeat
                log.exception("could not keep suggestion run %s", run.id)
                if done:  # its result cannot be kept: the page that follows it says so
                    run.suggestions, run.error = None, error
                    with contextlib.suppress(Exception):
                        run_store.save(engine, run)
            written, at = state, now
        if done:
            return
        time.sleep(PUBLISH_EVERY)  # gevent's when patched: the event loop runs meanwhile


def _forget_old_runs() -> None:
    now = time.monotonic()
    for run_id, run in list(_runs.items()):
        if now - run.started > RUN_TTL_SECONDS:
            del _runs[run_id]


# -- other work on the encoders -------------------------------------------------------------


def call(function: Callable[..., Any], *args: Any, timeout: float | None = None) -> Any:
    """Run something that uses the encoders (availability, strategy links) on the worker."""
    return _worker.call(function, *args, timeout=timeout)


def encoders_ready() -> bool:
    """Whether the encoders are loaded in this process (without loading them)."""
    from workshop.themes.suggest import embedding

    return embedding.loaded()


def strategy_links(themes: list[tuple[int, str, tuple[str, ...]]], frameworks) -> dict[int, list]:
    """On the worker: each (theme id, title, answer texts)'s closest strategies."""
    from workshop.themes import suggest

    hints = tuple(hint for f in frameworks for hint in suggest.strategy_hints(f))
    found = {}
    for theme_id, title, texts in themes:
        key = (hints, title, texts)
        if key not in _links_cache:
            if len(_links_cache) > 2000:
                _links_cache.clear()
            _links_cache[key] = suggest.suggest_strategy_links(title, texts, hints)
        found[theme_id] = _links_cache[key]
    return found


# -- embedding answers ahead of the click ---------------------------------------------------


def warm_session(workshop_id: int, texts: Callable[[], list[str]]) -> None:
    """A facilitator opened this session's board: load the encoders, embed its answers
    (`texts()`), and from now on each new one as it arrives. Not from the first answer of
    every session: the encoders cost about 300 MB and some CPU, which a room that never asks
    for suggestions should not pay."""
    if workshop_id in _warm_sessions:
        return
    _warm_sessions.add(workshop_id)
    _worker.submit(_load_encoders)
    warm(texts())


def _load_encoders() -> None:
    from workshop.themes import suggest

    suggest.available()  # loads them once; a failure is kept and shown at the click


def warm_if_wanted(workshop_id: int, texts: list[str]) -> None:
    if workshop_id in _warm_sessions:
        warm(texts)


def warm(texts: list[str]) -> None:
    """Queue responses to be embedded ahead of the facilitator's click. Cheap to call on the
    answer path: it only appends; the worker embeds what has piled up since its last batch
    (answers arriving while it works make the next batch)."""
    global _warm_scheduled
    _warm_queue.extend(t for t in texts if t and t.strip())
    if not _warm_scheduled and _warm_queue:
        _warm_scheduled = True
        try:
            _worker.submit(_warm_batch)
        except BaseException:
            _warm_scheduled = False
            raise


def _warm_batch() -> None:
    global _warm_scheduled
    _warm_scheduled = False  # arrivals from now on schedule the next batch
    batch = []
    while _warm_queue:
        batch.append(_warm_queue.popleft())
    from workshop.themes import suggest

    for start in range(0, len(batch), WARM_STEP):
        if _others_waiting():  # a click goes first; it embeds whatever it needs itself
            _warm_queue.extendleft(reversed(batch[start:]))
            return
        step = batch[start : start + WARM_STEP]
        began = time.monotonic()
        try:
            suggest.warm(step)
        except Exception:  # an optimisation only: the click embeds whatever is missing
            log.exception("could not embed %d responses ahead of time", len(step))
            return
        _rest((time.monotonic() - began) * WARM_REST)


def _others_waiting() -> bool:
    """Whether work other than the next batch of arrivals waits for the worker."""
    return _worker.waiting() > int(_warm_scheduled)


def _rest(seconds: float) -> None:
    """Leave the CPU to the room for a while between steps of embedding ahead, unless other
    work waits for the worker."""
    sleep = _native_sleep()
    deadline = time.monotonic() + seconds
    while not _others_waiting() and (left := deadline - time.monotonic()) > 0:
        sleep(min(left, 0.05))


def _native_sleep() -> Callable[[float], None]:
    """time.sleep as it was before gevent patched it: the worker is a native thread."""
    try:
        from gevent import monkey
    except ImportError:
        return time.sleep
    return monkey.get_original("time", "sleep")
