"""Rewrite the int8 MiniLM graph so a run dequantizes only the rows it looks up.

The shipped graph turns the whole int8 word-embedding table (30,522 x 384) into float32 on
every run (Cast, then Mul by the per-row scale) and only then gathers the batch's tokens:
two 47 MB temporaries per run, the largest part of the encoder process's peak. Gathering
the int8 rows and their scales first, then Cast and Mul, gives the same numbers bit for bit
(a Cast and a Mul are per element) from a few kilobytes.

Run as a script (`python minilm_graph.py SOURCE TARGET`), in a short-lived process of its own:
`onnx` is only needed here, and importing it would cost the long-lived encoder process more
than the rewrite saves. The encoder process calls it once and keeps the result in a cache.
"""

from __future__ import annotations

import sys


class NothingToRewrite(ValueError):
    """The graph has no Gather on a dequantized table (another export of the model)."""


def rewrite(source: str, target: str) -> int:
    """Write the rewritten graph of `source` to `target`; returns how many tables changed."""
    import onnx
    from onnx import helper

    model = onnx.load(source)
    graph = model.graph
    producer = {node.output[0]: node for node in graph.node}
    initializers = {init.name: init for init in graph.initializer}
    replaced: dict[int, list] = {}
    dropped: set[int] = set()
    for node in graph.node:
        if node.op_type != "Gather" or _axis(node) != 0:
            continue
        chain = _dequantized_table(node.input[0], producer, initializers)
        if chain is None or _used_elsewhere(chain, node, graph):
            continue
        cast, mul, quantized, scale = chain
        name = node.output[0]
        replaced[id(node)] = [
            helper.make_node("Gather", [quantized, node.input[1]], [f"{name}_q"], axis=0),
            helper.make_node("Gather", [scale, node.input[1]], [f"{name}_scale"], axis=0),
            helper.make_node("Cast", [f"{name}_q"], [f"{name}_f"], to=onnx.TensorProto.FLOAT),
            helper.make_node("Mul", [f"{name}_f", f"{name}_scale"], [name]),
        ]
        dropped.update((id(cast), id(mul)))
    if not replaced:
        raise NothingToRewrite(f"{source}: no Gather reads a dequantized int8 table")
    nodes = []
    for node in graph.node:
        if id(node) in dropped:
            continue
        nodes.extend(replaced.get(id(node), [node]))
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, target)
    return len(replaced)


def _axis(node) -> int:
    return next((attr.i for attr in node.attribute if attr.name == "axis"), 0)


def _dequantized_table(name: str, producer: dict, initializers: dict):
    """(cast, mul, int8 table, scale) when `name` is Mul(Cast(int8 table), scale) and the
    scale is one per row (rows x 1): then it can be gathered with the rows."""
    mul = producer.get(name)
    if mul is None or mul.op_type != "Mul":
        return None
    cast = producer.get(mul.input[0])
    scale = initializers.get(mul.input[1])
    if cast is None or cast.op_type != "Cast" or scale is None:
        return None
    table = initializers.get(cast.input[0])
    if table is None or len(table.dims) != 2 or table.data_type not in (2, 3):  # uint8, int8
        return None
    if list(scale.dims) != [table.dims[0], 1]:
        return None
    return cast, mul, table.name, scale.name


def _used_elsewhere(chain, gather, graph) -> bool:
    """Whether anything but this Gather reads the float table or its Cast."""
    cast, mul, _, _ = chain
    outputs = {cast.output[0], mul.output[0]}
    readers = [node for node in graph.node if outputs & set(node.input)]
    graph_outputs = {output.name for output in graph.output}
    return bool(outputs & graph_outputs) or any(
        node is not gather and node is not mul for node in readers
    )


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: minilm_graph.py SOURCE TARGET", file=sys.stderr)
        return 2
    try:
        rewrite(argv[0], argv[1])
    except NothingToRewrite as error:
        print(error, file=sys.stderr)
        return 3
    except ImportError as error:
        print(f"cannot rewrite the MiniLM graph: {error}", file=sys.stderr)
        return 4
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
