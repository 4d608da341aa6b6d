"""Fuzz entry points: one per parser, bytes in, checked items out.

The hypothesis tests (tests/fuzz/) and the atheris targets (fuzz/*.py) call these same functions,
so a crash found by one is replayed by the other. Each runs one reader the way ingest does and
checks what every input must give: `RawDocument`s or `Skip`s with a known reason, never an
exception, never a swallowed bug. A broken promise raises `BrokenInvariant` (an AssertionError,
so both test runners report it as a failure with the input that caused it).

Time is bounded by the callers: hypothesis with a per-example `deadline`, atheris with
`-timeout`. `FUZZ_SETTINGS` keeps the limits small so that one example stays cheap.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from pathlib import Path

from storydesk.errors import Unreadable
from storydesk.records import RawDocument, Skip
from storydesk.settings import Settings

# Every reason a reader may give; anything else is a typo or an unplanned path.
SKIP_REASONS = frozenset({
    "bad-encoding", "bad-feed", "bad-html", "bad-json", "bad-record", "bad-warc", "binary", "empty",
    "no-text", "not-found", "too-large", "unsupported",
})
_ISO = re.compile(r"^(19\d\d|20\d\d|2100)-\d\d-\d\d(?:T\d\d:\d\d:\d\dZ?)?$")
_LANG = re.compile(r"^[a-z]{2,3}$")
SOURCE = "fuzz-input"

# Small limits: a fuzz example should cost milliseconds; the limits' own paths get exercised too.
FUZZ_SETTINGS = Settings(data_dir=Path("fuzz-store-unused"), max_bytes=1_000_000, max_html_bytes=100_000,
                         extract_timeout_s=1.0, embed=False)


class BrokenInvariant(AssertionError):
    """A parser broke a promise on some input (the message says which)."""


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise BrokenInvariant(message)


def check_items(items: Iterable[object], source: str = SOURCE) -> list[RawDocument | Skip]:
    """Drain `items` and check each: a well-formed RawDocument, or a Skip naming `source` and a
    known reason that is not a caught bug. Returns the list."""
    out: list[RawDocument | Skip] = []
    for item in items:
        if isinstance(item, Skip):
            _require(item.reason in SKIP_REASONS, f"unknown skip reason {item.reason!r}")
            _require(source in item.source, f"skip does not name its input: {item.source!r}")
            # "unexpected error" marks a bug of ours caught by a last-resort handler, not bad input.
            _require(not item.detail.startswith("unexpected error"), f"a bug was caught as a skip: {item.detail}")
        elif isinstance(item, RawDocument):
            check_document(item)
        else:
            raise BrokenInvariant(f"a reader yielded {type(item).__name__}")
        out.append(item)
    return out


def check_document(doc: RawDocument) -> None:
    """The promises every RawDocument keeps, whatever the input."""
    _require(isinstance(doc.text, str) and bool(doc.text.strip()), "a document without text")
    for name in ("text", "title", "outlet", "url", "author"):
        value = getattr(doc, name)
        _require(value is None or (isinstance(value, str) and "\x00" not in value), f"NUL or non-str in {name}")
    _require(doc.published is None or bool(_ISO.match(doc.published)), f"published not ISO: {doc.published!r}")
    _require(doc.language is None or bool(_LANG.match(doc.language)), f"language not a code: {doc.language!r}")
    _require(RawDocument.from_dict(doc.to_dict()) == doc, "to_dict/from_dict does not round-trip")


def fuzz_sniff(data: bytes, name: str = "") -> str:
    """`sniff` always names one of its formats."""
    from storydesk.ingest.sniff import FORMATS, sniff

    fmt = sniff(data[:65_536], name)
    _require(fmt in FORMATS, f"sniff gave {fmt!r}")
    return fmt


def fuzz_decode(data: bytes, declared: str | None = None) -> str | None:
    """`decode_bytes` gives text, or refuses with reason "binary" or "bad-encoding"."""
    from storydesk.ingest.decode import decode_bytes

    try:
        text = decode_bytes(data, declared)
    except Unreadable as exc:
        _require(exc.reason in ("binary", "bad-encoding"), f"decode refused with {exc.reason!r}")
        return None
    _require(isinstance(text, str), "decode gave no str")
    _require(not text.startswith("\ufeff"), "the byte-order mark was kept")
    return text


def fuzz_date(data: bytes, language: str | None = None) -> str | None:
    """`normalise_date` gives None or an ISO 8601 date/time within 1900-2100."""
    from storydesk.ingest.dates import normalise_date

    value = normalise_date(data.decode("utf-8", "replace"), language)
    _require(value is None or bool(_ISO.match(value)), f"date not ISO: {value!r}")
    return value


def fuzz_text(data: bytes) -> list[RawDocument | Skip]:
    """The plain-text reader on decoded bytes."""
    from storydesk.ingest import read_document

    return check_items(read_document(data, "text", SOURCE, FUZZ_SETTINGS))


def fuzz_html(data: bytes) -> list[RawDocument | Skip]:
    """The HTML reader (decoding, depth and time bounds, trafilatura) on one page."""
    from storydesk.ingest import read_document

    return check_items(read_document(data, "html", SOURCE, FUZZ_SETTINGS))


def fuzz_jsonl(data: bytes) -> list[RawDocument | Skip]:
    """The JSON Lines reader on a stream."""
    from storydesk.ingest.jsonl import iter_jsonl

    return check_items(iter_jsonl(io.BytesIO(data), SOURCE, FUZZ_SETTINGS))


def fuzz_warc(data: bytes, fmt: str = "warc") -> list[RawDocument | Skip]:
    """The WARC/ARC reader on a stream (gzip members or not)."""
    from storydesk.ingest.warc import iter_warc

    return check_items(iter_warc(io.BytesIO(data), SOURCE, FUZZ_SETTINGS, fmt=fmt))


def fuzz_feed(data: bytes) -> list[RawDocument | Skip]:
    """The RSS/Atom reader on a whole feed document."""
    from storydesk.ingest.feeds import iter_feed

    return check_items(iter_feed(data, SOURCE, FUZZ_SETTINGS))


def fuzz_input(data: bytes, name: str = "input") -> list[RawDocument | Skip]:
    """The whole ingest path for one file's bytes: sniffing, gzip, the chosen reader."""
    from storydesk.ingest import iter_stream

    items = check_items(iter_stream(io.BytesIO(data), SOURCE, FUZZ_SETTINGS, size=len(data), name=name))
    _require(bool(items), "an input gave neither a document nor a skip")
    return items


TARGETS = {
    "sniff": fuzz_sniff, "decode": fuzz_decode, "date": fuzz_date, "text": fuzz_text, "html": fuzz_html,
    "jsonl": fuzz_jsonl, "warc": fuzz_warc, "feed": fuzz_feed, "input": fuzz_input,
}

__all__ = [
    "FUZZ_SETTINGS", "SKIP_REASONS", "TARGETS", "BrokenInvariant", "check_document", "check_items",
    "fuzz_date", "fuzz_decode", "fuzz_feed", "fuzz_html", "fuzz_input", "fuzz_jsonl", "fuzz_sniff",
    "fuzz_text", "fuzz_warc",
]
