"""Where a story sits in the story list: coverage and recency in one number, plus date filters.

`rank_key(coverage, last_seen)` is stored with each story (the `rank` column). Ordering by it,
highest first, orders stories by coverage halved for every `half_life_days` of age, whatever the
reference time: log2(c * 2 ** -((now - t) / h)) = log2(c) + t / h - now / h, and the last term is
the same for every story. So the biggest live story leads, a week-old giant sinks below today's
mid-sized story, and the stored key never needs refreshing as time passes. An undated story has
no key and is listed after every dated one.

`parse_day` reads the list's date filters: an ISO date, or words people type ("today",
"yesterday", "3 days ago", "7d"), relative to the local calendar day.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from storydesk.errors import UsageError


@dataclass(frozen=True, slots=True)
class Ranking:
    """How the story list weighs recency against coverage."""

    # One day: a story twice the size of another (in independent sources) ranks level with it
    # when it is a day older. A news desk's "live" is the day; a choice, not fitted to data
    # (no labelled ranking exists to fit it on). Changing it needs a migration that recomputes
    # the stored `rank` column.
    half_life_days: float = 1.0


DEFAULT_RANKING = Ranking()

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 date or time as an aware datetime (naive means UTC); None if it is not one."""
    if not value or not isinstance(value, str):
        return None
    try:
        t = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def rank_key(coverage: int | None, last_seen: str | None, now: str | datetime | None = None,
             ranking: Ranking = DEFAULT_RANKING) -> float | None:
    """The stored ranking key of a story (higher first); None when it has no usable date.

    Args:
        coverage: independent sources (a wire copy adds nothing); at least 1 is counted.
        last_seen: the story's newest publication time.
        now: when the key is written; a story dated after it counts as published then, so a
            mistyped future date cannot pin a story to the top.
    """
    t = parse_time(last_seen)
    if t is None:
        return None
    ceiling = now if isinstance(now, datetime) else parse_time(now) or datetime.now(UTC)
    t = min(t, ceiling)
    days = (t - _EPOCH).total_seconds() / 86400
    return math.log2(max(int(coverage or 0), 1)) + days / ranking.half_life_days


# at most 5 digits: 99,999 days stays after the year 1, so the subtraction cannot overflow
_AGO = re.compile(r"^(\d{1,5})\s*(?:d|days?)(?:\s+ago)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(name: str, value: str | None, today: date | None = None) -> str | None:
    """A date filter as YYYY-MM-DD; None when empty. Raises UsageError naming `name` if unreadable.

    Accepts 2024-01-18, "today", "yesterday", "N days ago" and "Nd" (N days before today).

    Example:
        >>> parse_day("since", "yesterday", today=date(2024, 1, 19))
        '2024-01-18'
    """
    value = (value or "").strip()
    if not value:
        return None
    today = today or date.today()
    word = value.lower()
    if word == "today":
        return today.isoformat()
    if word == "yesterday":
        return (today - timedelta(days=1)).isoformat()
    if m := _AGO.match(word):
        return (today - timedelta(days=int(m.group(1)))).isoformat()
    if not _DATE.match(value):
        raise UsageError(f"{name} must be a date like 2024-01-18 (or today, yesterday, "
                         f"'3 days ago'), not {value!r}")
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"{name} is not a real date: {value!r}") from exc
    return value
