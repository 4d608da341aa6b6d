"""WARC (and legacy ARC) archives -> one `RawDocument` per captured HTML page.

Records are streamed with warcio's `ArchiveIterator`, so an archive of any size is read one record
at a time; `settings.max_bytes` bounds each record's payload, not the archive. Response and
resource records holding HTML (or plain text) become documents: the URL is WARC-Target-URI,
`provenance.fetched` is WARC-Date, and the HTTP Content-Type charset is the declared charset.
Requests, metadata, revisits, non-2xx responses and non-text payloads (images, scripts) are not
articles and pass silently. A damaged archive (truncated, bad gzip member, broken chunking)
yields a "bad-warc" Skip naming the byte offset where reading stopped, after the documents read
before the damage.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from storydesk.errors import InputError, TooLarge
from storydesk.ingest._common import (
    CountingReader,
    bomb,
    html_document,
    ratio_exceeded,
    skip_from,
    too_large,
    with_original,
    without_nul,
)
from storydesk.ingest.dates import normalise_date
from storydesk.ingest.decode import decode_bytes
from storydesk.ingest.text import parse_text
from storydesk.records import Original, Provenance, RawDocument, Skip
from storydesk.settings import Settings

log = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain",)


def _content_type(value: str | None) -> tuple[str, str | None]:
    """("text/html", "utf-8") from a Content-Type header value."""
    if not value:
        return "", None
    parts = [p.strip() for p in value.split(";")]
    charset = None
    for p in parts[1:]:
        key, _, val = p.partition("=")
        if key.strip().lower() == "charset" and val:
            charset = val.strip().strip("\"'") or None
    return parts[0].lower(), charset


def _record_type(record: Any) -> tuple[str, str | None] | None:
    """(mime type, charset) of a record worth reading as an article, else None."""
    if record.rec_type not in ("response", "resource"):
        return None
    if record.rec_type == "response" and record.http_headers is not None:
        status = record.http_headers.get_statuscode()
        if status and not str(status).startswith("2"):
            return None  # redirects, 404 pages and errors are not articles
        header = record.http_headers.get_header("Content-Type")
    else:
        header = record.rec_headers.get_header("Content-Type")
    mime, charset = _content_type(header)
    if mime in _HTML_TYPES:
        return mime, charset
    uri = (record.rec_headers.get_header("WARC-Target-URI") or "").lower()
    # Plain text only from the web: crawlers store their logs and manifests as text/plain
    # resource records under metadata:// URIs.
    if mime in _TEXT_TYPES and uri.startswith(("http://", "https://")):
        return mime, charset
    return None


def iter_warc(
    fh: IO[bytes], source: str, settings: Settings, fmt: str = "warc"
) -> Iterator[RawDocument | Skip]:
    """Stream the HTML/text records of a WARC or ARC archive (binary handle, gzip or not)."""
    from warcio.archiveiterator import ArchiveIterator

    def check(consumed: int) -> None:
        # warcio decompresses each gzip member whole as it skips records; stop a bomb early.
        reader = getattr(it, "reader", None)
        inflated = getattr(reader, "num_read", 0) if getattr(reader, "decompressor", None) else 0
        if ratio_exceeded(inflated, consumed):
            raise bomb(inflated, consumed)

    it = ArchiveIterator(CountingReader(fh, check), arc2warc=True)
    count = documents = 0
    end_of_last = 0
    previous: tuple[Any, int] | None = None  # the last record and its offset, checked once drained
    try:
        for record in it:
            if previous is not None and (cut := _missing(previous[0])):
                yield _truncated(source, previous[1], cut)
            count += 1
            offset = max(it.offset, 0)
            previous = (record, offset)
            kind = _record_type(record)
            if kind is None:
                continue
            item = _read_record(record, kind, source, offset, settings, fmt)
            if isinstance(item, RawDocument):
                cut = _missing(record, drain=True)
                declared = cut + record.raw_stream.tell()
                # A page cut short loses its end: report it instead of keeping half an article.
                # A few bytes short (<10%) is only the closing markup, which the extractor does
                # without; warcio's sample example-space-in-url.arc declares 12 bytes more than
                # its 1,591-byte record holds, and the page is whole.
                if cut > 0.1 * max(declared, 1):
                    previous = None
                    yield _truncated(source, offset, cut)
                    continue
                previous = None  # checked just now
                documents += 1
            yield item
            end_of_last = offset
        if previous is not None and (cut := _missing(previous[0])):
            yield _truncated(source, previous[1], cut)
            return
        trailing = _trailing_bytes(fh, it.offset)
        if trailing:
            # warcio ends quietly when a record's header is cut short; the bytes it left say so.
            yield Skip(
                f"{source} record at offset {it.offset}",
                "bad-warc",
                f"{trailing:,} bytes at the end are not a complete record (a truncated archive?); "
                f"the {count} records before them were read",
            )
            return
        if it.err_count:
            yield Skip(
                source,
                "bad-warc",
                f"{it.err_count} record(s) do not end where their Content-Length says "
                "(a truncated or edited archive); what could be read was kept",
            )
    except TooLarge as exc:
        yield Skip(f"{source} record at offset {max(it.offset, end_of_last, 0)}", exc.reason,
                   f"{exc.detail}; the {count} records before it were read")
        return
    except Exception as exc:  # warcio raises many types on damage (ArchiveLoadFailed, zlib, EOF)
        at = max(it.offset, end_of_last, 0)
        if _raised_here(exc):
            # Not damage but a bug of ours: say so, so that it gets reported and fixed.
            log.warning("unexpected error reading %s", source, exc_info=True)
            yield Skip(f"{source} record at offset {at}", "unsupported",
                       f"unexpected error ({type(exc).__name__}: {exc}); please report this input")
            return
        log.debug("archive %s damaged", source, exc_info=True)
        message = " ".join(str(exc).split()).removeprefix("ERROR: ")
        message = message.split(". ")[0][:160] or type(exc).__name__
        yield Skip(
            f"{source} record at offset {at}",
            "bad-warc",
            f"the archive is damaged there ({type(exc).__name__}: {message}); "
            f"the {count} records before it were read",
        )
        return
    if documents == 0 and count > 0:
        yield Skip(source, "no-text", f"none of its {count} records is an HTML or text capture")
    elif count == 0:
        yield Skip(source, "empty", "the archive holds no records")


_PACKAGE = str(Path(__file__).resolve().parents[1])


def _raised_here(exc: BaseException) -> bool:
    """True when `exc` was raised in storydesk's own code, not in warcio or zlib."""
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and str(Path(frames[-1].filename).resolve()).startswith(_PACKAGE)


def _trailing_bytes(fh: IO[bytes], offset: int) -> int:
    """Bytes after `offset` (where reading stopped) that are not blank; 0 when unknown."""
    try:
        if not fh.seekable() or offset < 0:
            return 0
        size = fh.seek(0, 2)
        if offset >= size:
            return 0
        fh.seek(offset)
        rest = fh.read(min(size - offset, 1 << 16))
    except (OSError, ValueError):
        return 0
    return size - offset if rest.strip(b"\r\n\t \x00") else 0


def _missing(record: Any, drain: bool = False) -> int:
    """How many bytes of `record`'s declared Content-Length the archive lacks (0 when whole)."""
    from warcio.limitreader import LimitReader

    raw = record.raw_stream
    if not isinstance(raw, LimitReader):
        return 0
    if drain:
        while raw.read(1 << 16):
            pass
    return max(raw.limit, 0)


def _truncated(source: str, offset: int, missing: int) -> Skip:
    return Skip(
        f"{source} record at offset {offset}",
        "bad-warc",
        f"the record is truncated ({missing:,} bytes of its declared length are missing); "
        "the records before it were read",
    )


def _read_record(
    record: Any, kind: tuple[str, str | None], source: str, offset: int, settings: Settings, fmt: str
) -> RawDocument | Skip:
    mime, charset = kind
    record_id = record.rec_headers.get_header("WARC-Record-ID")
    locator = f"record {record_id}" if record_id else f"record at offset {offset}"
    where = f"{source} {locator}"
    body = record.content_stream().read(settings.max_bytes + 1)
    if len(body) > settings.max_bytes:
        return too_large(where, len(body), settings.max_bytes, "record")
    if not body.strip():
        return Skip(where, "empty", f"the {mime} record has no payload")
    url = record.rec_headers.get_header("WARC-Target-URI")
    prov = Provenance(
        source=source,
        fmt=fmt,
        locator=locator,
        fetched=normalise_date(record.rec_headers.get_header("WARC-Date")),
    )
    try:
        text = decode_bytes(body, charset)
    except InputError as exc:
        return skip_from(where, exc)
    # the payload as captured (dechunked and decoded by warcio), with its HTTP headers if any
    http = record.http_headers.to_str() if record.rec_type == "response" and record.http_headers else None
    original = Original(body, _original_type(record), http)
    if mime in _HTML_TYPES:
        return with_original(html_document(text, prov, settings, where, url=url or None), original)
    if not text.replace("\x00", "").strip():
        return Skip(where, "empty", "the text record is blank")
    doc = parse_text(text, prov)
    return with_original(without_nul(RawDocument(
        provenance=doc.provenance, text=doc.text, url=url or None, title=doc.title, outlet=doc.outlet
    )), original)


def _original_type(record: Any) -> str | None:
    """The Content-Type the captured payload was served with (HTTP's, else the record's)."""
    if record.rec_type == "response" and record.http_headers is not None:
        return record.http_headers.get_header("Content-Type")  # type: ignore[no-any-return]
    return record.rec_headers.get_header("Content-Type")  # type: ignore[no-any-return]


__all__ = ["iter_warc"]
