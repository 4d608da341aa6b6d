"""Fuzz-test setup: load the HTML extractor and language detector once, before any example runs.

Hypothesis enforces a per-example deadline; without a warm-up, the first HTML example would pay
trafilatura's import and lingua's model load (seconds) and fail the deadline on timing alone.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def warm_parsers() -> None:
    from storydesk.ingest.fuzz import fuzz_html

    text = b"Officials said the strikes hit several villages near the border. " * 3
    page = b"<html><body><p>" + text + b"</p></body></html>"
    fuzz_html(page)
