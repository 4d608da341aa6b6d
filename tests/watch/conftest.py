"""Fixtures for the watch tests: a feed server on 127.0.0.1 (feeds.py, loaded by tests/conftest.py)."""

from collections.abc import Iterator

import pytest
from storydesk_test_feeds import FeedServer


@pytest.fixture()
def feed_server() -> Iterator[FeedServer]:
    srv = FeedServer()
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()
