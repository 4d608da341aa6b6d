"""Ingest: files, directories, archives and feeds -> a stream of `RawDocument` or `Skip`.

`iter_inputs(paths, settings)` is the one entry point. Each path is a file, a directory (walked
in sorted order, hidden names skipped) or an http(s) URL. A file's format is sniffed from its
first bytes (`sniff.sniff`), not its extension, and read by one reader:

    text   text.py   headline / site-name lines found, the text kept whole
    html   html.py   trafilatura extraction (owned by cleaning)
    jsonl  jsonl.py  one object per line, streamed
    warc   warc.py   warcio, streamed record by record (ARC too)
    feed   feeds.py  feedparser, one document per entry

Bad input never raises: it becomes a `Skip(source, reason, detail)`, and the rest of the file
(the other lines, records, entries) and the other inputs carry on. Memory stays bounded: whole
files are read only for the formats that need it (text, HTML, feeds), under
`settings.max_bytes`; JSONL and WARC stream, the limit then bounding each line or record.
"""

from __future__ import annotations

import logging
import os
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from storydesk.errors import InputError
from storydesk.ingest._common import GuardedGzip, html_document, skip_from, too_large, with_original
from storydesk.ingest.decode import decode_bytes
from storydesk.ingest.sniff import HEAD_BYTES, gzip_is_damaged, gzip_member_head, sniff
from storydesk.records import Original, Provenance, RawDocument, Skip
from storydesk.settings import Settings

log = logging.getLogger(__name__)

Item = RawDocument | Skip

# Formats read whole (the limit is the file's size) vs streamed (the limit is per line/record).
_STREAMED = frozenset({"jsonl", "warc", "arc"})
# Formats whose whole input is one document, so its bytes are that document's original
# (records.Original), with the media type a file of that format has when none was sent.
_ORIGINAL_TYPES = {"html": "text/html", "text": "text/plain"}


def iter_inputs(paths: Sequence[str | Path], settings: Settings) -> Iterator[Item]:
    """Every document (or Skip) in `paths`: files, directories and http(s) URLs, in order.

    Never raises for bad input: a missing path is a Skip with reason "not-found", an
    unreadable file or item a Skip with its reason. Directories are walked in sorted order and
    hidden files and folders (names starting with ".") are left out.

    Example:
        >>> for item in iter_inputs(["news/", "feed.xml"], Settings()):  # doctest: +SKIP
        ...     print(item.message() if isinstance(item, Skip) else item.title)
    """
    for p in paths:
        s = str(p)
        if s.startswith(("http://", "https://")):
            try:
                yield from iter_url(s, settings)
            except InputError as exc:
                yield skip_from(s, exc)
            except Exception as exc:  # as in iter_file: one bad URL must not end the run
                log.warning("unexpected error reading %s", s, exc_info=True)
                yield Skip(s, "unsupported", f"unexpected error ({type(exc).__name__}: {exc})")
            continue
        path = Path(p)
        if path.is_dir():
            yield from _walk(path, settings)
        elif path.exists():
            yield from iter_file(path, settings)
        else:
            yield Skip(s, "not-found", "no such file or directory")


def _walk(root: Path, settings: Settings) -> Iterator[Item]:
    for dirpath, dirnames, filenames in os.walk(root, onerror=None):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            yield from iter_file(Path(dirpath) / name, settings)


def iter_file(path: Path, settings: Settings) -> Iterator[Item]:
    """The documents in one file, whatever its format; Skips for what cannot be read."""
    source = str(path)
    try:
        size = path.stat().st_size
        fh = path.open("rb")
    except OSError as exc:
        yield Skip(source, "not-found", f"cannot open it ({exc.strerror or exc})")
        return
    with fh:
        yield from iter_stream(fh, source, settings, size=size, name=path.name)


def iter_stream(
    fh: IO[bytes], source: str, settings: Settings, size: int | None = None, name: str = ""
) -> Iterator[Item]:
    """The documents in one open binary stream (a file's content), Skips for what cannot be read.

    `name` (a file name) only breaks format ties; `size`, when known, lets an over-limit input be
    skipped before it is read. Never raises for bad content.
    """
    try:
        yield from _read_stream(fh, source, size, name, settings)
    except InputError as exc:
        yield skip_from(source, exc)
    except (OSError, EOFError, zlib.error) as exc:
        # Mostly damaged or truncated gzip data (gzip raises all three); what was read before
        # the damage has been yielded already.
        yield Skip(source, "binary", f"reading failed ({type(exc).__name__}: {exc})")
    except Exception as exc:  # a reader's bug on odd input must not end the whole run
        log.warning("unexpected error reading %s", source, exc_info=True)
        yield Skip(source, "unsupported",
                   f"unexpected error ({type(exc).__name__}: {exc}); please report this input")


def _read_stream(
    fh: IO[bytes], source: str, size: int | None, name: str, settings: Settings
) -> Iterator[Item]:
    head = fh.read(HEAD_BYTES)
    fmt = sniff(head, name)
    if fmt == "gzip":
        inner = sniff(gzip_member_head(head), name.removesuffix(".gz"))
        fh.seek(0)
        if inner in ("warc", "arc"):
            from storydesk.ingest.warc import iter_warc

            yield from iter_warc(fh, source, settings, fmt=inner)
            return
        if gzip_is_damaged(head):
            yield Skip(source, "binary", "damaged gzip data: it cannot be decompressed")
            return
        if inner in ("empty", "binary", "gzip"):
            yield Skip(source, "binary" if inner != "empty" else "empty",
                       "a gzip file that holds no text" if inner != "empty" else "the gzip file is empty")
            return
        # Any other gzipped input (feed.xml.gz, news.jsonl.gz): read through the decompressor;
        # the size limit then applies to the decompressed bytes, and GuardedGzip stops a bomb.
        with GuardedGzip(fh) as gz:
            yield from _read_stream(gz, source, None, name.removesuffix(".gz"), settings)  # type: ignore[arg-type]
        return
    if fmt == "empty":
        yield Skip(source, "empty", "the file has no content (empty, blank or only XML comments)")
        return
    if fmt == "binary":
        yield Skip(source, "binary", "binary data (not text, HTML, JSONL, WARC or a feed)")
        return
    if fmt in _STREAMED:
        if hasattr(fh, "seek"):
            fh.seek(0)
        if fmt == "jsonl":
            from storydesk.ingest.jsonl import iter_jsonl

            yield from iter_jsonl(fh, source, settings)
        else:
            from storydesk.ingest.warc import iter_warc

            yield from iter_warc(fh, source, settings, fmt=fmt)
        return
    if size is not None and size > settings.max_bytes:
        yield too_large(source, size, settings.max_bytes)
        return
    rest = fh.read(settings.max_bytes + 1 - len(head)) if len(head) <= settings.max_bytes else b""
    data = head + rest
    if len(data) > settings.max_bytes:
        yield too_large(source, len(data), settings.max_bytes, "decompressed file")
        return
    if fmt in _ORIGINAL_TYPES:
        # a whole page (or text file) is its own bytes; entries of a feed or JSONL file are not
        original = Original(data, _ORIGINAL_TYPES[fmt])
        yield from (with_original(item, original) for item in read_document(data, fmt, source, settings))
        return
    yield from read_document(data, fmt, source, settings)


def read_document(
    data: bytes, fmt: str, source: str, settings: Settings, url: str | None = None,
    declared: str | None = None, fetched: str | None = None,
) -> Iterator[Item]:
    """The documents in one whole input already in memory, given its sniffed format."""
    if fmt in ("rss", "atom"):
        from storydesk.ingest.feeds import iter_feed

        headers = {"content-type": f"application/xml; charset={declared}"} if declared else None
        yield from iter_feed(data, source, settings, response_headers=headers, fetched=fetched)
        return
    if fmt in ("jsonl", "warc", "arc"):
        import io

        from storydesk.ingest.jsonl import iter_jsonl
        from storydesk.ingest.warc import iter_warc

        stream = io.BytesIO(data)
        yield from iter_jsonl(stream, source, settings) if fmt == "jsonl" else iter_warc(
            stream, source, settings, fmt=fmt)
        return
    if fmt not in ("text", "html"):
        yield Skip(source, "unsupported", f"storydesk does not read {fmt} inputs")
        return
    try:
        text = decode_bytes(data, declared)
    except InputError as exc:
        yield skip_from(source, exc)
        return
    prov = Provenance(source=source, fmt=fmt, fetched=fetched)
    if fmt == "html":
        yield html_document(text, prov, settings, source, url=url)
        return
    if not text.replace("\x00", "").strip():
        yield Skip(source, "empty", "the file is empty or only whitespace")
        return
    from storydesk.ingest.text import parse_text

    doc = parse_text(text, prov)
    yield doc if url is None else RawDocument(
        provenance=prov, text=doc.text, url=url, title=doc.title, outlet=doc.outlet)


def iter_url(url: str, settings: Settings) -> Iterator[Item]:
    """Fetch one http(s) URL (a feed, usually) and read what came back by its content."""
    import dataclasses

    from storydesk.ingest.fetch import fetch
    from storydesk.ingest.warc import _content_type

    try:
        got = fetch(url, settings)
    except InputError as exc:
        yield skip_from(url, exc)
        return
    fmt = sniff(got.body[:HEAD_BYTES], got.url.rsplit("/", 1)[-1].split("?")[0])
    if fmt == "gzip":
        # Bounded: a small body may inflate to gigabytes (a compression bomb).
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            body = d.decompress(got.body, settings.max_bytes + 1)
        except zlib.error as exc:
            yield Skip(url, "binary", f"a damaged gzip body ({exc})")
            return
        if len(body) > settings.max_bytes:
            yield too_large(url, len(body), settings.max_bytes, "decompressed response")
            return
        fmt = sniff(body[:HEAD_BYTES], "")
        original = Original(got.body, got.content_type, got.http_headers)
        got = dataclasses.replace(got, body=body)
    else:
        original = Original(got.body, got.content_type, got.http_headers)
    if fmt in ("empty", "binary"):
        yield Skip(url, fmt, "the server sent no text")
        return
    _mime, charset = _content_type(got.content_type)
    items = read_document(got.body, fmt, url, settings, url=got.url, declared=charset, fetched=got.fetched)
    if fmt not in _ORIGINAL_TYPES:
        yield from items
        return
    # the body as the server sent it (gzip and all), with its headers: a WARC response record
    yield from (with_original(item, original) for item in items)


__all__ = ["iter_file", "iter_inputs", "iter_stream", "iter_url", "read_document"]
