"""Frozen, typed records handed from one stage to the next.

Ingest yields `RawDocument` (or `Skip` for bad input); clean turns a RawDocument into an
`Article` whose `removed` field audits every cut; cluster gives each article a story and a
`syndicated_from`; cross-check and brief fill a `Story`, whose `to_dict()` is exactly one entry of
`stories.json` (see ../CONTRACT.md and `storydesk/schema/stories.schema.json`).

Every record round-trips through `to_dict()` / `from_dict()` (tests/test_records.py checks each).
Sequences are tuples so that records stay hashable and immutable.
"""

from __future__ import annotations

import dataclasses
import hashlib
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar, Union, get_args, get_origin

T = TypeVar("T", bound="Record")

_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _to_plain(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, (tuple, list)):
        return [_to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_plain(v) for k, v in value.items()}
    return value


def _from_plain(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return _from_plain(args[0], value) if len(args) == 1 else value
    if origin is tuple:
        items = get_args(tp)
        inner = items[0] if items else Any
        return tuple(_from_plain(inner, v) for v in value)
    if origin is dict:
        return dict(value)
    if isinstance(tp, type) and issubclass(tp, Record):
        return tp.from_dict(value)
    return value


class Record:
    """Mixin: `to_dict()` gives plain JSON types; `from_dict()` rebuilds the record."""

    __slots__ = ()
    # Keys dropped from to_dict() when their value is None (optional contract fields).
    _omit_none: ClassVar[frozenset[str]] = frozenset()
    # Fields never in to_dict(): in-memory hand-offs that are not JSON (RawDocument.original).
    _transient: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if f.name in self._transient:
                continue
            v = getattr(self, f.name)
            if v is None and f.name in self._omit_none:
                continue
            out[f.name] = _to_plain(v)
        return out

    @classmethod
    def from_dict(cls: type[T], data: dict[str, Any]) -> T:
        hints = _hints(cls)
        kwargs = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name in data:
                kwargs[f.name] = _from_plain(hints[f.name], data[f.name])
        return cls(**kwargs)


def content_id(*parts: str | None, length: int = 16) -> str:
    """A stable id from content: sha256 of the parts joined by a separator, hex, `length` chars."""
    h = hashlib.sha256()
    for p in parts:
        h.update((p or "").encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace to one space and strip."""
    return " ".join(text.split())


def article_id(doc: RawDocument) -> str:
    """The stable id of the article a RawDocument becomes.

    Content hash of where it was published (its URL, or without one the input's file name and
    the item inside it) and its whitespace-normalised text. Re-ingesting the same input gives the
    same id; the same text published by a second outlet (a syndicated copy) is a second article,
    which clustering then marks `syndicated_from` the first.
    """
    prov = doc.provenance
    where = doc.url or f"{prov.source.replace(chr(92), '/').rsplit('/', 1)[-1]}#{prov.locator}"
    return content_id(where, normalise_space(doc.text))


# --------------------------------------------------------------------------- ingest


@dataclass(frozen=True, slots=True)
class Provenance(Record):
    """Where a document came from: the file or URL, its format, and where inside it."""

    # Written only when set, so the provenance of articles read before originals were kept
    # (and of feed/JSONL entries, which have no bytes of their own) reads as it always did.
    _omit_none: ClassVar[frozenset[str]] = frozenset({"original_sha256"})

    source: str  # file path or URL as given
    fmt: str  # "text" | "html" | "jsonl" | "warc" | "rss" | "atom"
    locator: str = ""  # "line 3", "record <urn:uuid:...>", "entry 4"; "" for a whole file
    fetched: str | None = None  # ISO time the page was fetched (WARC-Date), if known
    # Where `published` came from (issue 23): "input" (a JSONL field), "page-metadata" (htmldate,
    # JSON-LD, meta tags), "dateline" (a date line in the text), "feed" (the entry's date),
    # "warc-record" (WARC-Date, the capture time); None when undated.
    published_from: str | None = None
    # How `outlet` was found (storydesk.outlets): "site-name", "chrome", "domain" or "file".
    outlet_from: str | None = None
    # SHA-256 (hex) of the bytes the document was read from (`Original`), kept in the store's
    # originals table; None when there are none (a feed or JSONL entry) or they were not kept.
    original_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Original:
    """The bytes one document was read from: a file, a fetched body, a WARC record's payload.

    Handed from ingest to the store beside a RawDocument (never JSON: `RawDocument.original` is
    transient). `content_type` is the HTTP Content-Type when one was sent, else the sniffed
    type; `http_headers` is the status line and headers as received ("HTTP/1.1 200 OK\r\n..."),
    None when the bytes did not come over HTTP or the headers are unknown.
    """

    data: bytes
    content_type: str | None = None
    http_headers: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True, slots=True)
class RawDocument(Record):
    """One article as read from an input, before cleaning.

    `text` is the article text as found (for HTML: the extractor's output, which may still hold
    chrome); `html` is kept when the input was HTML so cleaning can use the page structure.
    Metadata fields are None when the input does not say.
    """

    provenance: Provenance
    text: str
    html: str | None = None
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: str | None = None  # ISO 8601
    language: str | None = None  # ISO 639-1
    author: str | None = None
    # The bytes it was read from, on their way to the store (provenance.original_sha256 names
    # them); not compared, not in to_dict(), and dropped before the document goes to a worker.
    original: Original | None = field(default=None, compare=False, repr=False)

    _transient: ClassVar[frozenset[str]] = frozenset({"original"})


@dataclass(frozen=True, slots=True)
class Skip(Record):
    """An input (or one item inside it) that was not ingested, and why."""

    source: str  # file name or URL, with the item inside it ("feed.xml entry 3")
    reason: str  # machine-readable: "binary", "empty", "too-large", "bad-json", "bad-warc", ...
    detail: str = ""  # what is wrong and what to do about it

    def message(self) -> str:
        """The one-line message shown on stderr."""
        return f"skipped {self.source}: {self.reason}" + (f" ({self.detail})" if self.detail else "")


# --------------------------------------------------------------------------- clean


@dataclass(frozen=True, slots=True)
class Removed(Record):
    """One piece of text that cleaning dropped."""

    text: str
    reason: str  # machine-readable: "donation-appeal", "related-links", "outlet-template", ...
    rule: str = ""  # which rule fired, for the audit view


@dataclass(frozen=True, slots=True)
class Article(Record):
    """A cleaned article: the unit every later stage works on."""

    id: str
    outlet: str | None
    title: str | None
    url: str | None
    published: str | None
    language: str | None
    raw_text: str
    text: str
    removed: tuple[Removed, ...] = ()
    author: str | None = None
    provenance: Provenance | None = None

    def summary(self) -> dict[str, Any]:
        """The `articles --json` row (without the story, which the store adds)."""
        return {
            "id": self.id,
            "outlet": self.outlet,
            "title": self.title,
            "url": self.url,
            "published": self.published,
            "language": self.language,
        }

    def show(self) -> dict[str, Any]:
        """The `show --json` shape of ../CONTRACT.md (plus author and provenance)."""
        return {
            **self.summary(),
            "author": self.author,
            "text": self.text,
            "removed": [r.to_dict() for r in self.removed],
            "provenance": self.provenance.to_dict() if self.provenance else None,
        }


# --------------------------------------------------------------------------- text units


@dataclass(frozen=True, slots=True)
class Sentence(Record):
    """A sentence of an article's cleaned text, with character offsets into `Article.text`."""

    article: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Passage(Record):
    """The exact span of one article that supports a claim or states a value."""

    article: str
    start: int
    end: int
    text: str


# --------------------------------------------------------------------------- story parts


@dataclass(frozen=True, slots=True)
class StoryArticle(Record):
    """An article as listed inside a story."""

    _omit_none: ClassVar[frozenset[str]] = frozenset({"syndicated_from"})

    id: str
    outlet: str | None
    title: str | None
    url: str | None
    published: str | None
    language: str | None = None
    syndicated_from: str | None = None


@dataclass(frozen=True, slots=True)
class Claim(Record):
    """A fact stated by one or more articles, aligned across them.

    `sources` counts syndicated copies once (only the original's id); `passages` keeps every
    article's own wording with offsets, copies included.
    """

    id: str
    text: str  # canonical wording
    sources: tuple[str, ...]
    passages: tuple[Passage, ...] = ()
    attributed_to: tuple[str, ...] = ()  # who asserts it ("Iran state TV"); empty when stated plainly


@dataclass(frozen=True, slots=True)
class DiscrepancyValue(Record):
    value: str  # normalised, qualifiers kept: "at least 9", "7", "Saravan"
    text: str  # the exact sentence or passage stating it
    sources: tuple[str, ...]
    passages: tuple[Passage, ...] = ()
    attributed_to: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Discrepancy(Record):
    kind: str  # "number" | "date" | "place" | "person" | "org" | "attribution" | "other"
    subject: str  # "people killed in Pakistan's strikes"
    values: tuple[DiscrepancyValue, ...]
    claim: str | None = None  # id of the claim it was found in


@dataclass(frozen=True, slots=True)
class FactCell(Record):
    """One outlet's word on one fact: its value and exact sentence (a cell of the fact table)."""

    outlet: str
    sources: tuple[str, ...]  # the outlet's article ids (a syndicated copy under its original)
    value: str  # normalised, qualifier kept: "at least 9"
    text: str  # the sentence that states it
    published: str | None = None
    passages: tuple[Passage, ...] = ()
    attributed_to: str = ""  # who the outlet says gave the value ("Iran state TV")


@dataclass(frozen=True, slots=True)
class Fact(Record):
    """A row of the story's fact table: one fact, one cell per independent outlet reporting it.

    `status` is "agree", "conflict", "compatible" (bounds or hedges that can both hold), "update"
    (a later report revises it), "single" (one outlet) or "possible" (values that cannot both hold
    of a pair only probably about one fact); `confidence` is the matcher's lowest pair probability.
    """

    _omit_none: ClassVar[frozenset[str]] = frozenset({"confidence", "low_trust"})

    id: str
    kind: str  # "number" | "date" | "place" | "person" | "org" | "quote" | "other"
    subject: str
    status: str
    cells: tuple[FactCell, ...]
    confidence: float | None = None
    # True when only outlets the user weighted as low trust report it (issue 25; storydesk.trust);
    # absent otherwise
    low_trust: bool | None = None


@dataclass(frozen=True, slots=True)
class Quote(Record):
    speaker: str
    text: str
    sources: tuple[str, ...]
    passages: tuple[Passage, ...] = ()


@dataclass(frozen=True, slots=True)
class Entity(Record):
    name: str
    type: str  # "PER" | "ORG" | "LOC" | "MISC"
    variants: tuple[str, ...]
    sources: tuple[str, ...]
    mentions: int = 0


@dataclass(frozen=True, slots=True)
class TimelineEvent(Record):
    """An event in the story's time line.

    `date` is an ISO date (or datetime) when resolved; `date_end` closes a vague range
    ("earlier this month"); `order` is the position in the story's relative order, always set.
    """

    _omit_none: ClassVar[frozenset[str]] = frozenset({"date_end"})

    text: str
    sources: tuple[str, ...]
    order: int
    date: str | None = None
    date_end: str | None = None
    expression: str = ""  # the phrase that dated it: "late on Tuesday"
    resolved: bool = False  # False when no publication time anchored it


@dataclass(frozen=True, slots=True)
class Exclusive(Record):
    """A fact only one outlet reports."""

    text: str
    source: str
    passage: Passage | None = None


@dataclass(frozen=True, slots=True)
class BriefSentence(Record):
    """One sentence of the brief and every article that supports it."""

    text: str
    sources: tuple[str, ...]
    claim: str | None = None
    passages: tuple[Passage, ...] = ()


@dataclass(frozen=True, slots=True)
class CrossCheck(Record):
    """Everything cross-check finds in one story."""

    claims: tuple[Claim, ...] = ()
    discrepancies: tuple[Discrepancy, ...] = ()
    quotes: tuple[Quote, ...] = ()
    entities: tuple[Entity, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()
    exclusive: tuple[Exclusive, ...] = ()
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True, slots=True)
class OutletSetting(Record):
    """One outlet's line of the user's trust settings (issue 25): its name as written, its weight
    (0..1, default 1) and whether it is hidden."""

    outlet: str
    weight: float = 1.0
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class TrustNote(Record):
    """The outlet trust settings a story was analysed under, and which of its articles they hid
    (left out of its articles, brief and facts; still in the store)."""

    low_trust_below: float
    outlets: tuple[OutletSetting, ...]
    hidden_articles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Story(Record):
    """One story: an entry of `stories.json`."""

    _omit_none: ClassVar[frozenset[str]] = frozenset({"trust"})

    id: str
    title: str
    articles: tuple[StoryArticle, ...]
    brief: tuple[BriefSentence, ...] = ()
    claims: tuple[Claim, ...] = ()
    discrepancies: tuple[Discrepancy, ...] = ()
    quotes: tuple[Quote, ...] = ()
    entities: tuple[Entity, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()
    exclusive: tuple[Exclusive, ...] = ()
    facts: tuple[Fact, ...] = ()
    keywords: tuple[str, ...] = ()
    first_seen: str | None = None
    last_seen: str | None = None
    article_count: int = 0
    outlet_count: int = 0
    independent_sources: int = 0
    # the thread the story belongs to (follow-ups, reactions, anniversaries of one event, issue
    # 22); a story alone is a thread of its own. None before clustering has run.
    thread: str | None = None
    # the user's outlet trust settings in force when it was analysed; absent when none (issue 25)
    trust: TrustNote | None = None

    def summary(self) -> dict[str, Any]:
        """The `stories --json` row."""
        return {
            "id": self.id,
            "title": self.title,
            "article_count": self.article_count,
            "outlet_count": self.outlet_count,
            "independent_sources": self.independent_sources,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "keywords": list(self.keywords),
        }


@dataclass(frozen=True, slots=True)
class Assignment(Record):
    """Cluster's answer for one article: its story and, for a copy, the article it copies."""

    article: str
    story: str
    syndicated_from: str | None = None


@dataclass(frozen=True, slots=True)
class RunSummary(Record):
    """What a run did, for the CLI's last line and the report."""

    ingested: int = 0
    new: int = 0
    skipped: tuple[Skip, ...] = ()
    stories: int = 0
    out_dir: str | None = None
    timings: dict[str, float] = field(default_factory=dict)


__all__ = [
    "Article",
    "Assignment",
    "BriefSentence",
    "Claim",
    "CrossCheck",
    "Discrepancy",
    "DiscrepancyValue",
    "Entity",
    "Exclusive",
    "Fact",
    "FactCell",
    "Original",
    "OutletSetting",
    "Passage",
    "Provenance",
    "Quote",
    "RawDocument",
    "Record",
    "Removed",
    "RunSummary",
    "Sentence",
    "Skip",
    "Story",
    "StoryArticle",
    "TimelineEvent",
    "TrustNote",
    "article_id",
    "content_id",
    "normalise_space",
]
