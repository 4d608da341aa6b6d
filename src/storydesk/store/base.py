"""The protocol every store backend implements (SQLite is the default and only one today)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from storydesk.records import Article, Assignment, Story


class Store(Protocol):
    """What the pipeline, CLI and web app need from a store."""

    def add_articles(self, articles: Iterable[Article]) -> list[str]:
        """Insert articles not yet stored (by id); return the ids that were new. Commits."""
        ...

    def update_articles(self, articles: Iterable[Article]) -> None:
        """Replace cleaned text/removed/metadata of stored articles (re-cleaning). Commits."""
        ...

    def get_article(self, ref: str) -> Article:
        """One article by id or unique id prefix; raises NotFound."""
        ...

    def iter_articles(self, ids: Iterable[str] | None = None) -> Iterator[Article]:
        """Stored articles in ingestion order (all, or those with the given ids)."""
        ...

    def list_articles(self, limit: int | None = None, query: str | None = None,
                      outlet: str | None = None) -> list[dict[str, Any]]:
        """`articles --json` rows, with each article's story id."""
        ...

    def count_articles(self) -> int: ...

    def article_ids(self, outlet: str | None = None) -> list[str]:
        """Ids of stored articles in ingestion order (all, or one outlet's)."""
        ...

    def outlets_of(self, article_ids: Iterable[str]) -> list[str]:
        """Distinct outlets of the given articles, sorted."""
        ...

    def set_assignments(self, assignments: Iterable[Assignment]) -> None: ...

    def assignments(self) -> dict[str, Assignment]: ...

    def assignments_of(self, article_ids: Iterable[str]) -> dict[str, Assignment]:
        """The assignments of the given articles (those that have one)."""
        ...

    def assignments_of_stories(self, story_ids: Iterable[str]) -> dict[str, Assignment]:
        """The assignments of every article of the given stories, in ingestion order."""
        ...

    def put_stories(self, stories: Iterable[Story], analysed_with: str | None = None) -> None:
        """Insert or replace stories; `analysed_with` is the Settings.analysis_key() that made them."""
        ...

    def get_story(self, ref: str) -> Story:
        """One story by id, unique id prefix, or an id it was merged from; raises NotFound."""
        ...

    def put_story_aliases(self, aliases: dict[str, str]) -> None:
        """Keep merged-away story ids (-> the story each went into) so old links still resolve."""
        ...

    def list_stories(self, query: str | None = None, outlet: str | None = None,
                     since: str | None = None, until: str | None = None,
                     limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """`stories --json` rows, biggest live story first, undated last; date filters drop undated."""
        ...

    def count_stories(self, query: str | None = None, outlet: str | None = None,
                      since: str | None = None, until: str | None = None) -> int:
        """How many rows `list_stories` gives with these filters and no limit."""
        ...

    def stale_stories(self, story_ids: Iterable[str], analysis_key: str) -> set[str]:
        """Those of the given stories analysed with other settings than `analysis_key`."""
        ...

    def get_state(self, key: str) -> bytes | None: ...

    def put_state(self, key: str, value: bytes) -> None: ...

    def close(self) -> None: ...
