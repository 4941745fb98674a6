"""Page weight on a poor connection: a phone's whole first visit (the join page, joining, the
live page with its stylesheet, scripts and the Socket.IO client, and the socket's traffic
until the page has its snapshot over the WebSocket), then the same visit again from its
cache, in Debian's Chromium on an emulated slow 3G network (400 kbit/s, 2 s round trips).
Reports the bytes on the wire and the seconds until the answer form can be used;
`tests/test_e2e_light.py` asserts the 100 KB budget with the same measurement.

Run: `python -m bench page`."""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure() -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    from browser_support import (
        CHROMIUM_ARGS,
        chromium_path,
        live_session,
        measure_participant_pages,
    )
    from playwright.sync_api import sync_playwright

    server, code = live_session(Path(tempfile.mkdtemp(prefix="page-bench-")))
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            figures = measure_participant_pages(browser, server.url, code)
            browser.close()
    finally:
        server.stop()
    return figures


def parts(by_kind: dict[str, int]) -> str:
    return ", ".join(f"{kind} {size / 1024:.1f}" for kind, size in by_kind.items() if size)


def usable(figures: dict) -> str:
    answer = f"answer form {figures['answer_s']} s"
    if "join_s" not in figures:
        return answer
    return f"join form {figures['join_s']} s, {answer} after the click"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench page", description=__doc__)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    figures = measure()
    rows = "\n".join(
        f"| {name} | {f['bytes'] / 1024:.1f} KB | {parts(f['by_kind'])} | {f['requests']} "
        f"| {usable(f)} |"
        for name, f in figures.items()
    )
    section = (
        "## Participant page on slow 3G\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()}, Debian Chromium, emulated slow 3G "
        "(400 kbit/s, 2 s round trips), phone viewport. Command: `python -m bench page`. "
        "A first visit starts from an empty cache: the join page, joining (the form's post and "
        "its redirect), the live page with its stylesheet, scripts and the Socket.IO client, and "
        "the socket's traffic until the page has its snapshot over the WebSocket; counted are "
        "the bytes received (responses with their headers, long-polling included) and the "
        "WebSocket frames both ways. Coming back is the same page opened again later. "
        "Budget: 100 KB on the wire for the first visit (asserted by `tests/test_e2e_light.py`); "
        "target: each form usable within 5 s (the join form from the first request, the answer "
        "form from the click on Join: a post, its redirect and the live page's files).\n\n"
        "| visit | bytes on the wire | of which | requests over the network | usable after |\n"
        "| --- | ---: | --- | ---: | ---: |\n" + rows + "\n"
    )
    print(section)
    if not args.no_write:
        from bench.load_bench import replace_section

        replace_section("## Participant page on slow 3G", section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
