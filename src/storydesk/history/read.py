"""Gather what `story_changes` compares from a store: the two versions and their articles.

`changes_since(store, ref, since)` is what `storydesk changes` and the web app's
`/api/stories/{id}/changes` call; it reads through the store's methods only (no SQL here).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from storydesk.history.diff import StoryChanges, VersionRef, story_changes
from storydesk.history.since import version_at
from storydesk.records import Story
from storydesk.store.versions import ArticleVersion, StoryVersionInfo


class HistoryStore(Protocol):
    """The store methods history reads (SqliteStore has them)."""

    def get_story(self, ref: str) -> Story: ...

    def story_versions(self, ref: str) -> list[StoryVersionInfo]: ...

    def story_version(self, story_id: str, version: int) -> Story: ...

    def versions_of(self, article_ids: list[str]) -> dict[str, ArticleVersion]: ...


def _ref(v: StoryVersionInfo | None) -> VersionRef | None:
    return VersionRef(version=v.version, analysed_at=v.analysed_at) if v is not None else None


def changes_since(store: HistoryStore, ref: str, since: datetime | None) -> StoryChanges:
    """What changed in story `ref` since time `since`, or with `since` None, in its last analysis
    (the newest version against the one before it)."""
    versions = store.story_versions(ref)
    current = store.get_story(ref)
    latest = versions[-1] if versions else None
    previous = versions[-2] if len(versions) > 1 else None
    baseline = previous if since is None else version_at(versions, since)
    new = store.story_version(current.id, latest.version) if latest is not None else current
    old = store.story_version(current.id, baseline.version) if baseline is not None else None
    if old is not None and baseline is not None and latest is not None and baseline.version == latest.version:
        old = new  # nothing newer than what the reader saw
    ids = [a.id for s in (old, new) if s is not None for a in s.articles]
    return story_changes(old, new, store.versions_of(ids), baseline=_ref(baseline), latest=_ref(latest),
                         since=since.isoformat() if since is not None else None)


__all__ = ["HistoryStore", "changes_since"]
