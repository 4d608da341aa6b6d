"""JSON Lines -> one `RawDocument` per line, or a `Skip` for that line.

Each line is an object with `url`, `outlet`, `title`, `published` (ISO 8601), `author`,
`language` and `text` or `html`; every field may be missing except one of the last two. Common
other names for the same fields are read too (`body`/`content` for text, `link` for url, `date`
for published, `source`/`publisher` for outlet), the contract's name winning when both appear. The
file is streamed line by line, so its size is unbounded; `settings.max_bytes` bounds each line.
A line that is not JSON is skipped as "bad-json", valid JSON without text or html as
"bad-record"; the lines after it still count. A file holding one JSON array of such objects
(or one pretty-printed object) is read as well.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from storydesk.errors import Unreadable
from storydesk.ingest._common import html_document, language_code, text_or_none, too_large, without_nul
from storydesk.ingest.dates import PUBLISHED_INPUT, normalise_date
from storydesk.ingest.decode import decode_bytes
from storydesk.records import Provenance, RawDocument, Skip
from storydesk.settings import Settings


def record_document(
    obj: Any, source: str, locator: str, settings: Settings
) -> RawDocument | Skip:
    """One JSON object -> RawDocument (or Skip naming `source locator`)."""
    where = f"{source} {locator}".strip()
    if not isinstance(obj, dict):
        return Skip(where, "bad-record", f"expected a JSON object, found {type(obj).__name__}")
    text = _first_str(obj, _TEXT_KEYS)
    html = _first_str(obj, _HTML_KEYS)
    # "\u0000" escapes: SQLite and most tools read a NUL as the end of a string.
    text = text.replace("\x00", "") if text else text
    html = html.replace("\x00", "") if html else html
    if text is None and html is None:
        keys = ", ".join(sorted(map(str, obj))[:8]) or "none"
        return Skip(where, "bad-record", f'no "text" or "html" string field (keys: {keys})')
    url = text_or_none(_first(obj, _URL_KEYS))
    language = language_code(_first(obj, ("language", "lang")))
    meta: dict[str, Any] = {  # RawDocument fields (str or None)
        "title": text_or_none(_first(obj, ("title", "headline"))),
        "outlet": text_or_none(_first(obj, _OUTLET_KEYS)),
        "author": _author(_first(obj, ("author", "authors", "byline"))),
        "published": normalise_date(_first(obj, _DATE_KEYS), language),
        "language": language,
    }
    # A `published` the line states is the user's word: it outranks the page's own metadata.
    given = PUBLISHED_INPUT if meta["published"] else None
    prov = Provenance(source=source, fmt="jsonl", locator=locator,
                      fetched=normalise_date(obj.get("fetched")), published_from=given)
    if text is not None and text.strip():
        return without_nul(RawDocument(provenance=prov, text=text, html=html, url=url, **meta))
    if html is not None and html.strip():
        return html_document(html, prov, settings, where, url=url, meta={**meta, "published_from": given})
    return Skip(where, "no-text", 'the "text" (or "html") field is empty')


# The contract's field first, then names other news dumps use for the same thing.
_TEXT_KEYS = ("text", "body", "content", "article", "maintext")
_HTML_KEYS = ("html", "raw_html")
_URL_KEYS = ("url", "link", "source_url")
_OUTLET_KEYS = ("outlet", "source", "site", "site_name", "publisher", "source_domain")
_DATE_KEYS = ("published", "date", "published_at", "pubDate", "datePublished", "date_publish")


def _first(obj: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """The first of `keys` that `obj` has with a non-empty value."""
    for key in keys:
        value = obj.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _first_str(obj: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, str):
            return value
    return None


def _author(value: Any) -> str | None:
    if isinstance(value, list):
        names = [n for n in (text_or_none(v) for v in value) if n]
        return "; ".join(names) or None
    if isinstance(value, dict):
        return text_or_none(value.get("name"))
    return text_or_none(value)


def _lines(fh: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, bytes or None when over `limit`, length) for each line, streamed."""
    number = 0
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            size = len(line)
            while True:  # drain the rest of the overlong line without holding it
                more = fh.readline(1 << 20)
                size += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield number, None, size
        else:
            yield number, line, len(line)


def iter_jsonl(fh: IO[bytes], source: str, settings: Settings) -> Iterator[RawDocument | Skip]:
    """Stream a JSON Lines file (binary handle) into RawDocuments and per-line Skips.

    A file that holds no record at all (blank lines, `[]`) is one "empty" Skip, never silence.
    """
    empty = True
    for item in _iter_jsonl(fh, source, settings):
        empty = False
        yield item
    if empty:
        yield Skip(source, "empty", "the JSON holds no records (blank lines or an empty array)")


def _iter_jsonl(fh: IO[bytes], source: str, settings: Settings) -> Iterator[RawDocument | Skip]:
    first = True
    for number, line, size in _lines(fh, settings.max_bytes):
        loc = f"line {number}"
        if line is None:
            yield too_large(f"{source} {loc}", size, settings.max_bytes, "line")
            continue
        if first:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if not line.strip():
            continue
        try:
            obj = _loads(line)
        except Unreadable as exc:
            yield Skip(f"{source} {loc}", exc.reason, exc.detail)
            first = False
            continue
        except (ValueError, RecursionError) as exc:
            if first and line.lstrip()[:1] in (b"[", b"{") and _runs_on(exc, line):
                # Not one object per line: maybe one JSON document (an array, or a pretty-printed
                # object) spread over many lines.
                yield from _whole_document(line, fh, source, settings)
                return
            yield Skip(f"{source} {loc}", "bad-json", f"not valid JSON: {_short(exc)}")
            first = False
            continue
        first = False
        if isinstance(obj, list):
            yield from _items(obj, source, settings, prefix=f"{loc} item ")
            continue
        yield record_document(obj, source, loc, settings)


def _runs_on(exc: Exception, line: bytes) -> bool:
    """True when the JSON error is at the end of `line` (the document goes on below), not inside
    it: a broken or too deeply nested first line is that line's problem, not the file's."""
    if not isinstance(exc, json.JSONDecodeError):
        return False
    return exc.pos >= len(line.rstrip()) - 1


def _loads(line: bytes) -> Any:
    """json.loads, reading a line that is not UTF-8 (JSON should be) by its likeliest encoding."""
    try:
        return json.loads(line)
    except UnicodeDecodeError:
        return json.loads(decode_bytes(line))


def _whole_document(
    first_line: bytes, fh: IO[bytes], source: str, settings: Settings
) -> Iterator[RawDocument | Skip]:
    rest = fh.read(settings.max_bytes + 1 - len(first_line))
    data = first_line + rest
    if len(data) > settings.max_bytes:
        yield too_large(source, len(data), settings.max_bytes, "JSON document")
        return
    try:
        obj = _loads(data)
    except Unreadable as exc:
        yield Skip(source, exc.reason, exc.detail)
        return
    except (ValueError, RecursionError) as exc:
        yield Skip(f"{source} line 1", "bad-json", f"not valid JSON: {_short(exc)}")
        return
    if isinstance(obj, list):
        yield from _items(obj, source, settings, prefix="item ")
    elif isinstance(obj, dict) and str(obj.get("version", "")).startswith("https://jsonfeed.org/"):
        from storydesk.ingest.feeds import iter_json_feed

        yield from iter_json_feed(obj, source, settings)
    else:
        yield record_document(obj, source, "", settings)


def _items(objs: Iterable[Any], source: str, settings: Settings, prefix: str) -> Iterator[RawDocument | Skip]:
    for i, obj in enumerate(objs, 1):
        yield record_document(obj, source, f"{prefix}{i}", settings)


def _short(exc: BaseException) -> str:
    msg = str(exc) or type(exc).__name__
    return msg if len(msg) <= 120 else msg[:117] + "..."


__all__ = ["iter_jsonl", "record_document"]
