"""Fixtures for the web tests: the builders live in tests/report/builders.py (loaded by path)."""

import importlib.util
import sys
from pathlib import Path

_NAME = "storydesk_test_builders"
if _NAME not in sys.modules:
    _spec = importlib.util.spec_from_file_location(_NAME, Path(__file__).parents[1] / "report" / "builders.py")
    assert _spec and _spec.loader
    _mod = importlib.util.module_from_spec(_spec)
    sys.modules[_NAME] = _mod
    _spec.loader.exec_module(_mod)

from storydesk_test_builders import evil_set, filled_data, seed_set, seeds_run  # noqa: E402, F401

_BROWSING = "storydesk_test_browsing"
if _BROWSING not in sys.modules:
    _spec = importlib.util.spec_from_file_location(_BROWSING, Path(__file__).with_name("browsing.py"))
    assert _spec and _spec.loader
    _mod = importlib.util.module_from_spec(_spec)
    sys.modules[_BROWSING] = _mod
    _spec.loader.exec_module(_mod)

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402
from storydesk_test_browsing import ARGS, CHROMIUM  # noqa: E402


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
