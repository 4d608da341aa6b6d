"""Find date expressions in news text and resolve them against an anchor time.

`find_dates(text)` returns `(start, end, expression)` spans; `resolve(expression, anchor)` turns
one expression into a `DateRange` (first and last day, granularity, exact or vague). The anchor is
the article's publication time, or the date of an event the expression is stated relative to
("two days after" the Tuesday strike).

News dating is relative to the article's own frame: "on Thursday" in a report published on a
Thursday is that same day; in one published on Friday it is the day before. So a bare weekday is
the most recent such day on or before the anchor ("next Thursday" goes forward). Vague
expressions ("earlier this month", "last week") stay ranges and are marked `exact=False`; so do
month and year offsets ("a month after" the 10 March crash is April, not a day in it).
"Two days later than planned" compares with a plan and is no date at all.
dateparser handles none of the relative-frame forms, so this module does the grammar itself and
uses no third-party parser.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

__all__ = ["DateRange", "find_dates", "resolve"]


@dataclass(frozen=True, slots=True)
class DateRange:
    """A resolved date: one day (`start == end`) or a range of days, both inclusive.

    `granularity` is "day", "week", "month", "year" or "span" (an open-ended stretch such as
    "earlier this month"); `exact` is False for vague or hedged expressions.
    """

    start: date
    end: date
    granularity: str
    exact: bool = True

    def iso(self) -> str:
        """The start as an ISO date (the end too, "start/end", when it is a range)."""
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()}/{self.end.isoformat()}"


_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_NUMS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "a couple of": 2, "a few": 3, "several": 3, "fourteen": 14, "twenty": 20, "thirty": 30,
}  # fmt: skip
# months and years are counted on the calendar, not in days (see _r_offset)
_UNIT_DAYS = {"day": 1, "week": 7, "hour": 1 / 24}

_MONTH_RE = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WD_RE = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_NUM_RE = (
    r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|"
    r"twenty|thirty|a couple of|a few|several)"
)
_HEDGE_RE = (
    r"(?:(?:a\s+little\s+|a\s+bit\s+|slightly\s+)?(?:more|less)\s+than|"
    r"about|around|nearly|almost|roughly|some|over|under)"
)
_DAYPART_RE = r"(?:morning|afternoon|evening|night)"
_ORD = r"(\d{1,2})(?:st|nd|rd|th)?"

# Every pattern is matched case-insensitively against the expression (resolve) or the text
# (find_dates). Order matters for resolve: the first full match wins.
_PATTERNS: list[tuple[str, str]] = [
    ("iso", r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?"),
    ("dmy", rf"{_ORD}\s+(?:of\s+)?({_MONTH_RE})(?:,?\s+(\d{{4}}))?"),
    ("mdy", rf"({_MONTH_RE})\s+{_ORD}(?:,?\s+(\d{{4}}))?"),
    ("month_year", rf"({_MONTH_RE})\s+(?:of\s+)?(\d{{4}})"),
    # not "two days later than planned": a comparison with a plan or forecast, not a time offset
    ("offset", rf"(?:({_HEDGE_RE})\s+)?({_NUM_RE})\s+(day|week|hour|month|year)s?\s+"
               r"(after|later|before|earlier|ago|on)(?!\s+than\b)"),
    ("next_day", r"(?:the\s+)?(?:next|following)\s+day|(?:the\s+)?day\s+(?:after|before)|the\s+previous\s+day"),
    ("rel_period", r"(earlier|later)\s+(?:this|in\s+the)\s+(week|month|year)"),
    ("period", r"(this|last|next|past|previous)\s+(week|month|year|weekend)"),
    ("weekday", rf"(?:(?:late|early|earlier|later)\s+)?(?:on\s+)?(?:(last|this|next|past)\s+)?"
                rf"({_WD_RE})(?:\s+{_DAYPART_RE})?"),
    ("named_day", r"(today|yesterday|tomorrow|tonight|last\s+night|this\s+(?:morning|afternoon|evening))"),
    ("month", rf"(?:(early|mid|late)[\s-]+)?(?:in\s+)?({_MONTH_RE})"),
    ("year", r"(?:in\s+)?((?:19|20)\d{2})"),
]  # fmt: skip
_COMPILED = [(name, re.compile(rf"^(?:{pat})$", re.I)) for name, pat in _PATTERNS]
# For find_dates: a bare month name like "may"/"march" is only a date next to a day or year, and
# a bare year only after "in"; weekday/named forms are always dates.
_FIND_PATTERNS = [
    (name, pat)
    for name, pat in _PATTERNS
    if name not in ("month", "year")
] + [
    ("month", rf"(?:(?:early|mid|late)[\s-]+)?in\s+(?:{_MONTH_RE})"),
    ("year", r"in\s+(?:19|20)\d{2}"),
]  # fmt: skip
_FIND = re.compile(
    "|".join(rf"(?P<{name}>\b(?:{pat})\b)" for name, pat in _FIND_PATTERNS),
    re.I,
)
_FIND_EACH = [re.compile(rf"\b(?:{pat})\b", re.I) for _name, pat in _FIND_PATTERNS]
_LEAD = re.compile(r"^(?:on|in|at|since|by|from|until|as of)\s+", re.I)


def _as_date(anchor: datetime | date | None) -> date | None:
    if anchor is None:
        return None
    if isinstance(anchor, datetime):
        return anchor.date()
    return anchor


def _num(word: str) -> float | None:
    word = " ".join(word.lower().split())
    if word.isdigit():
        return float(word)
    return float(_NUMS[word]) if word in _NUMS else None


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month_range(y: int, m: int) -> tuple[date, date]:
    return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])


def _day(d: date, exact: bool = True) -> DateRange:
    return DateRange(d, d, "day", exact)


def _guess_year(month: int, day: int, ref: date | None) -> int | None:
    """Year for a day-and-month without one: the anchor's, or the year before when that date
    would lie well after the anchor (a January report about "28 December")."""
    if ref is None:
        return None
    cand = _safe_date(ref.year, month, day) or date(ref.year, month, 28)
    # A week of slack: a report may announce a date a few days ahead ("on 3 January" said on
    # 30 December stays in the next year only when it is explicitly future, which we cannot see).
    if cand > ref + timedelta(days=180):
        return ref.year - 1
    if cand < ref - timedelta(days=185):
        return ref.year + 1
    return ref.year


def resolve(expression: str, anchor: datetime | date | None) -> DateRange | None:
    """Resolve a date expression against `anchor` (publication time or a dated event).

    Returns None when the expression is not a date, or when it is relative and there is no
    anchor. Weekdays resolve to the most recent such day on or before the anchor; "next X" goes
    forward.

    >>> resolve("late on Tuesday", datetime(2024, 1, 18)).start
    datetime.date(2024, 1, 16)
    >>> resolve("earlier this month", datetime(2024, 1, 18)).iso()
    '2024-01-01/2024-01-18'
    """
    expr = " ".join(expression.strip().strip(".,;:").split())
    expr = _LEAD.sub("", expr)
    ref = _as_date(anchor)
    for name, rx in _COMPILED:
        m = rx.match(expr)
        if m:
            return _RESOLVERS[name](m, ref)
    return None


def _r_iso(m: re.Match[str], ref: date | None) -> DateRange | None:
    d = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return _day(d) if d else None


def _r_dmy(m: re.Match[str], ref: date | None) -> DateRange | None:
    return _dm(int(m.group(1)), _MONTHS[m.group(2).lower().rstrip(".")], m.group(3), ref)


def _r_mdy(m: re.Match[str], ref: date | None) -> DateRange | None:
    return _dm(int(m.group(2)), _MONTHS[m.group(1).lower().rstrip(".")], m.group(3), ref)


def _dm(day: int, month: int, year: str | None, ref: date | None) -> DateRange | None:
    y = int(year) if year else _guess_year(month, day, ref)
    if y is None:
        return None
    d = _safe_date(y, month, day)
    return _day(d) if d else None


def _r_month_year(m: re.Match[str], ref: date | None) -> DateRange | None:
    s, e = _month_range(int(m.group(2)), _MONTHS[m.group(1).lower().rstrip(".")])
    return DateRange(s, e, "month", False)


def _r_offset(m: re.Match[str], ref: date | None) -> DateRange | None:
    if ref is None:
        return None
    hedge, qty, unit, direction = m.group(1), _num(m.group(2)), m.group(3).lower(), m.group(4).lower()
    if qty is None:
        return None
    sign = -1 if direction in ("before", "earlier", "ago") else 1
    if unit in ("month", "year"):
        # Counted on the calendar: "a month after" 10 March is April, and "a year after"
        # 1 January 2024 is 2025 (365 days would stop on 31 December of the leap year). The
        # offset is only as precise as its unit, so the result is that whole month or year.
        n = sign * round(qty)
        if unit == "month":
            y, m0 = divmod(ref.year * 12 + ref.month - 1 + n, 12)
            if not 1 <= y <= 9999:
                return None
            s, e = _month_range(y, m0 + 1)
            return DateRange(s, e, "month", False)
        y = ref.year + n
        if not 1 <= y <= 9999:
            return None
        return DateRange(date(y, 1, 1), date(y, 12, 31), "year", False)
    try:
        d = ref + timedelta(days=sign * round(qty * _UNIT_DAYS[unit]))
    except OverflowError:  # "100000 days after": past the calendar's end
        return None
    vague = bool(hedge) or m.group(2).lower() in ("several", "a few", "a couple of")
    if unit in ("day", "hour"):
        return _day(d, exact=not vague)
    if vague:
        return DateRange(d, d, "week", False)
    return _day(d)


def _r_next_day(m: re.Match[str], ref: date | None) -> DateRange | None:
    if ref is None:
        return None
    text = m.group(0).lower()
    back = "before" in text or "previous" in text
    return _day(ref + timedelta(days=-1 if back else 1))


def _week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _r_rel_period(m: re.Match[str], ref: date | None) -> DateRange | None:
    if ref is None:
        return None
    when, unit = m.group(1).lower(), m.group(2).lower()
    if unit == "week":
        s, e = _week_start(ref), _week_start(ref) + timedelta(days=6)
    elif unit == "month":
        s, e = _month_range(ref.year, ref.month)
    else:
        s, e = date(ref.year, 1, 1), date(ref.year, 12, 31)
    if when == "earlier":
        return DateRange(s, ref, "span", False)
    return DateRange(ref, e, "span", False)


def _r_period(m: re.Match[str], ref: date | None) -> DateRange | None:
    if ref is None:
        return None
    which, unit = m.group(1).lower(), m.group(2).lower()
    step = {"this": 0, "last": -1, "past": -1, "previous": -1, "next": 1}[which]
    if unit in ("week", "weekend"):
        s = _week_start(ref) + timedelta(weeks=step)
        if unit == "weekend":
            return DateRange(s + timedelta(days=5), s + timedelta(days=6), "week", False)
        return DateRange(s, s + timedelta(days=6), "week", False)
    if unit == "month":
        y, mo = ref.year, ref.month + step
        if mo < 1:
            y, mo = y - 1, 12
        elif mo > 12:
            y, mo = y + 1, 1
        s, e = _month_range(y, mo)
        return DateRange(s, e, "month", False)
    y = ref.year + step
    return DateRange(date(y, 1, 1), date(y, 12, 31), "year", False)


def _r_weekday(m: re.Match[str], ref: date | None) -> DateRange | None:
    if ref is None:
        return None
    which = (m.group(1) or "").lower()
    target = _WEEKDAYS[m.group(2).lower()]
    if which == "next":
        delta = (target - ref.weekday()) % 7 or 7
        return _day(ref + timedelta(days=delta))
    back = (ref.weekday() - target) % 7
    if which in ("last", "past") and back == 0:
        back = 7
    return _day(ref - timedelta(days=back))


def _r_named_day(m: re.Match[str], ref: date | None) -> DateRange | None:
    if ref is None:
        return None
    word = " ".join(m.group(1).lower().split())
    shift = {"yesterday": -1, "tomorrow": 1, "last night": -1}.get(word, 0)
    return _day(ref + timedelta(days=shift))


def _r_month(m: re.Match[str], ref: date | None) -> DateRange | None:
    if ref is None:
        return None
    part = (m.group(1) or "").lower()
    month = _MONTHS[m.group(2).lower().rstrip(".")]
    y = _guess_year(month, 15, ref) or ref.year
    s, e = _month_range(y, month)
    if part == "early":
        e = s + timedelta(days=9)
    elif part == "mid":
        s, e = s + timedelta(days=10), s + timedelta(days=19)
    elif part == "late":
        s = s + timedelta(days=20)
    return DateRange(s, e, "month", False)


def _r_year(m: re.Match[str], ref: date | None) -> DateRange | None:
    y = int(m.group(1))
    return DateRange(date(y, 1, 1), date(y, 12, 31), "year", False)


_RESOLVERS = {
    "iso": _r_iso,
    "dmy": _r_dmy,
    "mdy": _r_mdy,
    "month_year": _r_month_year,
    "offset": _r_offset,
    "next_day": _r_next_day,
    "rel_period": _r_rel_period,
    "period": _r_period,
    "weekday": _r_weekday,
    "named_day": _r_named_day,
    "month": _r_month,
    "year": _r_year,
}


def find_dates(text: str) -> list[tuple[int, int, str]]:
    """Every date expression in `text` as `(start, end, expression)`, in text order.

    Leftmost-longest: where two forms overlap the earlier, then longer, one is kept. A bare
    month name ("may", "march") counts only with a day or year, or after "in".
    """
    return list(_find_dates(text))


# Memoised: the timeline reads every sentence of every article, and wire copies repeat theirs
# (the 1,000-article bench/throughput.py corpus: 6,449 calls, one story of 134 copies).
@lru_cache(maxsize=8192)
def _find_dates(text: str) -> tuple[tuple[int, int, str], ...]:
    found: list[tuple[int, int, str]] = []
    pos = 0
    while pos <= len(text):
        m = _FIND.search(text, pos)
        if not m:
            break
        # the alternation picks the first alternative that matches at this position; prefer
        # the longest one among all alternatives starting here.
        best_end = m.end()
        for rx in _FIND_EACH:
            mm = rx.match(text, m.start())
            if mm and mm.end() > best_end:
                best_end = mm.end()
        found.append((m.start(), best_end, text[m.start() : best_end]))
        pos = best_end if best_end > m.start() else m.start() + 1
    return tuple(found)
