"""Publication and fetch times -> ISO 8601 strings (UTC when the input names a zone).

Inputs say when something was published in many ways: ISO 8601 (JSONL, WARC-Date, Atom), RFC 822
(RSS `pubDate`, HTTP), or a feed parser's UTC `struct_time`. Everything comes out as
`YYYY-MM-DDTHH:MM:SSZ` when a zone is known, `YYYY-MM-DDTHH:MM:SS` when it is not, and
`YYYY-MM-DD` for a bare date. A value that cannot be read is None, never an error: a missing
date is not a reason to drop an article.
"""

from __future__ import annotations

import calendar
import re
import time
import warnings
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

# Dates outside this range are parse accidents (a "0001-01-01" CMS default, an epoch 0).
_MIN_YEAR, _MAX_YEAR = 1900, 2100
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HAS_TIME = re.compile(r"\d\s*[:hH]\s*\d\d(?!\d)|\d\s*[ap]\.?m\b", re.I)
_HAS_YEAR = re.compile(r"(?<!\d)(1[9]\d\d|20\d\d|2100)(?!\d)")
# dateutil fills what a text leaves out from a default date: parsing with two defaults that
# differ in month and day tells whether the text wrote its own.
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2000, 2, 2)


def format_datetime(dt: datetime) -> str | None:
    """ISO 8601 for `dt`: converted to UTC with a `Z` when it is aware, as is when naive."""
    if not _MIN_YEAR <= dt.year <= _MAX_YEAR:
        return None
    try:
        offset = dt.utcoffset()
    except ValueError:  # a zone of 24 hours or more ("+50:0"; found by fuzz/fuzz_dates.py)
        return None
    if dt.tzinfo is not None and offset is not None:
        try:
            utc = dt.astimezone(UTC)
        except (OverflowError, ValueError):  # 0001-01-01T00:00+23:59 crosses out of range
            return None
        # Converting may cross a year bound (2100-12-31T23:59-23:59 is in 2101).
        if not _MIN_YEAR <= utc.year <= _MAX_YEAR:
            return None
        return utc.replace(microsecond=0, tzinfo=None).isoformat() + "Z"
    return dt.replace(microsecond=0, tzinfo=None).isoformat()


def from_struct_time(value: time.struct_time | None) -> str | None:
    """ISO 8601 UTC from a UTC `struct_time` (what feedparser's `*_parsed` fields hold)."""
    if value is None:
        return None
    try:
        dt = datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        return None
    return format_datetime(dt)


def normalise_date(value: object, language: str | None = None) -> str | None:
    """Any date-like value -> ISO 8601 string, or None when it cannot be read.

    `language` (ISO 639-1, e.g. the feed's) helps read month and day names in other languages.

    Examples:
        >>> normalise_date("2024-01-18T09:30:00+05:00")
        '2024-01-18T04:30:00Z'
        >>> normalise_date("Thu, 18 Jan 2024 10:00:00 GMT")
        '2024-01-18T10:00:00Z'
        >>> normalise_date("2024-01-18")
        '2024-01-18'
        >>> normalise_date("last Tuesday") is None
        True
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat() if _MIN_YEAR <= value.year <= _MAX_YEAR else None
    if isinstance(value, time.struct_time):
        return from_struct_time(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Unix time in seconds (2001-2286) or milliseconds; small numbers are not timestamps.
        seconds = value if 1e9 <= value < 1e10 else value / 1000 if 1e12 <= value < 1e13 else None
        if seconds is None:
            return None
        try:
            return format_datetime(datetime.fromtimestamp(float(seconds), tz=UTC))
        except (OverflowError, ValueError, OSError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 100:
        return None
    if _DATE_ONLY.match(text):
        try:
            d = date.fromisoformat(text)
        except ValueError:
            return None
        return d.isoformat() if _MIN_YEAR <= d.year <= _MAX_YEAR else None
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return format_datetime(datetime.fromisoformat(iso))
    except ValueError:
        pass
    try:
        return format_datetime(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        pass
    # dateutil fills missing parts from today's date, so only trust it when a year is written.
    if not _HAS_YEAR.search(text):
        return None
    from dateutil import parser as dateutil_parser

    try:
        with warnings.catch_warnings():
            # An unknown zone name ("PKT") warns; the time is still right, only naive.
            warnings.simplefilter("ignore")
            dt = dateutil_parser.parse(text, default=_DEFAULT_A)
            other = dateutil_parser.parse(text, default=_DEFAULT_B)
    except (ValueError, OverflowError, TypeError):
        return _dateparser(text, language)
    if (dt.month, dt.day) != (other.month, other.day):
        return None  # "May 2010", "2010", "Monday, 2010": no day written, none made up
    if not _HAS_TIME.search(text) and dt.time() == datetime.min.time() and dt.tzinfo is None:
        return dt.date().isoformat() if _MIN_YEAR <= dt.year <= _MAX_YEAR else None
    return format_datetime(dt)


# dateparser tries every locale it knows when not told which: ~2.4 s per date on this machine,
# against ~0.1 s for these ten and ~0.02 s for one (measured on "Seg, 24 Set 2018 19:42:40 -0300").
_NEWS_LANGUAGES = ("en", "fr", "de", "es", "pt", "it", "nl", "ru", "tr", "pl")


def _dateparser(text: str, language: str | None) -> str | None:
    """Last resort for dates written in other languages ("Seg, 24 Set 2018 19:42:40 -0300")."""
    import dateparser

    attempts = [[language], list(_NEWS_LANGUAGES)] if language else [list(_NEWS_LANGUAGES)]
    dt = None
    for languages in attempts:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # dateparser warns about its own deprecated internals
            try:
                dt = dateparser.parse(text, languages=languages,
                                      settings={"REQUIRE_PARTS": ["day", "month", "year"]})
            except (ValueError, OverflowError, TypeError, AttributeError, KeyError):
                dt = None  # KeyError/ValueError: a language dateparser has no locale for
        if dt is not None:
            break
    if dt is None:
        return None
    if not _HAS_TIME.search(text) and dt.time() == datetime.min.time():
        return dt.date().isoformat() if _MIN_YEAR <= dt.year <= _MAX_YEAR else None
    return format_datetime(dt)


__all__ = ["format_datetime", "from_struct_time", "normalise_date"]
