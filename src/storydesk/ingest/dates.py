"""Publication and fetch times -> ISO 8601 strings (UTC when the input names a zone).

Inputs say when something was published in many ways: ISO 8601 (JSONL, WARC-Date, Atom), RFC 822
(RSS `pubDate`, HTTP), or a feed parser's UTC `struct_time`. Everything comes out as
`YYYY-MM-DDTHH:MM:SSZ` when a zone is known, `YYYY-MM-DDTHH:MM:SS` when it is not, and
`YYYY-MM-DD` for a bare date. A value that cannot be read is None, never an error: a missing
date is not a reason to drop an article.
"""

from __future__ import annotations

import calendar
import difflib
import functools
import re
import time
import warnings
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

# Where an article's `published` came from (`Provenance.published_from`), most trusted first
# after the input's own word: a JSONL line's field, the page's metadata (htmldate, JSON-LD,
# meta tags), a dateline in the text, the feed entry's date, the WARC record's capture time.
PUBLISHED_INPUT, PUBLISHED_PAGE, PUBLISHED_DATELINE = "input", "page-metadata", "dateline"
PUBLISHED_FEED, PUBLISHED_WARC = "feed", "warc-record"
TRUST = (PUBLISHED_INPUT, PUBLISHED_PAGE, PUBLISHED_DATELINE, PUBLISHED_FEED, PUBLISHED_WARC)

# Dates outside this range are parse accidents (a "0001-01-01" CMS default, an epoch 0).
_MIN_YEAR, _MAX_YEAR = 1900, 2100
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HAS_TIME = re.compile(r"\d\s*[:hH]\s*\d\d(?!\d)|\d\s*[ap]\.?m\b", re.I)
_MERIDIEM = re.compile(r"\d\s*[ap]\.?\s?m\b", re.I)
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
    # RFC 822 only: email.utils reads "June 13, 2013 4:59 PM" too, dropping the PM (04:59).
    if not _MERIDIEM.search(text):
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


# --------------------------------------------------------------------------- datelines

# Languages whose month and day names a dateline may use (babel's names, all forms). English
# also gets every 3+ letter prefix of its names ("Sept", "Tues", "Thurs"), which its pages use.
_DATELINE_LANGUAGES = ("en", "fr", "de", "es", "pt", "it", "nl")
# The label a dateline may start with: "Published:", "First Published", "Updated", "Posted on",
# "Originally published", "Last modified", "Veröffentlicht am", "Mis à jour le", "Actualizado".
_DATELINE_LABEL = re.compile(
    r"^\W*(?:(?:first|originally|last|date|dated)\s+)?(?:published|updated|posted|modified|created|edited|"
    r"date|dated|aktualisiert|veröffentlicht|erstellt|stand|mis à jour|publié|actualizado|publicado|"
    r"atualizado|aggiornato|pubblicato|bijgewerkt|gepubliceerd)"
    r"(?:\s+(?:on|at|am|um|le|el|em|il|op))?\s*[:.-]?\s*",
    re.I,
)
# Label words met inside a dateline ("Posted: 04/9/2012 8:33 am Updated: 04/9/2012 8:33 am").
_LABEL_WORDS = frozenset({
    "posted", "updated", "published", "modified", "edited", "created", "last", "first", "originally", "date",
    "dated", "time",
})
# Words a dateline holds besides numbers and month/day names: am/pm (also "a. m."), ordinal
# suffixes, hour marks ("14h30", "Uhr") and the words joining a date to its time.
_DATELINE_WORDS = frozenset({
    "a", "m", "p", "am", "pm", "st", "nd", "rd", "th", "er", "h", "hrs", "uhr",
    "at", "on", "um", "le", "la", "el", "de", "del", "of", "à", "às", "em", "il", "op",
})
# A time-zone abbreviation written in capitals: "ET", "EDT", "PST", "CEST", "GMT", "UTC", "Z".
_ZONE = re.compile(r"^(?:[A-Z]{1,3}T|UTC|GMT|Z)$")
_DL_TOKEN = re.compile(r"[^\W\d_]+|\d+", re.U)
_CJK_DATE = frozenset("年月日時分秒午前後")
_MAX_DATELINE_TOKENS = 14
# Capitalised words a dateline may name besides its date: a place and an agency ("WASHINGTON,
# DC, April 28, 2009", "Reuters Sep 18, 2013"). Three let title-case headlines with a date in
# them ("Obama Signs Bill May 5") pass for datelines; two keep them headlines.
_MAX_PLACE_WORDS = 2
_NUMERIC_DATE = re.compile(r"(?<!\d)\d{1,4}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}(?!\d)")
_CLOCK = re.compile(r"(?<!\d)\d{1,2}\s*[:.]\s*\d{2}\s*(?:[ap]\.?\s?m\b|h\b|uhr\b|[A-Z]{1,3}T\b|UTC|GMT)|"
                    r"(?<!\d)\d{1,2}\s*:\s*\d{2}(?!\d)", re.I)
# A line opening with one of these labels and holding a number states when it was published.
_PUBLISHING_LABEL = re.compile(
    r"^\W*(?:(?:first|originally|last)\s+)?(?:posted|published|updated|edited|created|veröffentlicht|"
    r"aktualisiert|mis à jour|publié|actualizado|publicado|atualizado|aggiornato|pubblicato)\b",
    re.I,
)
# Spacing left by re-joined corpus tokens: "4: 59", "11 / 28 / 05", "p. m."
_SPACED_COLON = re.compile(r"(?<=\d)\s*:\s+(?=\d)")
_DOT_CLOCK = re.compile(r"(?<=\d)\.\s+(?=\d{2}\s*[ap]\.?\s?m\b)", re.I)  # "02. 16PM"
_SPACED_SEP = re.compile(r"(?<=\d)\s+([/.-])\s+(?=\d)")
_SPACED_MERIDIEM = re.compile(r"\b([ap])\.\s?m\.?(?!\w)", re.I)
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.I)
_JOINERS = re.compile(r"\s+(?:@|\||at|um|à|às)\s+|\s+@|@\s+", re.I)
# A numeric date with a two-digit year ("11/28/05"): dateutil will not guess its century.
_SHORT_YEAR = re.compile(r"^(\d{1,2}[/.-]\d{1,2}[/.-])(\d{2})(?!\d)")


@functools.lru_cache(maxsize=2)
def _calendar_words(days: bool = True) -> frozenset[str]:
    """Month (and, with `days`, weekday) names of the dateline languages, from babel, casefolded;
    English wide names also by their prefixes ("sept", "wednes")."""
    from babel.dates import get_day_names, get_month_names

    names: set[str] = set()
    for lang in _DATELINE_LANGUAGES:
        for get in (get_month_names, get_day_names) if days else (get_month_names,):
            for width in ("wide", "abbreviated"):
                for context in ("format", "stand-alone"):
                    for name in get(width, context=context, locale=lang).values():
                        key = name.casefold().strip(".")
                        names.add(key)
                        if lang == "en" and width == "wide":
                            names.update(key[:n] for n in range(3, len(key)))
    return frozenset(names)


def _strip_label(text: str) -> tuple[str, bool]:
    m = _DATELINE_LABEL.match(text)
    return (text[m.end():], True) if m and m.end() < len(text) else (text, False)


def is_dateline(text: str, places: bool = True) -> bool:
    """True when a line only states a date and/or time ("Friday, June 7, 2013",
    "9/10/2010 @ 1:19PM", "Updated 4: 08 p. m. ET", "Published: 12 January 2010"), maybe with
    the place or agency a dateline names ("WASHINGTON, DC, April 28, 2009", "Mumbai, Nov 11 -",
    "Reuters Sep 18, 2013, 02. 16PM IST").

    Its words are month or day names (babel's, in the main news languages), am/pm, ordinal
    suffixes, time-zone abbreviations in capitals and words joining a date to a time; at least
    one number is there. Besides those, at most `_MAX_PLACE_WORDS` capitalised words (a place,
    an agency) when the date words outnumber them and a real date or clock time is written. A
    line that opens with a publishing label ("Posted", "Updated", "Veröffentlicht") and holds a
    number is a dateline whatever follows ("Posted 1 year, 160 days ago"). Such a line is never
    a headline nor an outlet's name. `places=False` allows no other word: a title an input
    gives is trusted that far ("Giant Bombcast 07/19/2016", a podcast feed's episode title).

    Examples:
        >>> is_dateline("Friday, June 7, 2013"), is_dateline("5 killed in June 7 blast")
        (True, False)
        >>> is_dateline("WASHINGTON - April 27 -"), is_dateline("Obama Signs Bill May 5")
        (True, False)
    """
    if not text or len(text) > 120:
        return False
    stripped = text.strip()
    body, _labelled = _strip_label(stripped)
    tokens = _DL_TOKEN.findall(body)
    if not tokens or not any(t.isdigit() for t in tokens):
        return False
    if _PUBLISHING_LABEL.match(stripped):  # "First Posted: <date> Updated: <date>" is long
        return len(tokens) <= 2 * _MAX_DATELINE_TOKENS
    if len(tokens) > _MAX_DATELINE_TOKENS:
        return False
    names = _calendar_words()
    misspelt = others = dated = 0
    spans = list(_DL_TOKEN.finditer(body))
    for k, match in enumerate(spans):
        tok = match.group()
        low = tok.casefold()
        if (tok.isdigit() or low in names or low in _DATELINE_WORDS or low in _LABEL_WORDS or _ZONE.match(tok)
                or all(c in _CJK_DATE for c in tok)):
            dated += 1
            continue
        # One month name typed wrong ("Novemer 27, 2005"): within 0.8 similarity of a name
        # of five letters or more, so that short words never pass for one.
        if misspelt == 0 and len(low) >= 5 and difflib.get_close_matches(low, _long_names(), n=1, cutoff=0.8):
            misspelt += 1
            dated += 1
            continue
        if len(tok) == 1 and tok.isupper():
            continue  # an initial of a place ("Washington D. C.")
        others += 1
        if not places or others > _MAX_PLACE_WORDS or not _place_like(body, spans, k):
            return False
    return others == 0 or (dated > others and _has_date(body, tokens))


def _place_like(body: str, spans: list[re.Match[str]], k: int) -> bool:
    """A dateline's place or agency: in capitals ("WASHINGTON", "UK"), or capitalised and set
    off by a comma or a dash ("Mumbai, Nov 11", "Washington D. C., Jul 13"). A capitalised word
    run into the date is prose ("Available June 22, 2017", a listing in a craigslist feed)."""
    tok = spans[k].group()
    if len(tok) >= 2 and tok.isupper():
        return True
    if not tok[:1].isupper():
        return False
    j = k + 1
    while j < len(spans) and ((len(spans[j].group()) == 1 and spans[j].group().isupper())
                              or spans[j].group().casefold() in _LABEL_WORDS):
        j += 1  # initials after a name ("D. C."), a label ("Story Created:")
    end = spans[j - 1].end()
    rest = body[end:].lstrip(" .")
    return rest[:1] in (",", "-", "–", "—", "|", ":")


def _has_date(body: str, tokens: list[str]) -> bool:
    """A written date or clock time: "4/9/2007", "4: 59", or a month name next to a number."""
    if _NUMERIC_DATE.search(body) or _CLOCK.search(body):
        return True
    months = _month_words()
    return any(
        tokens[k].casefold() in months and any(0 <= j < len(tokens) and tokens[j].isdigit() for j in (k - 1, k + 1))
        for k in range(len(tokens))
    )


def _month_words() -> frozenset[str]:
    return _calendar_words(days=False)


_INNER_LABEL = re.compile(r"(?i)\s(?:last\s+)?(?:updated|modified|edited|posted|published)\b\s*:?")


def _closest_name(token: str) -> str:
    low = token.casefold()
    if token.isdigit() or len(low) < 5 or low in _calendar_words():
        return token
    close = difflib.get_close_matches(low, _long_names(), n=1, cutoff=0.8)
    return close[0] if close else token


def _date_word(tok: str) -> bool:
    low = tok.casefold()
    return (tok.isdigit() or low in _calendar_words() or low in _DATELINE_WORDS or bool(_ZONE.match(tok))
            or all(c in _CJK_DATE for c in tok))


@functools.lru_cache(maxsize=1)
def _long_names() -> list[str]:
    return sorted(n for n in _calendar_words() if len(n) >= 5)


def dateline_date(text: str, language: str | None = None) -> str | None:
    """The publication time a dateline states, ISO 8601; None when it gives no full date.

    Reads the spacing of re-joined corpus tokens ("4: 59 p. m.", "11 / 28 / 05") and the
    joiners pages put between date and time ("@", "|", "at"); a two-digit year is 19xx above
    68 and 20xx otherwise (POSIX's rule for %y). A time with no date ("Updated 4: 08 p. m. ET")
    gives None: a date is never made up, today least of all.

    Examples:
        >>> dateline_date("9/10/2010 @ 1:19PM")
        '2010-09-10T13:19:00'
        >>> dateline_date("Updated 4: 08 p. m. ET") is None
        True
    """
    if not is_dateline(text):
        return None
    body, _labelled = _strip_label(text.strip())
    # "Posted: <date> Updated: <date>": the first stated time is the publication's.
    body = _INNER_LABEL.split(body)[0]
    # a month name typed wrong is read as the name it is closest to ("Novemer" -> "november")
    body = _DL_TOKEN.sub(lambda m: _closest_name(m.group()), body)
    body = _SPACED_COLON.sub(":", body)
    body = _DOT_CLOCK.sub(":", body)
    body = _SPACED_SEP.sub(r"\1", body)
    body = _SPACED_MERIDIEM.sub(lambda m: m.group(1).lower() + "m", body)
    body = _ORDINAL.sub("", body)
    body = _JOINERS.sub(" ", body)
    # the place or agency a dateline names is no part of its date ("WASHINGTON, DC, April 28")
    body = _DL_TOKEN.sub(lambda m: m.group() if _date_word(m.group()) else " ", body)
    body = re.sub(r"\(\s*\)", " ", body)
    body = _SHORT_YEAR.sub(lambda m: m.group(1) + ("19" if int(m.group(2)) > 68 else "20") + m.group(2), body)
    body = " ".join(body.split()).strip(" ,|-:/")
    return normalise_date(body, language)


__all__ = ["PUBLISHED_DATELINE", "PUBLISHED_FEED", "PUBLISHED_INPUT", "PUBLISHED_PAGE", "PUBLISHED_WARC", "TRUST",
           "dateline_date", "format_datetime", "from_struct_time", "is_dateline", "normalise_date"]
