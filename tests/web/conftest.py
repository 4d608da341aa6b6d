"""Fixtures for the web tests: the builders live in tests/report/builders.py and the browser
helpers in tests/web/browsing.py (both loaded by tests/conftest.py)."""

from collections.abc import Iterator

import pytest
from storydesk_test_browsing import ARGS, CHROMIUM
from storydesk_test_builders import evil_set, filled_data, seed_set, seeds_run  # noqa: F401


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian chromium through Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()
