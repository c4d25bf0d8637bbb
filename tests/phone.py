"""An HTML page as a phone shows it: Debian's chromium through Playwright, 390 px wide."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

PHONE = {"width": 390, "height": 844}
CHROMIUM = Path("/usr/bin/chromium")


def on_a_phone(page_file: Path, look: Callable[[Any], None]) -> int:
    """Open `page_file` 390 px wide, let `look(page)` assert on it; the page's full width in px."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium (.ci/run does)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = browser.new_page(viewport=PHONE)
            page.goto(page_file.as_uri())
            look(page)
            return int(page.evaluate("document.documentElement.scrollWidth"))
        finally:
            browser.close()
