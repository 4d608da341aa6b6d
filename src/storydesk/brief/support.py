"""Small lexical tools shared by the extractive brief, the faithfulness guard and the benchmark.

Text in, plain values out: content words (lower-cased, crudely stemmed), the numbers a sentence
states (digits and number words, as values), the names it mentions (capitalised words not at the
start of a sentence), and whether a sentence looks like page chrome rather than reporting. The one
idea: a citation is only attached when the cited text shares the sentence's substance *and* states
every number the sentence states, so "seven killed" never cites a source that says "nine killed".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*|\d[\d,.]*\d|\d")
_NUM_DIGITS = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])\d+(?:\.\d+)?")
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "dozen": 12,
}
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_NUM_WORD_RE = re.compile(
    r"\b(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b", re.IGNORECASE
)
_SCALED = re.compile(
    r"(\d+(?:\.\d+)?)\s*(thousand|million|billion|trillion)\b", re.IGNORECASE
)

_STOP_TEXT = (
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself
    just me more most my myself no nor not now of off on once only or other our ours ourselves out
    over own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves said says say told according it's
    s t will would may might must shall one mr mrs ms new"""
)
STOPWORDS = frozenset(_STOP_TEXT.split())

# Words that start many sentences capitalised without being names.
_NAME_TEXT = (
    """monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december the a an in on at of and but or for with"""
)
_NOT_NAMES = STOPWORDS | frozenset(_NAME_TEXT.split())

_CHROME = re.compile(
    r"https?://|www\.|\S+@\S+\.\w|(?:^|\s)@\w|\bread more\b|\bclick here\b|\bsubscribe\b|\bsign up\b"
    r"|\bnewsletter\b|\bfollow us\b|\bshare this\b|\ball rights reserved\b|\bcopyright\b|©"
    r"|\badvertisement\b|\b(?:accept|use|uses|our) cookies\b|\bcookie (?:policy|settings)\b"
    r"|\bprivacy policy\b|\bterms of (?:use|service)\b"
    r"|\bgetty images\b|\bvia getty\b|\bimage (?:by|credit)\b|\bphoto(?:graph)? (?:by|credit)\b"
    r"|\bwatch:|\blisten:|\brelated:|\brecommended\b|\bdonat(?:e|ion)\b|\bcomments?\b.*\bbelow\b"
    r"|\|",
    re.IGNORECASE,
)
_TOKENISH = re.compile(r"\[[^\]]*\]|\{[^}]*\}|<[^>]*>|=”|=\"")
_TERMINAL = re.compile(r"[.!?]['\"’”)\]]*$")
_BYLINE = re.compile(r"^(?:by|updated|published|posted)\b", re.IGNORECASE)


_STRAY_OPENER = re.compile(r"(?<=[.!?'\"’”)])\s+[\"“‘'(\[]+$")


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of `text[start:end]` without an opening quote or bracket the segmenter left at its
    end (`... panic. “` where the quote opens the next sentence)."""
    m = _STRAY_OPENER.search(text, start, end)
    return (start, m.start()) if m and m.end() == end else (start, end)


def words(text: str) -> list[str]:
    """Word and number tokens of `text`, in order, case kept."""
    return _WORD.findall(text)


def word_count(text: str) -> int:
    """How many whitespace-separated words `text` has (what "about N words" counts)."""
    return len(text.split())


# Suffixes `stem` strips, longest first, with their lengths (counted once, not per word).
_SUFFIXES = tuple((s, len(s)) for s in ("ingly", "edly", "ation", "ing", "ied", "ies", "ed", "es", "ly", "s"))


# Memoised: the brief stems every word of every sentence it reads, and news repeats its words
# (profiled on pipeline.run over 300 bench/throughput.py articles: 58,780 calls, 3.3 s).
@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """A crude English suffix stripper: enough to match "strikes"/"striking"/"struck" less often
    than a real stemmer, but deterministic, dependency-free and fast."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    n = len(w)
    for suffix, k in _SUFFIXES:
        if n > k + 2 and w.endswith(suffix):
            if suffix in ("ied", "ies"):
                return w[:-k] + "y"
            return w[:-k]
    return w


def content_words(text: str) -> set[str]:
    """Stemmed, lower-cased words of `text` that carry meaning (stopwords dropped)."""
    return {stem(w) for w in words(text) if w.lower() not in STOPWORDS and len(w) > 1}


def overlap(a: str | AbstractSet[str], b: str | AbstractSet[str]) -> float:
    """Share of `a`'s content words that `b` also has (0 when `a` has none)."""
    ca = content_words(a) if isinstance(a, str) else a
    cb = content_words(b) if isinstance(b, str) else b
    if not ca:
        return 0.0
    return len(ca & cb) / len(ca)


def numbers(text: str) -> set[float]:
    """The numeric values `text` states: "9", "nine", "1,200", "2.5 million", "a dozen".

    Years and other numbers are all kept; callers compare sets, so "seven" matches "7".
    """
    found: set[float] = set()
    spans: list[tuple[int, int]] = []
    for m in _SCALED.finditer(text):
        found.add(float(m.group(1)) * _SCALE[m.group(2).lower()])
        spans.append(m.span())
    for m in _NUM_DIGITS.finditer(text):
        if any(s <= m.start() < e for s, e in spans):
            continue
        try:
            found.add(float(m.group().replace(",", "")))
        except ValueError:  # pragma: no cover - the pattern only matches numerals
            continue
    for m in _NUM_WORD_RE.finditer(text):
        word = m.group(1).lower()
        # "one of them", "one another" are not counts.
        if word == "one" and re.match(r"\s+(?:of|another)\b", text[m.end() :], re.IGNORECASE):
            continue
        found.add(float(_NUMBER_WORDS[word]))
    return found


def names(text: str) -> set[str]:
    """Capitalised words that are probably names ("Saravan", "Baluchestan", "Kim").

    The first word of each sentence is skipped unless it recurs capitalised later, since any
    word can start a sentence. Returned lower-cased; compare them against `name_tokens` of a source.
    """
    out: set[str] = set()
    toks = re.findall(r"[A-Za-z][A-Za-z'’\-]*|[.!?]", text)
    start = True
    for tok in toks:
        if tok in ".!?":
            start = True
            continue
        if not start and tok[0].isupper() and tok.lower() not in _NOT_NAMES:
            base = tok.replace("’", "'")
            if base.lower().endswith("'s"):
                base = base[:-2]
            out.update(p.lower() for p in base.split("-") if p and p[0].isupper())
        start = False
    return out


def name_tokens(text: str) -> set[str]:
    """Every word of `text`, lower-cased, split at hyphens and with possessives dropped: the
    vocabulary a name in a generated sentence must come from."""
    out: set[str] = set()
    for w in re.findall(r"[A-Za-z][A-Za-z'’\-]*", text):
        base = w.replace("’", "'")
        if base.lower().endswith("'s"):
            base = base[:-2]
        out.update(p.lower() for p in base.split("-") if p)
    return out


def numbers_supported(sentence: str, sources: Iterable[str]) -> bool:
    """True when every number `sentence` states is stated by the joined `sources`."""
    need = numbers(sentence)
    if not need:
        return True
    have: set[float] = set()
    for s in sources:
        have |= numbers(s)
    return need <= have


def looks_like_chrome(text: str, *, last: bool = False) -> bool:
    """True for page furniture that is not reporting: links, share/subscribe prompts, captions,
    CMS tokens, bylines, headline-like fragments and lines without any lower-case letters.

    `last` relaxes the terminal-punctuation rule for an article's final sentence, whose full stop
    a lead excerpt may have cut off.
    """
    t = text.strip()
    n = word_count(t)
    if n < 5 or n > 80:
        return True
    # map/filter over str methods: the brief screens every sentence of every lone story's
    # article, and these character loops were its largest cost as generator expressions
    if not any(map(str.islower, t)):
        return True
    if _CHROME.search(t) or _TOKENISH.search(t) or _BYLINE.match(t):
        return True
    letters = list(filter(str.isalpha, t))
    upper = sum(map(str.isupper, letters))
    if letters and upper / len(letters) > 0.5:
        return True
    if not _TERMINAL.search(t):
        # Headlines and labels end without a full stop; real sentences do.
        return not (last and n >= 12)
    # Title Case Lines Like This are headlines even when punctuated.
    ws = [w for w in t.split() if w[0].isalpha()]
    caps = sum(w[0].isupper() for w in ws)
    return len(ws) >= 5 and caps / len(ws) > 0.8


__all__ = [
    "STOPWORDS",
    "content_words",
    "looks_like_chrome",
    "name_tokens",
    "names",
    "numbers",
    "numbers_supported",
    "overlap",
    "stem",
    "trim_span",
    "word_count",
    "words",
]
