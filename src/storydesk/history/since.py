"""Read a `--since` time and pick the story version a reader saw then. Pure functions.

A reader who last looked at time T saw the newest analysis made at or before T: that version is
the baseline `changes` compares the story's newest analysis with.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from storydesk.errors import UsageError
from storydesk.store.ranking import parse_day, parse_time
from storydesk.store.versions import StoryVersionInfo

LAST_READ = "last-read"


def parse_since(value: str, today: date | None = None, name: str = "--since") -> datetime:
    """A `--since` value as an aware UTC time; raises UsageError naming what it takes.

    Takes an ISO time (`2024-03-04T10:15:00+01:00`; without an offset it is UTC), a date
    (`2024-03-04`: from the start of that day, UTC), `today`, `yesterday` or `3 days ago`.

    Example:
        >>> parse_since("2024-03-04T10:15:00+01:00").isoformat()
        '2024-03-04T09:15:00+00:00'
    """
    text = (value or "").strip()
    if not text:
        raise UsageError(f"{name} needs a time: an ISO time, a date, today, yesterday or '3 days ago'")
    if ":" in text:  # a time of day: ISO 8601, "T" or a space between date and time
        t = parse_time(text)
        if t is None:
            raise UsageError(f"{name} is not a readable time: {value!r} (try 2024-03-04T10:15:00+00:00)")
        try:
            return t.astimezone(UTC)
        except (OverflowError, ValueError):  # "0001-01-01T00:00+14:00" is before year 1 in UTC
            raise UsageError(f"{name} is out of range: {value!r}") from None
    try:
        day = parse_day(name, text, today=today)
    except UsageError as exc:
        raise UsageError(f"{name} takes an ISO time (2024-03-04T10:15:00+00:00), a date (2024-03-04), today,"
                         f" yesterday or '3 days ago', not {value!r}") from exc
    assert day is not None  # text is not empty
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def version_at(versions: Sequence[StoryVersionInfo], when: datetime) -> StoryVersionInfo | None:
    """The newest version made at or before `when` (None: the story had not been analysed yet).

    A stored time that cannot be read (none should exist) never counts as seen.
    """
    best: StoryVersionInfo | None = None
    for v in versions:
        t = parse_time(v.analysed_at)
        if t is not None and t <= when and (best is None or v.version > best.version):
            best = v
    return best


__all__ = ["LAST_READ", "parse_since", "version_at"]
