"""The browser tests' own support: a screenshot survives Chromium's passing refusal.

CI once failed a whole accessibility crawl because Chromium answered one capture with
"Unable to capture screenshot" and would have taken it when asked again. The refusal cannot be
provoked on demand, so a real page is wrapped by one that relays Chromium's refusal first.
"""

from __future__ import annotations

import pytest
from browser_support import REFUSED, screenshot

pytestmark = pytest.mark.browser

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Refusing:
    """A real page whose first `refusals` captures fail with `message`, as Chromium's do."""

    def __init__(self, page, refusals: int, message: str = REFUSED):
        self.page, self.refusals, self.message = page, refusals, message
        self.asked = 0

    def screenshot(self, **options) -> bytes:
        from playwright.sync_api import Error

        self.asked += 1
        if self.asked <= self.refusals:
            raise Error(f"Page.screenshot: Protocol error (Page.captureScreenshot): {self.message}")
        return self.page.screenshot(**options)


@pytest.fixture()
def page(chromium):
    context = chromium.new_context(viewport={"width": 640, "height": 360})
    page = context.new_page()
    page.set_content("<main><h1>Join code ABC123</h1></main>")
    yield page
    context.close()


def test_a_refused_capture_is_asked_for_again(page, tmp_path):
    refusing = Refusing(page, refusals=2)
    screenshot(refusing, tmp_path / "shots" / "join.png")
    assert refusing.asked == 3
    assert (tmp_path / "shots" / "join.png").read_bytes().startswith(PNG_SIGNATURE)


def test_a_capture_refused_every_time_fails_the_test(page, tmp_path):
    from playwright.sync_api import Error

    refusing = Refusing(page, refusals=3)
    with pytest.raises(Error, match=REFUSED):
        screenshot(refusing, tmp_path / "join.png", attempts=3)
    assert refusing.asked == 3


def test_any_other_failure_is_not_asked_again(page, tmp_path):
    from playwright.sync_api import Error

    refusing = Refusing(page, refusals=1, message="Target page, context or browser has been closed")
    with pytest.raises(Error, match="has been closed"):
        screenshot(refusing, tmp_path / "join.png")
    assert refusing.asked == 1
