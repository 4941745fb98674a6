"""Light on poor connections: the participant page's first load stays within 100 KB on the
wire (HTML, CSS, JavaScript, fonts), measured in a real browser on an emulated slow 3G
network. The byte budget is asserted (it is deterministic); the time to a usable page is
reported in docs/PERFORMANCE.md by `python -m bench page`, not asserted here."""

from __future__ import annotations

import pytest
from browser_support import CHROMIUM_ARGS, chromium_path, live_session, measure_participant_pages
from conftest import skip_or_fail

pytestmark = pytest.mark.browser
BUDGET_BYTES = 100 * 1024


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    server, code = live_session(tmp_path_factory.mktemp("light"))
    yield server, code
    server.stop()


@pytest.fixture(scope="module")
def chromium():
    path = chromium_path()
    if path is None:
        skip_or_fail("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_join_and_answer_pages_fit_the_byte_budget_on_slow_3g(session, chromium):
    server, code = session
    figures = measure_participant_pages(chromium, server.url, code)
    print(f"\nslow 3G first loads: {figures}")
    assert figures["join"]["bytes"] <= BUDGET_BYTES, figures
    assert figures["answer"]["bytes"] <= BUDGET_BYTES, figures
