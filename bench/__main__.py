"""Run benchmarks: `python -m bench` runs every `bench/*_bench.py` in name order;
`python -m bench NAME [ARGS...]` runs `bench/NAME_bench.py` with its own options
(`python -m bench NAME --help`). Each module has `main(argv) -> int`."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).parent


def names() -> list[str]:
    return sorted(path.stem.removesuffix("_bench") for path in HERE.glob("*_bench.py"))


def run(name: str, argv: list[str]) -> int:
    module = importlib.import_module(f"bench.{name}_bench")
    return int(module.main(argv) or 0)


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        print("benchmarks:", ", ".join(names()))
        return 0
    if argv:
        name, rest = argv[0], argv[1:]
        if name not in names():
            print(f"no benchmark named '{name}'; there are: {', '.join(names())}", file=sys.stderr)
            return 2
        return run(name, rest)
    status = 0
    for name in names():
        print(f"== {name}", flush=True)
        status = run(name, []) or status
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
