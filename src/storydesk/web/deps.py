"""Request-scoped helpers shared by the API and the pages: the store and the list filters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from storydesk.store.ranking import parse_day
from storydesk.store.sqlite import SqliteStore, open_store


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

    def store_args(self) -> dict[str, Any]:
        """The filters as `list_stories` / `count_stories` keyword arguments."""
        return {"query": self.q, "outlet": self.outlet, "since": self.since, "until": self.until}

    def params(self) -> dict[str, str]:
        """The filters that are set, as query parameters (for page links)."""
        given = {"q": self.q, "outlet": self.outlet, "since": self.since, "until": self.until}
        return {k: v for k, v in given.items() if v}


def story_filters(q: str | None = None, outlet: str | None = None, since: str | None = None,
                  until: str | None = None) -> StoryFilters:
    """The story list's query parameters; empty ones (from the HTML form) mean no filter.

    `since`/`until` are dates (2024-01-18; "yesterday" and "3 days ago" work too) and leave
    undated stories out.
    """
    return StoryFilters(q=(q or "").strip() or None, outlet=(outlet or "").strip() or None,
                        since=parse_day("since", since), until=parse_day("until", until))
