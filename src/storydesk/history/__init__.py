"""Story history (issue 25): what changed in a story between two of its kept analyses.

`diff.story_changes` compares two frozen `Story` records (pure); `since` reads `--since` and picks
the version a reader saw at a time; `read.changes_since` gathers both versions from a store.
"""

from storydesk.history.diff import (
    ConflictChange,
    FactChange,
    OutletChange,
    RevisedValue,
    StoryChanges,
    UpdatedArticle,
    VersionRef,
    match_facts,
    story_changes,
)
from storydesk.history.read import changes_since
from storydesk.history.since import LAST_READ, parse_since, version_at

__all__ = [
    "LAST_READ",
    "ConflictChange",
    "FactChange",
    "OutletChange",
    "RevisedValue",
    "StoryChanges",
    "UpdatedArticle",
    "VersionRef",
    "changes_since",
    "match_facts",
    "parse_since",
    "story_changes",
    "version_at",
]
