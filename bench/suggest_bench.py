"""Theme suggestions against labelled data: quality (AMI, ARI, NMI) with k given and chosen,
Spanish placement, existing-theme attraction, and speed.

Run: `python -m bench suggest [--quick] [--seeds 3] [--no-write]`. Data come from
`../shared/data` beside the repository (or WORKSHOP_SHARED_DATA): the Thrive SRT development
set (248 responses, 17 themes) and the StackOverflow and Biomedical 5,000-row subsamples of
STC2 (20 labels each). `--quick` leaves out the two 5,000-row sets. The table goes to
stdout, bench/results/suggest-*.json and the "## Theme suggestions" section of
docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy.special import gammaln

from bench.suggest_speed import speed, speed_report
from workshop.agenda.library import read_agenda_file
from workshop.themes import suggest
from workshop.themes.suggest import Item, engine, text

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
AGENDA = ROOT / "sessions" / "thrive-srt-retrospective.toml"
VECTORS = RESULTS / "suggest-vectors.npz"
SECTION = "## Theme suggestions"
SCCL_NMI = {"stackoverflow": 0.745, "biomedical": 0.415}


def shared_data() -> Path:
    return Path(os.environ.get("WORKSHOP_SHARED_DATA", ROOT.parent / "shared" / "data"))


# --- chance-adjusted agreement (same definitions as scikit-learn's defaults) ---------------


def contingency(truth, found) -> np.ndarray:
    _, a = np.unique(np.asarray(truth, dtype=str), return_inverse=True)
    _, b = np.unique(np.asarray(found, dtype=str), return_inverse=True)
    table = np.zeros((a.max() + 1, b.max() + 1), dtype=np.int64)
    np.add.at(table, (a.ravel(), b.ravel()), 1)
    return table


def _entropy(counts) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def _mutual_information(table) -> float:
    n = table.sum()
    nz = table > 0
    outer = np.outer(table.sum(axis=1), table.sum(axis=0))[nz]
    return float((table[nz] / n * (np.log(table[nz] * n) - np.log(outer))).sum())


def _expected_mutual_information(table) -> float:
    n = int(table.sum())
    log_factorial = gammaln(np.arange(n + 2) + 1)
    lf = log_factorial
    total = 0.0
    for ai in table.sum(axis=1).astype(np.int64):
        for bj in table.sum(axis=0).astype(np.int64):
            nij = np.arange(max(1, ai + bj - n), min(ai, bj) + 1)
            if not len(nij):
                continue
            term = nij / n * (np.log(n * nij) - np.log(ai * bj))
            log_p = (
                lf[ai] + lf[bj] + lf[n - ai] + lf[n - bj] - lf[n] - lf[nij]
                - lf[ai - nij] - lf[bj - nij] - lf[n - ai - bj + nij]
            )  # fmt: skip
            total += float((term * np.exp(log_p)).sum())
    return total


def scores(truth, found) -> dict[str, float]:
    """AMI, ARI and NMI (arithmetic-mean normalization)."""
    table = contingency(truth, found)
    h_true, h_found = _entropy(table.sum(axis=1)), _entropy(table.sum(axis=0))
    mi = _mutual_information(table)
    mean_h = (h_true + h_found) / 2
    emi = _expected_mutual_information(table)
    pairs = lambda x: float((x * (x - 1) / 2).sum())  # noqa: E731
    rows, cols = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    expected = rows * cols / (table.sum() * (table.sum() - 1) / 2)
    return {
        "ami": (mi - emi) / (mean_h - emi) if mean_h - emi > 1e-12 else 0.0,
        "ari": (pairs(table) - expected) / ((rows + cols) / 2 - expected),
        "nmi": mi / mean_h if mean_h > 0 else 0.0,
    }


# --- data ---------------------------------------------------------------------------------


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def thrive():
    agenda = read_agenda_file(AGENDA)
    questions = {prompt.id: prompt.question for _, prompt in agenda.prompts()}
    rows = read_rows(shared_data() / "workshop" / "thrive_srt_dev.csv")
    items = [Item(i, r["text"], r["prompt"], questions[r["prompt"]]) for i, r in enumerate(rows)]
    return items, [r["theme"] for r in rows], suggest.strategy_hints(agenda.framework("rep"))


def stc(name: str):
    rows = read_rows(shared_data() / "clustering" / name / f"{name}_5k.csv")
    return [Item(i, r["text"]) for i, r in enumerate(rows)], [r["label"] for r in rows]


def labels_of(suggestions, items) -> list[int]:
    group = {i: g for g, s in enumerate(suggestions) for i in s.item_ids}
    return [group[item.id] for item in items]


# --- measurements -------------------------------------------------------------------------


def quality(name, items, truth, k, seeds, strategies=()) -> dict:
    runs = []
    for seed in range(seeds):
        started = time.perf_counter()
        found = suggest.suggest_themes(items, strategies=strategies, k=k, seed=seed)
        runs.append({**scores(truth, labels_of(found, items)), "groups": len(found),
                     "seconds": time.perf_counter() - started})  # fmt: skip
    mean = {key: float(np.mean([r[key] for r in runs])) for key in runs[0]}
    return {"set": name, "k": "given" if k else "chosen", "n": len(items), **mean}


def per_prompt(items, truth, strategies) -> float:
    values = []
    for prompt in sorted({item.prompt_id for item in items}):
        rows = [i for i, item in enumerate(items) if item.prompt_id == prompt]
        subset, gold = [items[i] for i in rows], [truth[i] for i in rows]
        found = suggest.suggest_themes(subset, strategies=strategies, k=len(set(gold)))
        values.append(scores(gold, labels_of(found, subset))["ami"])
    return float(np.mean(values))


def spanish_placement(items, truth, strategies) -> dict:
    """For each row: is the nearest theme centre (English rows of each labelled theme, the row
    itself left out) its own theme? And in the k-given grouping, is the majority theme of the
    row's group (the row left out) its own? Spanish rows against English rows."""
    texts = engine.prepare_texts([item.text for item in items], {})
    x = engine.build_space(texts, list(strategies), [], {}).attracting
    spanish = np.array([text.is_spanish(item.text) for item in items])
    truth = np.array(truth)
    themes = sorted(set(truth))
    nearest = []
    for i in range(len(items)):
        centres = []
        for theme in themes:
            mask = (truth == theme) & ~spanish
            mask[i] = False
            centres.append(x[mask].mean(axis=0))
        nearest.append(themes[int(np.argmax(np.array(centres) @ x[i]))] == truth[i])
    found = np.array(labels_of(suggest.suggest_themes(items, strategies=strategies, k=17), items))
    majority = []
    for i in range(len(items)):
        others = Counter(truth[(found == found[i]) & (np.arange(len(items)) != i)])
        majority.append(bool(others) and others.most_common(1)[0][0] == truth[i])
    nearest, majority = np.array(nearest), np.array(majority)
    return {
        "spanish_rows": int(spanish.sum()),
        "nearest_es": float(nearest[spanish].mean()),
        "nearest_en": float(nearest[~spanish].mean()),
        "group_es": float(majority[spanish].mean()),
        "group_en": float(majority[~spanish].mean()),
    }


def attraction(items, truth, strategies, themes=5, seeded=3, skip=0) -> dict:
    """Seed the `themes` largest labelled themes with `seeded` of their rows (after the first
    `skip`; title: the label); how many of their other rows do the suggestions add to them,
    and how precisely?"""
    top = [theme for theme, _ in Counter(truth).most_common(themes)]
    existing = []
    for number, theme in enumerate(top):
        rows = [i for i, t in enumerate(truth) if t == theme][skip : skip + seeded]
        existing.append(suggest.ExistingTheme(
            number, theme, tuple(items[i].id for i in rows), tuple(items[i].text for i in rows)
        ))  # fmt: skip
    placed = {i for theme in existing for i in theme.item_ids}
    found = suggest.suggest_themes(items, existing=existing, strategies=strategies)
    added = {i: s.theme_id for s in found if s.theme_id is not None for i in s.item_ids}
    right = sum(top[theme] == truth[i] for i, theme in added.items())
    wanted = sum(t in top and i not in placed for i, t in enumerate(truth))
    return {
        "precision": right / max(1, len(added)),
        "recall": right / max(1, wanted),
        "added": len(added),
        "right": right,
        "wanted": wanted,
    }


# Other seedings of the same set: other rows, more and fewer themes, more rows per theme.
OTHER_SEEDINGS = ((5, 3, 3), (5, 3, 6), (5, 3, 9), (8, 3, 0), (8, 3, 3), (3, 3, 0), (5, 6, 0))


def attraction_elsewhere(items, truth, strategies) -> dict:
    """The existing-theme measure pooled over OTHER_SEEDINGS (themes, rows, rows skipped)."""
    runs = [attraction(items, truth, strategies, *seeding) for seeding in OTHER_SEEDINGS]
    right, added = sum(r["right"] for r in runs), sum(r["added"] for r in runs)
    return {
        "precision": right / max(1, added),
        "recall": right / max(1, sum(r["wanted"] for r in runs)),
        "added": added,
        "seedings": len(runs),
    }


# --- cache of vectors between bench runs (bench/results/, git-ignored) ---------------------


def load_vectors() -> None:
    if VECTORS.exists():
        with np.load(VECTORS, allow_pickle=False) as stored:
            for key, vector in zip(stored["texts"], stored["vectors"], strict=True):
                suggest.embedding._cache[str(key)] = vector


def save_vectors() -> None:
    cache = suggest.embedding._cache
    RESULTS.mkdir(exist_ok=True)
    np.savez(
        VECTORS, texts=np.array(list(cache), dtype=str), vectors=np.array(list(cache.values()))
    )


# --- report -------------------------------------------------------------------------------


def quality_table(rows: list[dict]) -> str:
    lines = [
        "| set | n | k | groups | AMI | ARI | NMI | seconds |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['set']} | {r['n']:,} | {r['k']} | {r['groups']:.0f} | {r['ami']:.3f} "
            f"| {r['ari']:.3f} | {r['nmi']:.3f} | {r['seconds']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def report(result: dict) -> str:
    parts = ["Quality (mean over seeds; k given = the labelled number of themes):\n",
             quality_table(result["quality"])]  # fmt: skip
    if "per_prompt_ami" in result:
        parts.append(
            f"\nThrive, one prompt at a time (k = themes used by that prompt): "
            f"mean AMI {result['per_prompt_ami']:.3f}.\n"
        )
    if "spanish" in result:
        s = result["spanish"]
        parts.append(
            f"\nSpanish placement ({s['spanish_rows']} Spanish rows, k = 17): nearest labelled-"
            f"theme centre is the right one for {s['nearest_es']:.0%} of Spanish rows and "
            f"{s['nearest_en']:.0%} of English rows; the majority theme of the row's group is "
            f"its own for {s['group_es']:.0%} of Spanish rows and {s['group_en']:.0%} of "
            "English rows.\n"
        )
    if "attraction" in result:
        a = result["attraction"]
        parts.append(
            f"\nExisting themes (the 5 largest labelled themes seeded with 3 rows each, auto "
            f"k): {a['added']} responses suggested into them, precision {a['precision']:.0%}, "
            f"recall {a['recall']:.0%}.\n"
        )
    if "attraction_elsewhere" in result:
        a = result["attraction_elsewhere"]
        parts.append(
            f"\nThe same over {a['seedings']} other seedings (other rows; 3 or 8 themes; 6 rows "
            f"each), pooled: {a['added']} responses suggested, precision {a['precision']:.0%}, "
            f"recall {a['recall']:.0%}.\n"
        )
    parts.append(speed_report(result["speed"]))
    return "".join(parts)


def machine() -> str:
    cpu = "?"
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{os.cpu_count()} cores (nproc), CPU {cpu}, Python {platform.python_version()}, "
        f"load average {load:.1f} at the end of the run"
    )


def write_section(body: str, command: str) -> None:
    """Replace the theme-suggestion results in docs/PERFORMANCE.md, keeping all else."""
    path = ROOT / "docs" / "PERFORMANCE.md"
    start_mark, end_mark = "<!-- suggest-bench:start -->", "<!-- suggest-bench:end -->"
    block = (
        f"{start_mark}\nMeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}. "
        f"Command: `{command}`.\n\n{body}{end_mark}"
    )
    existing = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    if start_mark in existing and end_mark in existing:
        head, rest = existing.split(start_mark, 1)
        updated = head + block + rest.split(end_mark, 1)[1]
    elif SECTION in existing:
        head, rest = existing.split(SECTION, 1)
        updated = head + SECTION + "\n\n" + block + "\n" + rest
    else:
        updated = existing.rstrip() + f"\n\n{SECTION}\n\n{block}\n"
    path.write_text(updated, encoding="utf-8")


def run(args) -> dict:
    items, truth, hints = thrive()
    result: dict = {"quality": []}
    for k in (len(set(truth)), None):
        result["quality"].append(quality("Thrive SRT dev", items, truth, k, args.seeds, hints))
        print(result["quality"][-1], flush=True)
    result["per_prompt_ami"] = per_prompt(items, truth, hints)
    result["spanish"] = spanish_placement(items, truth, hints)
    result["attraction"] = attraction(items, truth, hints)
    result["attraction_elsewhere"] = attraction_elsewhere(items, truth, hints)
    for name in () if args.quick else ("stackoverflow", "biomedical"):
        stc_items, stc_truth = stc(name)
        for k in (20, None):
            row = quality(name, stc_items, stc_truth, k, 1)
            row["sccl_nmi"] = SCCL_NMI[name]
            result["quality"].append(row)
            print(row, flush=True)
    so_items, _ = stc("stackoverflow")
    data = shared_data() / "clustering" / "stackoverflow" / "stackoverflow_5k.csv"
    result["speed"] = speed(so_items[4000:5000], so_items[3000:5000], data)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench suggest", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="leave out the 5,000-row sets")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per Thrive measurement")
    parser.add_argument("--no-write", action="store_true", help="leave docs/PERFORMANCE.md")
    parser.add_argument("--no-cache", action="store_true", help="embed everything afresh")
    args = parser.parse_args(argv)
    if not (shared_data() / "workshop" / "thrive_srt_dev.csv").exists():
        print(
            f"suggest bench: the labelled data are missing: {shared_data()} has no "
            "workshop/thrive_srt_dev.csv (check out shared/ beside the repository, or set "
            "WORKSHOP_SHARED_DATA)", file=sys.stderr,
        )  # fmt: skip
        return 2
    ok, why = suggest.available()
    if not ok:
        print(f"suggest bench: the encoders cannot load: {why}", file=sys.stderr)
        return 2
    if not args.no_cache:
        load_vectors()
    result = run(args)
    if not args.no_cache:
        save_vectors()
    body = report(result)
    print(body)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"suggest-{stamp}.json").write_text(json.dumps(result, indent=2))
    if not args.no_write:
        command = "python -m bench suggest" + (" " + " ".join(argv) if argv else "")
        write_section(body, command.strip())
    return 0
