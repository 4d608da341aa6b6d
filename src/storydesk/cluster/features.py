"""Per-article signals for event clustering, and how two articles compare on them.

Takes an `Article` and returns `Features`: the short text to embed (title + lead), weighted
keywords for TF-IDF, capitalised spans and numbers (a cheap stand-in for entities, enough to tell
two look-alike events apart: different names, places, counts, dates), and the publication time.
Document frequencies live in `DocFreq`, updated as articles stream in, so IDF is always the one
of everything seen so far and nothing is ever refitted.
"""

from __future__ import annotations

import calendar
import math
import re
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from storydesk.cluster.eventtime import EVENT_TIME, EventTimeConfig, event_span
from storydesk.records import Article

# Keep at most this many keywords per article (highest term frequency first): bounds memory
# and per-pair cost; an article's event is carried by its frequent words.
MAX_TERMS = 120
MAX_ENTS = 80
# Characters of title + lead handed to MiniLM: about 64 word pieces, enough for a headline and
# its first sentence; the embedder is the slowest part of the stage (see bench/cluster_throughput.py).
EMBED_CHARS = 320
# Pseudo-documents added to N in the IDF: until a store has seen a hundred or so articles its
# document frequencies cannot tell an event's own words ("Pakistan" in all five seed reports)
# from common ones, and plain IDF would push those words down. The prior keeps cold-start IDF
# flat; at ECB+ scale (575 train docs) it barely moves the weights.
IDF_PRIOR_DOCS = 100
# Dimensions of the hashed TF-IDF sketch used for neighbour search when embeddings are off.
SKETCH_DIM = 256

_STOP = frozenset(ENGLISH_STOP_WORDS) | {
    "said", "says", "say", "told", "also", "would", "could", "one", "two", "new", "year", "years",
    "time", "people", "just", "like", "get", "got", "according", "including", "us", "mr", "ms",
    "mrs", "week", "day", "days", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "today", "yesterday", "tomorrow", "percent", "per", "cent",
}
_WORD = re.compile(r"[^\W\d_](?:[^\W_]|['’\-](?=[^\W_]))*|\d+(?:[.,:]\d+)*", re.UNICODE)
# A capitalised span: capitalised words, possibly joined by short lower-case particles.
_CAP = re.compile(
    r"(?<![\w’'])(?:[A-Z][\w’'\-]*)(?:[ \t]+(?:(?:of|de|del|da|al|bin|van|von|der|la|le)[ \t]+)?[A-Z][\w’'\-]*)*"
)
_SENT_START = re.compile(r"(?:^|[.!?:\n\"“]\s*)$")
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_MONTHS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
})


@dataclass(slots=True)
class Features:
    """What clustering keeps of one article."""

    terms: dict[str, int]  # keyword -> count in title + text (top MAX_TERMS)
    ents: dict[str, int]  # lower-cased capitalised span or number -> count
    time: float | None  # POSIX seconds of `published`, None when unknown
    embed_text: str  # title + lead, what MiniLM sees
    # when the reported event happened (eventtime.event_span), and whether that interval rests on
    # a publication time (else on a date in the text alone)
    span: tuple[float, float] | None = None
    span_pub: bool = False


@dataclass(slots=True)
class DocFreq:
    """Streaming document frequencies of keywords and entities (the IDF of everything seen)."""

    n: int = 0
    terms: Counter[str] = field(default_factory=Counter)
    ents: Counter[str] = field(default_factory=Counter)

    def add(self, f: Features) -> None:
        """Count one more document."""
        self.n += 1
        self.terms.update(f.terms.keys())
        self.ents.update(f.ents.keys())

    def idf_term(self, t: str) -> float:
        """Smoothed IDF of a keyword (sklearn's formula, with IDF_PRIOR_DOCS pseudo-documents)."""
        return math.log((self.n + IDF_PRIOR_DOCS + 1) / (self.terms.get(t, 0) + 1)) + 1.0

    def idf_ent(self, e: str) -> float:
        """Smoothed IDF of an entity or number."""
        return math.log((self.n + IDF_PRIOR_DOCS + 1) / (self.ents.get(e, 0) + 1)) + 1.0


def parse_time(published: str | None) -> float | None:
    """POSIX seconds of an ISO 8601 string (naive = UTC), None when missing or unparseable."""
    if not published:
        return None
    s = published.strip().replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


# Lines at the top of a text that are page furniture, not the story: a date/time stamp ("Published:
# July 26, 2005", "Updated 4: 08 p. m. ET", "04 / 04 / 2012"), a byline ("By Jane Smith"), a photo
# caption or credit ("Image copyright Getty Images", "Photo: AP"). Of ECB+ split=train's 575
# documents, 131 open on a stamp line. They take the embedder's few characters (EMBED_CHARS).
_CALENDAR_WORDS = sorted({w.lower() for w in (*calendar.month_name, *calendar.month_abbr, *calendar.day_name,
                                                *calendar.day_abbr) if w} | {"sept", "tues", "thur", "thurs"},
                         key=len, reverse=True)
_STAMP_WORDS = (r"(?:first|last|published|posted|updated|update|created|story|modified|date|at|on|by|of|the|"
                r"am|pm|a\.?\s?m\.?|p\.?\s?m\.?|gmt|utc|bst|cet|cest|[ecmp][sd]?t|ak[sd]t|h[sd]t|aest|aedt|ist|jst|"
                + "|".join(_CALENDAR_WORDS) + ")")
_STAMP_LINE = re.compile(rf"(?i)^(?:[\W\d_]|{_STAMP_WORDS}\b)*$")
_BYLINE = re.compile(r"^(?:By|BY|Written by|Posted by)\s+[A-Z][\w.'’-]*(?:[ ,]+(?:and\s+)?[A-Z][\w.'’-]*){0,5}"
                     r"(?:\s*[,|/-]\s*[\w .'’-]{0,40})?$")
_CAPTION = re.compile(r"(?i)^(?:image|photo|picture|video)\s*(?:copyright|caption|credit|:)|^(?:getty images|afp|"
                      r"reuters|ap photo)\b.{0,40}$")
# a dateline opening the first sentence: "WASHINGTON (Reuters) - ", "LONDON — ", "(CNN) -- "
_DATELINE = re.compile(r"^(?:[A-Z][A-Z.'’-]{2,}(?:[ ,]+[A-Z][A-Za-z.'’-]+){0,3}\s*(?:\([^()]{2,30}\))?"
                       r"|\([A-Za-z .&]{2,30}\))\s*(?:--|—|–|-)\s+")


def lead_text(text: str, lines: int = 6) -> str:
    """`text` with the page furniture of its first `lines` lines dropped (stamps, bylines,
    captions) and a dateline cut from the start of its first sentence."""
    parts = text.split("\n")
    k = 0
    while k < min(lines, len(parts)):
        line = parts[k].strip()
        if not line or (len(line) <= 80 and ((_STAMP_LINE.match(line) and any(c.isdigit() for c in line))
                                             or _BYLINE.match(line) or _CAPTION.match(line))):
            k += 1
            continue
        break
    rest = "\n".join(parts[k:]).lstrip()
    return _DATELINE.sub("", rest, count=1)


def lead(article: Article) -> str:
    """Title and the start of the text (`lead_text`: no stamps, bylines, captions or dateline),
    whitespace collapsed, at most EMBED_CHARS characters."""
    title = " ".join((article.title or "").split())
    body = " ".join(lead_text(article.text[: EMBED_CHARS * 3]).split())
    body = body[: EMBED_CHARS * 2]
    if title and body.startswith(title):
        body = body[len(title) :].lstrip(" .:-")
    joined = f"{title}. {body}" if title and body else title or body
    return joined[:EMBED_CHARS]


def _possessive(word: str) -> str:
    """'Pakistan’s' -> 'Pakistan': one name, one key."""
    word = word.strip(" .’'-")
    for suf in ("’s", "'s"):
        if word.endswith(suf):
            return word[: -len(suf)]
    return word


def _entities(text: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for m in _CAP.finditer(text):
        words = [_possessive(w) for w in m.group().split()]
        words = [w for w in words if w]
        span = " ".join(words)
        if not words:
            continue
        low = span.lower()
        if len(words) == 1:
            # a lone capitalised word at a sentence start is usually just a capitalised common word
            if low in _STOP or low in _MONTHS:
                continue
            if _SENT_START.search(text[max(0, m.start() - 3) : m.start()]) and len(low) < 4:
                continue
        else:
            # drop a leading function word ("The White House" -> "white house")
            while words and words[0].lower() in _STOP:
                words = words[1:]
            if not words:
                continue
            low = " ".join(words).lower()
            # each name part too, so a later bare "Lohan" meets the earlier "Lindsay Lohan"
            for w in words:
                wl = w.lower()
                if wl not in _STOP and len(wl) > 2:
                    out[wl] += 1
        out[low] += 1
    for m in _NUM.finditer(text):
        num = m.group().replace(",", "")
        # single digits ("3 people", "1 p.m.") are too common to tell events apart
        if len(num) >= 2:
            out["#" + num] += 1
    return out


def _keywords(words: list[str]) -> Counter[str]:
    """Counts of keywords: possessives folded ("iran's" -> "iran"), stop words, numbers and
    words of two letters or fewer left out. Counts first and filters the distinct words after,
    which is several times faster than filtering every token (bench/cluster_throughput.py)."""
    raw = Counter(words)
    out: Counter[str] = Counter()
    for w, c in raw.items():
        if w.endswith(("'s", "’s")):
            w = w[:-2]
        if len(w) > 2 and w not in _STOP and not w[0].isdigit():
            out[w] += c
    return out


def featurize(article: Article, event_time: EventTimeConfig = EVENT_TIME) -> Features:
    """The clustering signals of one article (pure; no model calls)."""
    title = article.title or ""
    text = f"{title}\n{article.text}" if title and not article.text.startswith(title) else article.text
    counts = _keywords(_WORD.findall(text.lower()))
    # the headline names the event: count its words twice
    for w, c in _keywords(_WORD.findall(title.lower())).items():
        if w in counts:
            counts[w] += c
    terms = dict(counts.most_common(MAX_TERMS))
    ents = dict(_entities(text).most_common(MAX_ENTS))
    published = parse_time(article.published)
    return Features(terms=terms, ents=ents, time=published, embed_text=lead(article),
                    span=event_span(title, article.text, published, event_time), span_pub=published is not None)


def weights(bag: Mapping[str, int], idf: Mapping[str, float]) -> dict[str, float]:
    """Sublinear TF x IDF, L2-normalised."""
    w = {t: (1.0 + math.log(c)) * idf[t] for t, c in bag.items()}
    norm = math.sqrt(sum(v * v for v in w.values())) or 1.0
    return {t: v / norm for t, v in w.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Dot product of two normalised sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b[t] for t, v in a.items() if t in b)


def sketch(w: Mapping[str, float], dim: int = SKETCH_DIM) -> np.ndarray:
    """A signed feature-hashing projection of a TF-IDF vector to `dim` floats, unit length.

    Dot products of sketches approximate TF-IDF cosines; used for neighbour search when the
    MiniLM embeddings are turned off (settings.embed = False).
    """
    if len(_SLOTS) > _SLOTS_MAX:
        _SLOTS.clear()
    slots = [_SLOTS.get(t) or _slot(t) for t in w]
    v = np.zeros(dim, dtype=np.float32)
    if slots:
        idx = np.fromiter((s % dim for s in slots), dtype=np.intp, count=len(slots))
        sign = np.fromiter((1.0 if (s >> 16) & 1 else -1.0 for s in slots), dtype=np.float32, count=len(slots))
        np.add.at(v, idx, sign * np.fromiter(w.values(), dtype=np.float32, count=len(slots)))
    n = float(np.linalg.norm(v))
    return v / n if n else v


# crc32 of each keyword seen, reused by every later sketch (words repeat across articles); cleared
# past _SLOTS_MAX entries so memory stays bounded on a long-lived index
_SLOTS: dict[str, int] = {}
_SLOTS_MAX = 1_000_000


def _slot(t: str) -> int:
    h = zlib.crc32(t.encode("utf-8")) | (1 << 32)  # the high bit keeps a hash of 0 truthy
    _SLOTS[t] = h
    return h


__all__ = ["DocFreq", "Features", "cosine", "featurize", "lead", "parse_time", "sketch", "weights"]
