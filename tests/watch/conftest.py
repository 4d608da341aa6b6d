"""Fixtures for the watch tests: a feed server on 127.0.0.1 (feeds.py, loaded by path as other
test folders load their helpers, since pytest runs with --import-mode=importlib)."""

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_NAME = "storydesk_test_feeds"
if _NAME not in sys.modules:
    _spec = importlib.util.spec_from_file_location(_NAME, Path(__file__).with_name("feeds.py"))
    assert _spec and _spec.loader
    _mod = importlib.util.module_from_spec(_spec)
    sys.modules[_NAME] = _mod
    _spec.loader.exec_module(_mod)

from storydesk_test_feeds import FeedServer  # noqa: E402


@pytest.fixture()
def feed_server() -> Iterator[FeedServer]:
    srv = FeedServer()
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()
