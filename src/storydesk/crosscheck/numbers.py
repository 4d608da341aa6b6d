"""Find quantities in a sentence and decide whether two of them can describe the same fact.

Takes plain text and returns `Quantity` records: the value (digits or words, "20, 000" with the
ECB+ token spacing, "1.5 million", "two dozen"), an interval `low`..`high` that the wording allows
("at least 9" is 9..inf, "around 90" is 85..95, "between 5 and 7" is 5..7), the hedge as written,
the unit or currency, what is counted ("killed", "injured", "people") and character offsets.

The one idea: a quantity is an interval, not a point. `compatible(a, b)` asks whether the two
intervals overlap, with the rounding that a hedge implies ("around 90" covers 85..95, so 84 is
out; "roughly 1.4 trillion" covers 1.37 trillion) -- the crosscheck-gold README's convention that
rounded figures stated with a hedge are agreements and without one are discrepancies.
"""

from __future__ import annotations

import calendar
import dataclasses
import math
import re
from dataclasses import dataclass

from storydesk.records import Record

INF = math.inf

# --------------------------------------------------------------------------- lexicons

_UNITS_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS_WORDS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
    "mn": 1_000_000,
    "bn": 1_000_000_000,
    "m": 1_000_000,
    "b": 1_000_000_000,
    "k": 1_000,
    "tn": 1_000_000_000_000,
}

# Hedges: the words before a number and the kind of bound they make.
_HEDGES: list[tuple[str, str]] = [
    ("at least", "lower"),
    ("no fewer than", "lower"),
    ("no less than", "lower"),
    ("more than", "lower"),
    ("over", "lower"),
    ("upwards of", "lower"),
    ("in excess of", "lower"),
    ("as many as", "upper"),
    ("up to", "upper"),
    ("at most", "upper"),
    ("less than", "upper"),
    ("fewer than", "upper"),
    ("under", "upper"),
    ("no more than", "upper"),
    ("nearly", "nearly"),
    ("almost", "nearly"),
    ("close to", "nearly"),
    ("just under", "nearly"),
    ("around", "approx"),
    ("about", "approx"),
    ("roughly", "approx"),
    ("approximately", "approx"),
    ("some", "approx"),
    ("an estimated", "approx"),
    ("estimated", "approx"),
    ("circa", "approx"),
    ("approx.", "approx"),
    ("an approximate", "approx"),
    ("just over", "approx"),
    ("a little more than", "approx"),
    ("slightly more than", "approx"),
    ("a little over", "approx"),
    ("a little less than", "approx"),
    ("slightly less than", "approx"),
]
_HEDGE_RE = re.compile(
    r"(?:\b("
    + "|".join(re.escape(h) for h, _ in sorted(_HEDGES, key=lambda x: -len(x[0])))
    + r")\s+(?:the\s+|a\s+)?)$",
    re.I,
)
_HEDGE_KIND = dict(_HEDGES)
_REPORTEDLY = re.compile(r"\b(reportedly|allegedly|purportedly|possibly|perhaps|unconfirmed)\b", re.I)
# An explicit update: the figure replaces an earlier one, so it is not a disagreement with it.
_UPDATE_RE = re.compile(
    r"(?:\b(?:rose|rises|risen|rising|climbed|climbs|jumped|increased|grew|raised|updated|went up|"
    r"revised(?:\s+(?:up|down)(?:wards?)?)?|bringing(?:\s+the(?:\s+\w+)?\s+(?:toll|total|number))?|"
    r"brought(?:\s+the(?:\s+\w+)?\s+(?:toll|total|number))?)\s+to|\breached|\bnow stands at|"
    r"\b(?:a|the)\s+revised)\s+(?:at least\s+|about\s+|around\s+|more than\s+)?\$?$",
    re.I,
)
# A forecast in the figure's clause: "economists expected retail sales to fall 12.3%", "is
# projected to reach 2 million". ("An estimated 100,000" is a hedge, not a forecast.)
_FORECAST_RE = re.compile(
    r"\b(?:expect(?:ed|s|ing)?|forecast(?:s|ed|ing)?|predict(?:ed|s|ing)?|projected|projects|"
    r"anticipat(?:ed|es|ing)|consensus)\b[^.;!?]{0,60}$",
    re.I,
)
# A rate: "1,500 deaths a day", "$5 billion per year", "200 cases each week".
_RATE_RE = re.compile(
    r"(?:\s+[a-z-]+){0,2}\s+(?:a|per|each|every)\s+(?:day|week|month|year|hour)\b"
    r"(?!\s+(?:after|before|later|earlier|ago|since|into)\b)",  # "10 people a day after the quake": a date
    re.I,
)
# A figure counted on top of an earlier total: "two more victims", "3 additional deaths".
_INCREMENT_RE = re.compile(r"\s+(?:more|additional|extra)\s+(?!than\b)[a-z]", re.I)

# What a count is about: casualty words map to one class, so "killed"/"dead"/"died" agree.
_PREDICATES: dict[str, str] = {}
for _word in (
    "killed",
    "killing",
    "kill",
    "kills",
    "dead",
    "died",
    "die",
    "dies",
    "deaths",
    "death",
    "lives",
    "fatalities",
    "perished",
    "slain",
    "murdered",
    "toll",
    "victims",
):
    _PREDICATES[_word] = "killed"
for _word in (
    "injured",
    "injuring",
    "injure",
    "injures",
    "wounded",
    "wounding",
    "wounds",
    "hurt",
    "injuries",
    "hospitalised",
    "hospitalized",
    "treated",
    "treatment",
):
    _PREDICATES[_word] = "injured"
for _word in ("arrested", "arrests", "detained", "detaining", "held"):
    _PREDICATES[_word] = "arrested"
for _word in ("missing",):
    _PREDICATES[_word] = "missing"
for _word in ("evacuated", "displaced", "homeless"):
    _PREDICATES[_word] = "displaced"

_CURRENCY_SYMBOL = {"$": "USD", "€": "EUR", "£": "GBP", "e": "EUR", "p": "GBP", "euro": "EUR", "us$": "USD", "¥": "JPY"}
_CURRENCY_WORD = {
    "dollars": "USD",
    "dollar": "USD",
    "usd": "USD",
    "euros": "EUR",
    "euro": "EUR",
    "eur": "EUR",
    "pounds": "GBP",
    "pound": "GBP",
    "sterling": "GBP",
    "gbp": "GBP",
    "yen": "JPY",
    "yuan": "CNY",
    "rupees": "INR",
    "rubles": "RUB",
    "roubles": "RUB",
    "francs": "CHF",
}
_UNIT_WORD = {
    "km": "km",
    "kilometers": "km",
    "kilometres": "km",
    "kilometer": "km",
    "kilometre": "km",
    "miles": "mi",
    "mile": "mi",
    "mi": "mi",
    "meters": "m",
    "metres": "m",
    "m": "m",
    "meter": "m",
    "metre": "m",
    "feet": "ft",
    "foot": "ft",
    "ft": "ft",
    "mph": "mph",
    "km/h": "km/h",
    "kph": "km/h",
    "percent": "%",
    "per cent": "%",
    "%": "%",
    "percentage points": "pp",
    "points": "points",
    "kg": "kg",
    "kilograms": "kg",
    "pounds-weight": "lb",
    "lb": "lb",
    "lbs": "lb",
    "tons": "t",
    "tonnes": "t",
    "hours": "h",
    "hour": "h",
    "minutes": "min",
    "days": "d",
    "day": "d",
    "weeks": "wk",
    "months": "mo",
    "years": "yr",
    "year": "yr",
    "seconds": "s",
    "degrees": "deg",
    "acres": "acre",
    "hectares": "ha",
    "barrels": "bbl",
}
# Units that measure the same thing: a figure in km is never compared with one in miles
# (the gold's "different units" trap), only km with km.
_NOT_NOUNS = {
    "and",
    "or",
    "of",
    "the",
    "a",
    "an",
    "in",
    "on",
    "at",
    "to",
    "for",
    "by",
    "with",
    "from",
    "as",
    "was",
    "were",
    "is",
    "are",
    "had",
    "has",
    "have",
    "be",
    "been",
    "that",
    "which",
    "who",
    "said",
    "says",
    "more",
    "other",
    "others",
    "others.",
    "per",
    "than",
    "after",
    "before",
    "into",
    "during",
    "while",
    "since",
    "it",
    "its",
    "their",
    "his",
    "her",
    "all",
    "this",
}
_PEOPLE_NOUNS = {
    "people", "persons", "person", "others", "civilians", "individuals", "residents", "inhabitants",
    "villagers", "citizens", "locals",
}

_WORD_NUM = "|".join(sorted(list(_UNITS_WORDS) + list(_TENS_WORDS), key=len, reverse=True))
_SCALE_WORDS = "hundred|thousand|million|billion|trillion"
# A run of number words: "twenty-five", "three hundred", "1.5 million", "two dozen".
_NUM_TOKEN = (
    r"(?:\d{1,3}(?:,\s?\d{3})+(?:\.\d+)?"  # 20,000 and ECB+'s "20, 000"
    r"|\d+\.\d+"
    r"|\d{1,2}\.\s\d{1,2}(?![\d,])"  # ECB+ re-joined tokens: "5. 9", "93. 6 billion"
    r"|\d+"
    rf"|(?:{_WORD_NUM})(?:[-\s](?:{_WORD_NUM}))?"
    r"|a\s+dozen|dozens|a\s+hundred|hundreds|a\s+thousand|thousands"
    r")"
)
_NUMBER_RE = re.compile(
    r"(?P<cur>(?:US)?\$|€|£|\b[ep](?=\d)|\beuro(?=\d))?"
    rf"(?P<num>{_NUM_TOKEN})"
    # "$137 million", and hyphenated before a noun: "a $137-million haul", "a 20-million-euro deal"
    rf"(?P<scale>(?:(?:\s?-\s?|\s)?(?:{_SCALE_WORDS}|dozen)\b)*(?:\s?(?:mn|bn|tn|b)\b\.?)?)"
    # a second figure: a range or a tally, "5-7", "220 to 211", "a 220-to-190 vote"
    r"(?:\s?(?:-to-|-|to|and|or)\s?(?P<cur2>(?:US)?\$|€|£)?"
    rf"(?P<num2>\d[\d,.]*|(?:{_WORD_NUM}))(?P<scale2>(?:\s?(?:{_SCALE_WORDS}))*))?",
    re.I,
)
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_MONTH_AFTER = re.compile(r"(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTHS, re.I)
_MONTH_BEFORE = re.compile(r"\b" + _MONTHS + r"\s*$", re.I)
# A restricted subject: "including the shooter", "among senior staff", "15 of them".
# Forecasts are a different measure from the outcome ("expecting 870,000" vs "added 943,000").
_SCOPE_RE = re.compile(
    r"\b(including|excluding|not counting|among|besides|of whom|of them|"
    r"in addition to|apart from|expect\w*|forecast\w*|predict\w*|anticipat\w*|looking for|"
    r"projected|of\s+(?:its\s+|the\s+|their\s+)?(?:senior|top|junior)\s+\w+)\b",
    re.I,
)
_NEXT_FIGURE = re.compile(rf"[.;!?]|\d|\b(?:{_WORD_NUM})\b", re.I)
# a subset word right before the next figure introduces that figure
_LEADS_NEXT = re.compile(r"\b(?:including|excluding|not\s+counting|among\s+them|of\s+whom|besides)\W*$", re.I)
_PERPETRATOR_SCOPE = re.compile(
    r"\b(?:including|excluding|not\s+counting|counting|besides|apart\s+from)\s+(?:the\s+|a\s+|an\s+|one\s+|two\s+)?"
    r"(?:(?:suspected|alleged|lone|two|three)\s+)?(?:gunm[ae]n|shooters?|attackers?|assailants?|suspects?|bombers?|"
    r"perpetrators?|hijackers?|killers?|terrorists?|militants?)\b",
    re.I,
)
_MAGNITUDE_AFTER = re.compile(
    r"\s*-?\s*(?:magnitude|(?:strength|degrees?)\s+(?:quake|earthquake|tremor|temblor))", re.I
)
_RICHTER_AFTER = re.compile(r"\s+on\s+the\s+(?:[\w-]+\s+){0,2}richter\b", re.I)
_MEASURED_BEFORE = re.compile(r"\b(?:measur|register)(?:ed|ing|s)?\s+(?:a\s+)?$", re.I)
_QUAKE = re.compile(r"\b(?:earthquakes?|quakes?|tremors?|temblors?|aftershocks?|seism\w*)\b", re.I)
# A crowd sized by "put/estimated <the crowd> at N" or "a crowd of N": the figure counts people
# though no noun follows it. ("March" the month is not a march.)
_CROWD_AT = re.compile(
    r"\b(?:crowds?|(?-i:march(?:es)?)|rall(?:y|ies)|protests?|demonstrations?|turnout|attendance|gatherings?|"
    r"processions?|vigils?)\b[^.;!?]{0,60}?\b(?:at|of)\s+(?:[a-z]+\s+){0,3}$",
    re.I,
)
_RANGE_BETWEEN = re.compile(r"\bbetween\s+$", re.I)
_TIME_RE = re.compile(
    r"\b(?P<h>\d{1,2})(?::\s?(?P<m>\d{2}))?\s?(?P<ampm>[ap]\.?\s?m\b\.?)"
    r"|\b(?P<h2>\d{1,2}):(?P<m2>\d{2})\b"
    # 24-hour clock without a colon, marked as a time by what follows: "at 1353 (1023 GMT)"
    r"|\b(?P<h3>[01]\d|2[0-3])(?P<m3>[0-5]\d)(?=\s?(?:GMT|UTC|hrs\b|hours\b|local\b|\(\d{4}\s?(?:GMT|UTC)))",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Quantity(Record):
    """A number as stated in a text, normalised.

    `value` is the figure as written (scaled: "1.5 million" -> 1500000.0); `low`/`high` the
    interval its wording allows; `hedge` the words kept ("at least", "around", "reportedly");
    `bound` one of "exact", "approx", "nearly", "lower", "upper", "range", "tally" (a vote or
    score such as "52-48"); `unit` a currency code, a unit ("km", "%", "mag", "age", "time") or
    "" for a count; `noun` the counted thing ("people", "children") and `predicate` what happened
    to it ("killed", "injured") when the sentence says; `start`/`end` offsets into the text.
    """

    value: float
    low: float
    high: float
    hedge: str
    bound: str
    unit: str
    noun: str
    predicate: str
    start: int
    end: int
    text: str
    update: bool = False
    second: float | None = None  # the other end of a range or tally
    scoped: bool = False  # the count is of a subset or superset ("including the gunman")
    forecast: bool = False  # what was expected, not what happened ("economists expected 12.3%")
    rate: bool = False  # per period ("1,500 deaths a day"), not a total

    @property
    def key(self) -> str:
        """What the number measures: unit, and for counts the predicate or noun."""
        if self.bound == "tally":
            return "tally"
        if self.unit:
            return self.unit
        return f"count:{self.predicate or self.noun}"

    def label(self) -> str:
        """The normalised value with its qualifier kept: "at least 9", "around 90", "5-7"."""

        def fmt(v: float) -> str:
            if self.unit == "time":
                return f"{int(v) // 60:02d}:{int(v) % 60:02d}"
            if self.unit == "duration":
                if v >= 48 and v % 24 == 0:  # "two days after" reads as days, not "48 hours"
                    return f"{int(v) // 24} days"
                return (f"{v:.2f}".rstrip("0").rstrip(".")) + " hours"
            for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
                if abs(v) >= size:
                    return f"{v / size:.3f}".rstrip("0").rstrip(".") + f" {word}"
            return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.3f}".rstrip("0").rstrip(".")

        unit = {"USD": "$", "EUR": " euros", "GBP": " pounds"}.get(self.unit, "")
        if self.unit in ("USD",):
            num = f"${fmt(self.value)}"
        else:
            num = fmt(self.value) + (unit if unit else "")
            if self.unit and self.unit not in _CURRENCY_CODES and self.unit not in ("age", "time", "mag", "duration"):
                num += f" {self.unit}" if self.unit != "%" else "%"
        if self.bound in ("range", "tally") and self.second is not None:
            sep = "-"
            num = f"{fmt(self.value)}{sep}{fmt(self.second)}"
        qualifier = self.hedge.replace("reportedly", "").strip()
        return f"{qualifier} {num}".strip()


_HOURS = {"h": 1.0, "d": 24.0, "wk": 168.0, "min": 1 / 60, "s": 1 / 3600}
_CURRENCY_CODES = {"USD", "EUR", "GBP", "JPY", "CNY", "INR", "RUB", "CHF"}


def _parse_number(token: str) -> float | None:
    t = token.lower().replace("\u2009", " ").strip()
    if t in ("a dozen",):
        return 12.0
    if t == "dozens":
        return 24.0  # "dozens" is vague; bound "approx" with a wide tolerance below
    if t in ("a hundred",):
        return 100.0
    if t in ("hundreds",):
        return 200.0
    if t in ("a thousand",):
        return 1000.0
    if t in ("thousands",):
        return 2000.0
    if re.match(r"^\d{1,2}\.\s\d{1,2}$", t):
        return float(t.replace(" ", ""))
    if t[0].isdigit():
        digits = re.sub(r",\s?", "", t)
        try:
            return float(digits)
        except ValueError:
            return None
    parts = re.split(r"[-\s]+", t)
    total = 0
    for p in parts:
        if p in _UNITS_WORDS:
            total += _UNITS_WORDS[p]
        elif p in _TENS_WORDS:
            total += _TENS_WORDS[p]
        else:
            return None
    return float(total)


def _scale(words: str) -> float:
    factor = 1.0
    for w in re.findall(r"[a-z]+", words.lower()):
        if w == "dozen":
            factor *= 12
        elif w in _SCALES:
            factor *= _SCALES[w]
    return factor


def _rounding_unit(q_text: str, value: float) -> float:
    """The place the figure was rounded to: 90 -> 10, 1.4 (trillion) -> 0.1 trillion, 7 -> 1."""
    digits = re.sub(r"[^\d.]", "", q_text.split()[0]) if q_text and q_text[0].isdigit() else ""
    if not digits:
        return max(1.0, 10 ** math.floor(math.log10(value)) if value >= 20 else 1.0) if value > 0 else 1.0
    scale = value / float(digits) if float(digits) else 1.0
    if "." in digits:
        decimals = len(digits.split(".")[1])
        return 10 ** (-decimals) * scale
    stripped = digits.rstrip("0")
    zeros = len(digits) - len(stripped)
    return (10**zeros) * scale


def _interval(value: float, bound: str, unit_round: float) -> tuple[float, float]:
    if bound == "lower":
        return value, INF
    if bound == "upper":
        return 0.0, value
    if bound == "approx":
        # A hedged round figure covers what rounds to it: half its rounding unit, and never less
        # than 5% (crosscheck-gold README: "roughly $1.4 trillion" agrees with $1.37 trillion,
        # and the seeds' "around 90" does not cover 84).
        tol = max(unit_round / 2, 0.05 * value)
        return value - tol, value + tol
    if bound == "nearly":
        return value - max(unit_round / 2, 0.1 * value), value
    return value, value


def _context_before(text: str, start: int, n: int = 40) -> str:
    return text[max(0, start - n) : start]


def _words_after(text: str, end: int, n: int = 6) -> list[tuple[str, int]]:
    out = []
    for m in re.finditer(r"[A-Za-z][A-Za-z'’-]*|[.;:!?]", text[end : end + 80]):
        out.append((m.group(), end + m.start()))
        if len(out) >= n:
            break
    return out


def _find_predicate(text: str, start: int, end: int) -> str:
    """The nearest casualty/arrest word in the same clause (before or after the number)."""
    best: tuple[int, str] | None = None
    # the clause before the number: a comma or dash starts a new one ("killed in the
    # explosions, which hit two locations" -- the locations were not killed)
    clause_start = max(text.rfind(ch, 0, start) for ch in ".;:!?\n,–—(") + 1
    window_before = text[max(clause_start, start - 70) : start]
    for m in re.finditer(r"[A-Za-z]+", window_before):
        w = m.group().lower()
        if w in _PREDICATES:
            dist = len(window_before[m.end() :].split())
            if best is None or dist < best[0]:
                best = (dist, _PREDICATES[w])
    after = text[end : end + 80]
    stop = re.search(r"[.;:!?\n]| and (?=\D*\d)|, (?=\D*\d)", after)
    after = after[: stop.start()] if stop else after
    if best is not None:
        # a verb before the figure governs it up to the next coordinated clause: in "killing at
        # least 10 people, injuring dozens" (or "... and injuring many others") the 10 were killed
        after = re.split(r",|\band\b", after)[0]
    for i, m in enumerate(re.finditer(r"[A-Za-z]+", after)):
        w = m.group().lower()
        if w in _PREDICATES:
            if best is None or i <= best[0]:  # a tie goes to the word after: "3 dead and 15 injured"
                best = (i, _PREDICATES[w])
            break
    return best[1] if best else ""


_COUNTED_SINGULAR = frozenset(
    [
        "people", "police", "staff", "personnel", "children", "men", "women", "youth", "cattle",
        "livestock", "military", "crew", "aircraft", "militia", "clergy"
    ]
)


def _countable(noun: str) -> bool:
    """A plural noun (what a count counts), not an adjective or a singular."""
    if noun in _COUNTED_SINGULAR:
        return True
    return len(noun) > 3 and noun.endswith("s") and not noun.endswith(("ss", "us", "is"))


# A page's dateline or update stamp ("Last Updated: Monday, 28 November 2005, 02:24 GMT", "Wed May
# 5, 2010 7:12pm BST"): nothing but dates, times, time zones and the words that introduce them.
# Two such stamps differ by minutes or years; neither is a fact an outlet reports about the event.
_STAMP_WORDS = frozenset(
    {m.lower() for m in (*calendar.month_name, *calendar.month_abbr, *calendar.day_name, *calendar.day_abbr) if m}
    | {"sept", "tues", "thur", "thurs"}
    | {"updated", "update", "last", "published", "posted", "created", "modified", "on", "at", "local", "time"}
    | {"am", "pm", "a.m.", "p.m.", "a", "p", "m", "st", "nd", "rd", "th"}
    | {"gmt", "bst", "utc", "uk", "et", "est", "edt", "ct", "cst", "cdt", "pt", "pst", "pdt", "cet", "cest", "ist"}
)


# Numbers that label rather than count: a street block ("the 12000 block of East 223rd Street"), a
# gun's calibre ("a .38-caliber revolver"), a phone number ("call 0845 125 2222", "555-0199").
_NOT_A_FIGURE_AFTER = re.compile(r"\s?-?\s?(?:block\s+of\b|calib(?:er|re)\b|mm\s+(?:pistol|rifle|gun|handgun))", re.I)
_PHONE = re.compile(r"(?<![\d,.])(?:0\d{2,4}(?:[ -]\d{3,4}){1,3}|\d{3,4}(?:[ -]\d{3,4}){2,3}|\d{3}-\d{4})(?![\d,])")


# "N-year-old" before a thing, not a person.
_AGE_OF_THING = re.compile(
    r"\s?-?\s?years?\s?-?\s?old\s+(?:[a-z]+\s+)?(?:case|cases|mystery|murder|murders|killing|crime|law|laws|"
    r"record|tradition|company|firm|business|building|bridge|church|house|home|car|tree|plant|factory|"
    r"ship|plane|aircraft|program|programme|policy|rule|ban|treaty|dispute|feud|rivalry|war|conflict|"
    r"investigation|probe|scandal|debt|loan|contract|deal|franchise|team|club|stadium|school|store|shop)\b",
    re.I,
)


def _is_timestamp(text: str) -> bool:
    """Is `text` a bare date/time stamp with a clock time in it (no reported content)?"""
    if len(text) > 160 or not _TIME_RE.search(text):
        return False
    words = re.findall(r"[a-z]+(?:\.[a-z]\.)?", text.lower())
    return all(w in _STAMP_WORDS for w in words)


def extract_quantities(text: str) -> tuple[Quantity, ...]:
    """Every quantity in `text` with its hedge, unit, counted noun and offsets.

    Years (1900-2099 standing alone), ordinals and numbers inside words are skipped.

    >>> [q.label() for q in extract_quantities("at least nine people were killed")]
    ['at least 9']
    """
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    stamp = _is_timestamp(text)
    phones = [mm.span() for mm in _PHONE.finditer(text)]
    for m in _TIME_RE.finditer(text):
        if stamp:  # a page's "Updated 4/9/2007 6:04 PM": when it was posted, not what it reports
            taken.append((m.start(), m.end()))
            continue
        h = int(m.group("h") or m.group("h2") or m.group("h3"))
        mins = int(m.group("m") or m.group("m2") or m.group("m3") or 0)
        ampm = (m.group("ampm") or "").lower().replace(" ", "").replace(".", "")
        if h > 23 or mins > 59:
            continue
        if ampm == "pm" and h < 12:
            h += 12
        if ampm == "am" and h == 12:
            h = 0
        v = float(h * 60 + mins)
        before = _context_before(text, m.start())
        hm = _HEDGE_RE.search(before)
        hedge = hm.group(1).lower() if hm else ""
        bound = "approx" if hedge and _HEDGE_KIND.get(hedge) == "approx" else "exact"
        low, high = (v - 15, v + 15) if bound == "approx" else (v, v)
        out.append(Quantity(v, low, high, hedge, bound, "time", "", "", m.start(), m.end(), m.group()))
        taken.append((m.start(), m.end()))
    for m in _NUMBER_RE.finditer(text):
        s, e = m.start(), m.end()
        if any(a <= s < b or a < e <= b for a, b in taken):
            continue
        raw = m.group("num")
        # inside a word or an identifier ("F-16", "COVID-19", "A380")
        if (
            s > 0
            and (text[s - 1].isalnum() or text[s - 1] in "-/")
            and not m.group("cur")
            and not re.search(r"magnitude\s?-$", text[max(0, s - 11) : s], re.I)  # "magnitude-5.2"
        ):
            continue
        if e < len(text) and text[e].isalpha() and not m.group("num2"):
            # "5th", "1990s", "3D", but "p74million" / "193km" keep their unit
            glued = re.match(r"[a-zA-Z/]+", text[e:])
            tail = glued.group().lower() if glued else ""
            if tail not in _UNIT_WORD and tail not in _SCALES and tail not in ("million", "billion"):
                continue
        if _NOT_A_FIGURE_AFTER.match(text, e) or text[s - 1 : s] == "." or any(a <= s < b for a, b in phones):
            continue  # "the 12000 block of", ".38-caliber", a phone number: labels, not amounts
        value = _parse_number(raw)
        if value is None:
            continue
        scale_txt = m.group("scale") or ""
        scale = _scale(scale_txt)
        if not scale_txt.strip() and m.group("cur") and re.match(r"m(?![A-Za-z])", text[e:]):
            scale, scale_txt = 1_000_000.0, "m"  # "£60m": sixty million (a bare "60m" is metres)
        value *= scale
        num2 = m.group("num2")
        second = None
        if num2:
            v2 = _parse_number(num2.rstrip(".,"))
            if v2 is not None:
                second = v2 * (_scale(m.group("scale2") or "") or 1) * (scale if not m.group("scale2") else 1)
                if m.group("scale2") and not scale_txt.strip() and value < v2:
                    value *= _scale(m.group("scale2"))  # "5-6 million": both ends are millions
        raw_lower = raw.lower()
        is_word = not raw[0].isdigit()
        cur = (m.group("cur") or m.group("cur2") or "").lower()
        unit = _CURRENCY_SYMBOL.get(cur, "")
        noun = ""
        after_words = _words_after(text, e)
        nxt = [w for w, _ in after_words]
        nxt_l = [w.lower() for w in nxt]
        tail_end = e
        if not unit and nxt_l:
            two = " ".join(nxt_l[:2])
            if nxt_l[0] in _CURRENCY_WORD:
                unit = _CURRENCY_WORD[nxt_l[0]]
                tail_end = after_words[0][1] + len(nxt[0])
            elif two in ("per cent", "percentage points"):
                unit = _UNIT_WORD[two]
            elif nxt_l[0] in _UNIT_WORD and not (nxt_l[0] in ("year", "years") and "old" in nxt_l[:4]):
                unit = _UNIT_WORD[nxt_l[0]]
                if unit == "lb" and nxt_l[0] == "pounds":
                    unit = "GBP"
            elif text[e : e + 1] == "%":
                unit = "%"
        sq = re.match(r"\s?-?\s?square\s?-?\s?(kilomet\w+|km|miles?|met\w+|feet|foot)", text[e : e + 30], re.I)
        if sq:
            unit = "sq " + _UNIT_WORD.get(sq.group(1).lower().replace("kilometer", "kilometre"), sq.group(1).lower())
        if re.match(r"\s?-?\s?(?:months?|weeks?|days?)\s?-?\s?old", text[e : e + 18], re.I):
            unit = "age-young"  # "an 11-month-old boy": an age, in other units than years
        # ages: "38-year-old", "39 - year - old", "Anwar, 66,"
        if re.match(r"\s?-?\s?years?\s?-?\s?old", text[e : e + 16], re.I) or (
            not is_word
            and 0 < value < 120
            and not scale_txt.strip()
            and re.search(r"[A-Z][a-z]+(?: I{1,3})?,\s$", text[max(0, s - 40) : s])
            and re.match(r",", text[e : e + 1])
        ):
            unit = "age"
            if _AGE_OF_THING.match(text, e):
                continue  # "a 41-year-old cold case", "the 30-year-old law": not a person's age
        # magnitude: "5.6 magnitude", "magnitude of 5.6", "magnitude-5.2", "measuring 5.6"
        if (
            not unit
            and (
                re.search(
                    r"magnitude(?:\s*-\s*|\s+of\s+|\s+)$|measuring\s+$|magnitude at\s+$",
                    _context_before(text, s, 25),
                    re.I,
                )
                or _MAGNITUDE_AFTER.match(text[e : e + 24])
                or _RICHTER_AFTER.match(text[e : e + 40])
                # "the quake measured 6.1", "registering 5.8": a quake's size, not a wall's
                or (_MEASURED_BEFORE.search(_context_before(text, s, 25)) and _QUAKE.search(text))
            )
            and value < 10
        ):
            unit = "mag"
        if not unit and (_MONTH_AFTER.match(text[e:]) or _MONTH_BEFORE.search(text[max(0, s - 12) : s])):
            continue  # a day of the month: "3 January", "Jan. 3"
        if not unit and not is_word and 1900 <= value <= 2099 and not scale_txt.strip() and "," not in raw:
            continue  # a year: dates are the timeline's business
        before = _context_before(text, s)
        if _RANGE_BETWEEN.search(before) and not num2:
            mm = re.match(r"\s+and\s+(\d[\d,.]*|" + _WORD_NUM + r")", text[e:], re.I)
            if mm:
                v2 = _parse_number(mm.group(1))
                if v2 is not None:
                    second = v2 * scale
                    e = e + mm.end()
        hm = _HEDGE_RE.search(before)
        hedge = hm.group(1).lower() if hm else ""
        bound = _HEDGE_KIND.get(hedge, "exact")
        if raw_lower in ("dozens", "hundreds", "thousands"):
            continue  # "thousands of people": no figure to check, and it crowds out real ones
        if _REPORTEDLY.search(before[-25:]):
            hedge = (hedge + " reportedly").strip() if hedge else "reportedly"
        if second is not None:
            if second > value:
                bound = "range"
            elif unit in ("", "count") and second < value and not hedge:
                bound = "tally"  # a vote or score: "52-48", "220 to 211"
            else:
                second = None
        # counted noun: first content word after the number (skipping adjectives is beyond us)
        if unit in ("", "%"):
            for w in nxt_l[:3]:
                if w in _NOT_NOUNS or not w.isalpha():
                    if w in (".", ";", ":", "!", "?"):
                        break
                    continue
                noun = w
                break
        predicate = _find_predicate(text, s, e) if unit in ("",) else ""
        if noun in _PREDICATES and not predicate:
            predicate = _PREDICATES[noun]
        if (noun or predicate) and not unit and not value.is_integer():
            noun = predicate = ""  # no count of people or things is "6.7" ("a 6.7 degree quake killed")
        if noun in _PEOPLE_NOUNS:
            noun = "people"
        elif noun and not _countable(noun):
            noun = ""  # "5.6 on the Richter", "3 strong": not a counted thing
        if not unit and not noun and _CROWD_AT.search(text[max(0, s - 90) : s]):
            noun = "people"  # "police put the march at roughly 30,000": a crowd size counts people
        if is_word and value == 1 and not predicate:
            continue  # "one of the", "one day": rarely a count worth checking
        if not unit and not noun and not predicate and bound != "tally" and value < 100:
            continue  # a bare small number ("one of", "2 in 3") is rarely a fact worth checking
        if unit in _HOURS:
            # durations compare across units: "24 hours" vs "two days after"
            value, second, unit = value * _HOURS[unit], (second * _HOURS[unit] if second else second), "duration"
        # "the bodies of two more victims were found": an increment to a toll, not the toll
        update = bool(_UPDATE_RE.search(text[max(0, s - 45) : s]) or _INCREMENT_RE.match(text, e))
        # the words after a figure scope it only up to the next figure: in "Seven people,
        # including three children, were killed" the subset word belongs to "three", not "Seven"
        after = _LEADS_NEXT.sub("", _NEXT_FIGURE.split(text[e : e + 35])[0])
        clause = re.split(r"[.;!?]", text[max(0, s - 35) : s])[-1] + after
        # "Four people were killed at the fair, including the gunman": a count that takes in
        # the perpetrator counts a different set than the victims; the phrase may come late
        # in the sentence, so it is looked for up to the sentence end (or the next figure).
        rest = _NEXT_FIGURE.split(text[e : e + 120])[0]
        scoped = bool(_SCOPE_RE.search(clause) or _PERPETRATOR_SCOPE.search(rest))
        ru = _rounding_unit(raw if not is_word else "", value)
        if bound == "range" and second is not None:
            low, high = value, second
        elif bound == "tally":
            low = high = value
        else:
            low, high = _interval(value, bound, ru)
        out.append(
            Quantity(
                value=value,
                low=low,
                high=high,
                hedge=hedge,
                bound=bound,
                unit=unit or "",
                noun=noun,
                predicate=predicate,
                start=m.start(),
                end=max(e, tail_end),
                text=text[m.start() : max(e, tail_end)],
                update=update,
                second=second,
                scoped=scoped,
                forecast=bool(_FORECAST_RE.search(text[max(0, s - 80) : s])),
                rate=bool(_RATE_RE.match(text, max(e, tail_end))),
            )
        )
    out.sort(key=lambda q: q.start)
    # "three women and four children were killed": each count is a part of the toll, so it
    # is scoped (compared only with other parts), not set against "seven people".
    for x in range(len(out) - 1):
        q1, q2 = out[x], out[x + 1]
        if (
            not q1.unit
            and not q2.unit
            and q1.predicate
            and q1.predicate == q2.predicate
            and q1.noun != q2.noun
            and _PARTS_JOIN.match(text[q1.end : q2.start])
        ):
            out[x] = dataclasses.replace(q1, scoped=True)
            out[x + 1] = dataclasses.replace(q2, scoped=True)
    return tuple(out)


_PARTS_JOIN = re.compile(r"^\s*[A-Za-z-]+\s*(?:,|and|,\s*and)\s*$")


def comparable(a: Quantity, b: Quantity) -> bool:
    """Do the two quantities measure the same kind of thing (same unit, same counted event)?

    Killed vs injured, km vs miles, dollars vs euros are never comparable; an age is only
    compared with an age.
    """
    if (a.bound == "tally") != (b.bound == "tally"):
        return False
    if a.bound == "tally":
        return True  # two votes or scores in one story's matched sentences
    if a.unit != b.unit:
        return False
    if a.unit:
        return True
    if a.predicate or b.predicate:
        return a.predicate == b.predicate
    return a.noun == b.noun and a.noun != ""


def compatible(a: Quantity, b: Quantity) -> bool:
    """Can both figures be true of one fact? (Call only on `comparable` quantities.)

    Overlapping intervals are compatible ("at least 7" and 9, "5-7" and 6, "roughly 1.4 trillion"
    and 1.37 trillion); two bounds in the same direction are compared as figures ("more than
    26,000" vs "more than 31,000" disagree); ages one year apart are compatible (articles written
    at different times); a tally ("52-48") must match exactly.
    """
    if a.bound == "tally" or b.bound == "tally":
        return (a.value, a.second) == (b.value, b.second)
    if a.unit == "age":
        return abs(a.value - b.value) <= 1
    if a.bound == b.bound and a.bound in ("lower", "upper"):
        # each outlet's bound is its best figure: 5% apart is the same figure, more is not
        return abs(a.value - b.value) <= 0.05 * max(a.value, b.value)
    return a.low <= b.high and b.low <= a.high


__all__ = ["Quantity", "comparable", "compatible", "extract_quantities"]
