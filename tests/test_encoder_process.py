"""The sentence encoders run in a child process: it answers with the same vectors the models
give, runs at a lower CPU priority than the server, is replaced if it dies, and never
outlives the server, even one killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from workshop.themes.suggest import embedding, encoders
from workshop.themes.suggest.encoder_process import EncoderProcess, EncoderStopped

TEXTS = [
    "Monthly meetings built trust",
    "Más tiempo en grupos pequeños",
    "Broadband for rural towns",
]


@pytest.fixture
def fresh_embedding():
    """The module's encoder and cache as a new server process has them, restored after."""
    saved = embedding._encoder, embedding._failure, dict(embedding._cache), embedding._foreground
    embedding._encoder, embedding._failure = None, ""
    embedding._cache.clear()
    yield embedding
    if embedding._encoder is not None and embedding._encoder is not saved[0]:
        embedding._encoder.close()
    embedding._encoder, embedding._failure, embedding._foreground = saved[0], saved[1], saved[3]
    embedding._cache.clear()
    embedding._cache.update(saved[2])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie is dead too


def wait_until(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_the_child_gives_the_models_vectors_at_a_lower_priority():
    process = EncoderProcess()
    try:
        vectors = process.encode(TEXTS)
        expected = encoders.Models().vectors(TEXTS)
        assert vectors.shape == (len(TEXTS), encoders.DIM)
        assert np.allclose(vectors, expected, atol=1e-5)
        assert process.encode([]).shape == (0, encoders.DIM)
        assert nice_of(process.pid) == encoders.NICE
        if hasattr(os, "SCHED_IDLE"):  # Linux: it runs only on CPU the room leaves idle
            assert os.sched_getscheduler(process.pid) == os.SCHED_IDLE
    finally:
        process.close()
    assert not alive(process.pid)  # closing its input ended it, and it was reaped


def test_a_commands_encoder_runs_at_normal_priority_with_the_same_vectors():
    background = EncoderProcess()
    foreground = EncoderProcess(foreground=True, wait=False)  # returns while it loads
    try:
        assert np.array_equal(foreground.encode(TEXTS), background.encode(TEXTS))
        assert nice_of(foreground.pid) == os.nice(0)  # this process's, not 19
        if hasattr(os, "SCHED_OTHER"):
            assert os.sched_getscheduler(foreground.pid) == os.SCHED_OTHER
    finally:
        foreground.close()
        background.close()
    assert not alive(foreground.pid)


def test_a_chosen_nice_value_replaces_the_idle_class(monkeypatch):
    monkeypatch.setenv("WORKSHOP_ENCODER_NICE", "10")
    process = EncoderProcess()
    try:
        assert process.encode(TEXTS[:1]).shape == (1, encoders.DIM)
        assert nice_of(process.pid) == 10
        if hasattr(os, "SCHED_OTHER"):
            assert os.sched_getscheduler(process.pid) == os.SCHED_OTHER
    finally:
        process.close()


def nice_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[16])


def test_a_killed_encoder_is_replaced_and_the_texts_still_embedded(fresh_embedding):
    first = fresh_embedding.encode(TEXTS[:1])
    killed = fresh_embedding.encoder().pid
    os.kill(killed, signal.SIGKILL)
    vectors = fresh_embedding.encode(TEXTS)  # the caller never sees the death
    assert vectors.shape == (len(TEXTS), encoders.DIM)
    assert np.allclose(vectors[0], first[0], atol=1e-3)
    assert fresh_embedding.encoder().pid != killed
    assert not alive(killed)


def test_a_command_starts_the_encoder_before_it_needs_it(fresh_embedding):
    fresh_embedding.start(foreground=True)
    started = fresh_embedding._encoder
    assert started is not None and fresh_embedding.loaded()
    vectors = fresh_embedding.encode(TEXTS)  # waits for the models, then uses that process
    assert fresh_embedding.encoder() is started and vectors.shape == (len(TEXTS), encoders.DIM)
    os.kill(started.pid, signal.SIGKILL)
    fresh_embedding.encode(["another text"])  # replaced by one of the same kind
    assert os.sched_getscheduler(fresh_embedding.encoder().pid) == os.SCHED_OTHER


def test_an_encoder_that_cannot_start_says_why(fresh_embedding, monkeypatch):
    monkeypatch.setenv("WORKSHOP_ENCODER_NICE", "not a number")  # the child fails at once
    ready, reason = fresh_embedding.available()
    assert not ready
    assert "sentence encoder process stopped (exit status 1)" in reason
    with pytest.raises(embedding.ModelUnavailable):
        fresh_embedding.encode(["anything"])


def test_the_encoder_never_outlives_a_killed_server():
    server = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import sys, time
            from workshop.themes.suggest import embedding
            print(embedding.encoder().pid, flush=True)
            time.sleep(600)
        """)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    with server:
        child = int(server.stdout.readline())
        assert alive(child)
        server.kill()  # SIGKILL: no atexit, no clean-up
    assert wait_until(lambda: not alive(child)), "the encoder process outlived its server"


def test_a_failing_request_is_reported_not_fatal():
    process = EncoderProcess()
    try:
        with pytest.raises(RuntimeError, match="TypeError"):
            process.encode([None])  # type: ignore[list-item]  (not text: the child refuses)
        assert process.encode(TEXTS[:1]).shape == (1, encoders.DIM)
    finally:
        process.close()
    with pytest.raises(EncoderStopped):
        process.encode(TEXTS[:1])


def test_long_texts_run_in_small_batches_with_the_same_vectors():
    lengths = sorted([5] * 40 + [64] * 40 + [130] * 10 + [256] * 5)
    order = np.arange(len(lengths))
    runs = encoders.batches(lengths, order)
    assert np.array_equal(np.concatenate(runs), order)  # every text once, in order
    for run in runs:
        width = lengths[run[-1]]
        assert len(run) <= encoders.BATCH
        assert len(run) == 1 or len(run) * width**2 <= encoders.ATTENTION_BUDGET
    assert max(len(run) for run in runs if lengths[run[-1]] == 256) == 2  # not 32 at once

    strategy = "Expand broadband access and digital skills training in rural Inland towns. "
    texts = [strategy * n for n in (1, 4, 9, 14)] + TEXTS  # up to ~256 tokens
    models = encoders.Models()
    together = models.minilm(texts)
    alone = np.vstack([models.minilm([text]) for text in texts])
    assert np.allclose(together, alone, atol=1e-5)
