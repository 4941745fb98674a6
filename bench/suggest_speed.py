"""Speed of theme suggestions, for `python -m bench suggest`: embedding, suggesting for warmed
responses, and a first suggestion in a new process: the library as the server uses it, and
the `workshop suggest-themes` command on a CSV of 1,000 rows (models installed, nothing
embedded yet). Times are wall-clock seconds, the fastest of a few runs (the machine is
shared: the minimum is the least disturbed), each with the load average when it started and
the CPU seconds the processes used, which other work on the machine disturbs less.
"""

from __future__ import annotations

import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workshop.themes import suggest

ROOT = Path(__file__).resolve().parent.parent


def best_of(repeats: int, work) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def speed(items_1000, items_2000, data: Path) -> dict:
    encoder = suggest.embedding.encoder()  # the encoder process, as the app runs it
    fresh = [item.text for item in items_1000]
    out: dict = {"embed_per_1000": best_of(2, lambda: encoder.encode(fresh))}
    suggest.warm([item.text for item in items_2000])
    for key, subset, k in (
        ("suggest_1000_chosen", items_1000, None),
        ("suggest_1000_given", items_1000, 20),
        ("suggest_2000_chosen", items_2000, None),
    ):
        out[key] = best_of(3, lambda subset=subset, k=k: suggest.suggest_themes(subset, k=k))
    out["first_250"] = fastest(2, [sys.executable, "-c", COLD, str(data), "250"])
    out["first_1000"] = fastest(2, [sys.executable, "-c", COLD, str(data), "1000"])
    with tempfile.TemporaryDirectory() as folder:
        rows = Path(folder) / "answers.csv"
        write_rows(data, rows, 1000)
        command = [str(Path(sys.executable).with_name("workshop")), "suggest-themes", str(rows)]
        out["cli_1000"] = fastest(3, [*command, "--column", "text"])
    return out


COLD = """
import csv, sys
from workshop.themes.suggest import Item, suggest_themes
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))[: int(sys.argv[2])]
suggest_themes([Item(i, r["text"]) for i, r in enumerate(rows)])
"""


def write_rows(source: Path, target: Path, n: int) -> None:
    with source.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)][:n]
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows(enumerate(texts))


def fastest(repeats: int, command: list[str]) -> dict:
    """The fastest of `repeats` runs of `command` in a new process: its seconds, the CPU
    seconds it (and its children) used, and the load average when it started."""
    runs = []
    for _ in range(repeats):
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True, cwd=ROOT)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        runs.append({"seconds": seconds, "cpu": cpu, "load": load})
    return min(runs, key=lambda run: run["seconds"])


def speed_report(s: dict) -> str:
    def cold(run: dict) -> str:
        return f"{run['seconds']:.1f} | {run['cpu']:.1f} | {run['load']:.1f}"

    return (
        "\nSpeed (StackOverflow titles; the fastest of 3 runs, of 2 for embedding and the "
        "library in a new process; CPU seconds and load average for the new processes):\n\n"
        "| measure | seconds | CPU seconds | load average at start |\n"
        "| --- | ---: | ---: | ---: |\n"
        f"| embedding 1,000 responses (both encoders, done ahead by `warm`) "
        f"| {s['embed_per_1000']:.1f} | | |\n"
        f"| suggesting for 1,000 warmed responses, k chosen | {s['suggest_1000_chosen']:.2f} | | |\n"
        f"| suggesting for 1,000 warmed responses, k = 20 | {s['suggest_1000_given']:.2f} | | |\n"
        f"| suggesting for 2,000 warmed responses, k chosen | {s['suggest_2000_chosen']:.2f} | | |\n"
        f"| first suggestion in a new process (the library, encoder in the background), 250 "
        f"responses | {cold(s['first_250'])} |\n"
        f"| the same, 1,000 responses | {cold(s['first_1000'])} |\n"
        f"| `workshop suggest-themes` on 1,000 rows in a new process | {cold(s['cli_1000'])} |\n"
    )
