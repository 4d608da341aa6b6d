"""Request-scoped helpers shared by the API and the pages: the store and the list filters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from fastapi import Request

from storydesk.errors import UsageError
from storydesk.store.sqlite import SqliteStore, open_store

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def get_store(request: Request) -> Iterator[SqliteStore]:
    """A read-only store connection for one request.

    Opened per request: SQLite WAL lets `storydesk run` write in another process meanwhile,
    and each request then sees the latest committed data.
    """
    store = open_store(request.app.state.data_dir, readonly=True)
    try:
        yield store
    finally:
        store.close()


@dataclass(frozen=True, slots=True)
class StoryFilters:
    q: str | None = None
    outlet: str | None = None
    since: str | None = None
    until: str | None = None


def _day(name: str, value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not _DATE.match(value):
        raise UsageError(f"{name} must be a date like 2024-01-18, not {value!r}")
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"{name} is not a real date: {value!r}") from exc
    return value


def story_filters(q: str | None = None, outlet: str | None = None, since: str | None = None,
                  until: str | None = None) -> StoryFilters:
    """The story list's query parameters; empty ones (from the HTML form) mean no filter."""
    return StoryFilters(q=(q or "").strip() or None, outlet=(outlet or "").strip() or None,
                        since=_day("since", since), until=_day("until", until))
