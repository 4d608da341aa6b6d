"""Build a story's evidence package: every file of it as bytes, plus the manifest that hashes them.

In: one finished `Story` and its cleaned `Article`s (from the store). Out: a `Package` whose
`files` map a name to its bytes (`report.html`, `story.json`, `brief.md`, `articles.warc.gz`)
and whose `manifest` records each file's SHA-256 and size. `write_package` zips it.

The one idea: the package must stand on its own and tell no more than storydesk knows. The
report page is the offline `report.html` renderer run on this one story; the WARC holds, per
article, the bytes it was read from when the store kept them (a `response` record with the HTTP
status line and headers when it was fetched over HTTP and they are known, else a `resource`
record with its content type), its cleaned text as a `resource` record and a `metadata` record
with its provenance and the text as ingested. An article without stored bytes (a feed or JSONL
entry has none of its own; an article ingested before storydesk kept them) gets no record that
pretends to be the original page: the manifest, its metadata record and the warcinfo say so.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storydesk.errors import StorydeskError
from storydesk.records import Article, Original, Story

if TYPE_CHECKING:
    from storydesk.store.sqlite import SqliteStore

FORMAT = "storydesk-evidence"
# 2: the WARC holds each article's original bytes when stored; manifest entries describe them
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
REPORT = "report.html"
STORY = "story.json"
BRIEF = "brief.md"
WARC = "articles.warc.gz"
# The files every package of this format version holds besides the manifest, in zip order.
REQUIRED = (REPORT, STORY, BRIEF, WARC)
ORIGINAL_BYTES_NOTE = (
    "storydesk keeps the bytes each page, text file or WARC capture was read from; it has none for "
    "this article (a feed or JSONL entry has no bytes of its own, and articles ingested before "
    "storydesk kept them have none); fetch them again from its url or provenance source"
)
# Provenance formats whose documents are entries of a larger input, with no bytes of their own.
_ENTRY_FORMATS = frozenset({"jsonl", "rss", "atom", "jsonfeed"})
# Hop-by-hop and encoding headers that describe the transfer, not the stored body: ingest keeps
# the body decoded (httpx and warcio undo chunking and Content-Encoding), so a response record
# carrying them would not parse; Content-Length is written again for the body as stored.
_TRANSFER_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length", "connection",
                               "keep-alive"})
# Names the UUIDs of WARC records (uuid5), so rebuilding a package from the same story and
# articles gives the same record ids.
_RECORD_NS = uuid.UUID("8a4f1b52-7c1e-4c59-9a55-3f7d3b0f2a61")


@dataclass(frozen=True, slots=True)
class PackageLimits:
    """Bounds on a package, the same for building and verifying it (an untrusted zip).

    A built package over a bound is refused, so anything `export-story` writes also verifies.
    """

    # A package of this format holds 5 files; room for later additions, and far below the point
    # where listing the members would cost anything.
    max_members: int = 256
    # The manifest lists files and articles: ~200 bytes an article, so 8 MiB is ~40,000 articles.
    max_manifest_bytes: int = 8 * 2**20
    # One file: the report page of a 1,000-article story is ~60 MB of article text at most
    # (Settings.max_bytes bounds each input; a day's biggest seed story is under 1 MB).
    max_member_bytes: int = 1 * 2**30
    # All files together, read and hashed by `verify` (a zip bomb stops here, however its headers lie).
    max_total_bytes: int = 2 * 2**30


LIMITS = PackageLimits()


@dataclass(frozen=True, slots=True)
class Package:
    """An evidence package in memory: file name -> bytes, and the manifest (a JSON document)."""

    story_id: str
    files: dict[str, bytes] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)

    def manifest_bytes(self) -> bytes:
        return (json.dumps(self.manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _warc_date(generated: str) -> str:
    """An ISO time (`2026-12-07T17:41:16+00:00`) as WARC 1.0 wants it: UTC, to the second, `Z`."""
    try:
        dt = datetime.fromisoformat(generated.replace("Z", "+00:00"))
    except ValueError:
        dt = datetime.now(UTC)
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _record_id(story_id: str, article_id: str, kind: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(_RECORD_NS, f'{story_id}/{article_id}/{kind}')}>"


def target_uri(article: Article) -> str:
    """The WARC-Target-URI of an article's records: its http(s) URL, else a storydesk URN."""
    from storydesk.report.html import safe_url

    url = safe_url(article.url)
    # WARC header values are one line: a URL with a line break would forge another header
    if url and not any(c in url for c in "\r\n\t "):
        return url
    return f"urn:storydesk:article:{article.id}"


def _one_line(value: str | None) -> str | None:
    """`value` if it can be a WARC or HTTP header value (one line, printable), else None."""
    if not value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return None
    return value


def original_of(article: Article, originals: Mapping[str, Original]) -> Original | None:
    """The stored bytes `article` was read from, if its provenance names some the store has."""
    sha = article.provenance.original_sha256 if article.provenance else None
    return originals.get(sha) if sha else None


def _no_original(article: Article) -> dict[str, Any]:
    fmt = article.provenance.fmt if article.provenance else None
    why = ("an entry of a feed or JSONL file: no bytes of its own" if fmt in _ENTRY_FORMATS
           else "not in the store (read before storydesk kept original bytes)")
    return {"stored": False, "why": why, "note": ORIGINAL_BYTES_NOTE}


def article_metadata(article: Article, original: dict[str, Any] | None = None) -> dict[str, Any]:
    """The metadata record's JSON: who, when, where from, what cleaning cut, the text before it,
    and the record holding the original bytes (`original`: its manifest entry) or why none."""
    return {
        "article": article.id,
        "outlet": article.outlet,
        "title": article.title,
        "url": article.url,
        "published": article.published,
        "language": article.language,
        "author": article.author,
        "provenance": article.provenance.to_dict() if article.provenance else None,
        "removed": [r.to_dict() for r in article.removed],
        "text_before_cleaning": article.raw_text,
        "original_bytes": original if original is not None else _no_original(article),
    }


def _http_head(original: Original) -> Any:
    """The response's status line and headers as warcio's StatusAndHeaders, fit for the body as
    stored; None when they are unknown or do not parse (the bytes then go in a resource record)."""
    from warcio.statusandheaders import StatusAndHeaders

    if not original.http_headers:
        return None
    lines = original.http_headers.replace("\r\n", "\n").split("\n")
    protocol, _, status = lines[0].strip().partition(" ")
    if not protocol.upper().startswith("HTTP/") or not status[:3].isdigit():
        return None
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or not name or any(c in name for c in " \t") or name.lower() in _TRANSFER_HEADERS:
            continue
        if _one_line(value) is not None:
            headers.append((name, value))
    headers.append(("Content-Length", str(len(original.data))))
    return StatusAndHeaders(status.strip(), headers, protocol=protocol.upper())


def _record_date(article: Article, fallback: str) -> str:
    """A capture's WARC-Date: when the page was fetched, if known and valid, else the package's."""
    fetched = article.provenance.fetched if article.provenance else None
    if not fetched:
        return fallback
    try:
        datetime.fromisoformat(fetched.replace("Z", "+00:00"))
    except ValueError:
        return fallback
    return _warc_date(fetched)


def _write_original(writer: Any, story: Story, art: Article, original: Original, uri: str,
                    date: str) -> dict[str, Any]:
    """One record of the bytes `art` was read from; returns its manifest entry."""
    record_id = _record_id(story.id, art.id, "original")
    headers = {"WARC-Record-ID": record_id, "WARC-Date": _record_date(art, date),
               "WARC-Storydesk-Article": art.id, "WARC-Storydesk-Content": "original",
               "WARC-Payload-Sha256": f"sha256:{sha256(original.data)}"}
    source = _one_line(art.provenance.source if art.provenance else None)
    if source:
        headers["WARC-Storydesk-Source"] = source
    http = _http_head(original)
    content_type = _one_line(original.content_type) or "application/octet-stream"
    if http is not None:
        kind = "response"
        writer.write_record(writer.create_warc_record(
            uri, "response", payload=io.BytesIO(original.data), length=len(original.data),
            http_headers=http, warc_headers_dict=headers))
    else:
        kind = "resource"
        writer.write_record(writer.create_warc_record(
            uri, "resource", payload=io.BytesIO(original.data), length=len(original.data),
            warc_content_type=content_type, warc_headers_dict=headers))
    return {"stored": True, "record": record_id, "record_type": kind, "sha256": sha256(original.data),
            "bytes": len(original.data), "content_type": _one_line(original.content_type),
            "http_headers": http is not None}


def build_warc(story: Story, articles: Mapping[str, Article], generated: str,
               originals: Mapping[str, Original] | None = None) -> tuple[bytes, list[dict[str, Any]]]:
    """`articles.warc.gz` for the story's articles (in story order), and one manifest entry each.

    Per article: the bytes it was read from when `originals` (sha256 -> Original, from the
    store) has them (a `response` record with HTTP headers, else a `resource` record), a
    `resource` record holding the cleaned text (text/plain, UTF-8, WARC-Storydesk-Content:
    cleaned-text) and a `metadata` record (application/json, WARC-Refers-To the cleaned text)
    with its provenance. An article the store no longer has is listed in the manifest as
    missing, with no records.
    """
    from warcio.warcwriter import WARCWriter

    from storydesk import __version__

    originals = originals or {}
    date = _warc_date(generated)
    present = [art for sa in story.articles if (art := articles.get(sa.id)) is not None]
    with_bytes = sum(original_of(a, originals) is not None for a in present)
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    info = (
        f"software: storydesk {__version__}\r\nformat: {FORMAT} {FORMAT_VERSION}\r\n"
        f"story: {story.id}\r\noriginal-bytes: {with_bytes} of {len(present)} articles"
        + (f" (the others: none stored; {ORIGINAL_BYTES_NOTE})" if with_bytes < len(present) else "")
        + "\r\n"
    ).encode()
    writer.write_record(writer.create_warc_record(
        "", "warcinfo", payload=io.BytesIO(info), length=len(info),
        warc_content_type="application/warc-fields",
        warc_headers_dict={"WARC-Record-ID": _record_id(story.id, "", "warcinfo"), "WARC-Date": date,
                           "WARC-Filename": WARC},
    ))
    entries: list[dict[str, Any]] = []
    for sa in story.articles:
        art = articles.get(sa.id)
        if art is None:
            entries.append({"id": sa.id, "outlet": sa.outlet, "url": sa.url, "missing": True})
            continue
        uri = target_uri(art)
        original = original_of(art, originals)
        kept = _write_original(writer, story, art, original, uri, date) if original is not None else None
        text_id = _record_id(story.id, art.id, "cleaned-text")
        meta_id = _record_id(story.id, art.id, "metadata")
        text = art.text.encode("utf-8")
        text_headers = {"WARC-Record-ID": text_id, "WARC-Date": date,
                        "WARC-Storydesk-Article": art.id, "WARC-Storydesk-Content": "cleaned-text"}
        if kept is not None:
            text_headers["WARC-Refers-To"] = kept["record"]  # derived from the original capture
        writer.write_record(writer.create_warc_record(
            uri, "resource", payload=io.BytesIO(text), length=len(text),
            warc_content_type="text/plain; charset=utf-8", warc_headers_dict=text_headers,
        ))
        meta = json.dumps(article_metadata(art, kept), ensure_ascii=False, indent=1).encode("utf-8")
        writer.write_record(writer.create_warc_record(
            uri, "metadata", payload=io.BytesIO(meta), length=len(meta),
            warc_content_type="application/json",
            warc_headers_dict={"WARC-Record-ID": meta_id, "WARC-Date": date, "WARC-Refers-To": text_id,
                               "WARC-Concurrent-To": text_id, "WARC-Storydesk-Article": art.id},
        ))
        entries.append({
            "id": art.id, "outlet": art.outlet, "url": art.url, "target_uri": uri,
            "cleaned_text_record": text_id, "metadata_record": meta_id,
            "cleaned_text_sha256": sha256(text),
            "original_bytes": kept if kept is not None else _no_original(art),
        })
    return buf.getvalue(), entries


def build_package(story: Story, articles: Mapping[str, Article], *, generated: str | None = None,
                  limits: PackageLimits = LIMITS, originals: Mapping[str, Original] | None = None) -> Package:
    """Every file of `story`'s evidence package, and its manifest (pure: nothing is written).

    Args:
        story: the story as stored (an entry of stories.json).
        articles: its cleaned articles by id (the report's side-by-side view and the WARC).
        generated: the time recorded in the files (default: now, UTC).
        limits: a package over these is refused (StorydeskError), as verify would refuse it.
        originals: the bytes the articles were read from, by SHA-256 (`SqliteStore.get_originals`
            of their provenance.original_sha256); an article without is packaged without.
    """
    from storydesk import __version__
    from storydesk.report.html import render_html
    from storydesk.report.json import SCHEMA_VERSION, now_iso
    from storydesk.report.markdown import render_markdown

    generated = generated or now_iso()
    html = render_html([story], articles, generated=generated, schema_version=SCHEMA_VERSION)
    warc, entries = build_warc(story, articles, generated, originals)
    files = {
        REPORT: html.encode("utf-8"),
        STORY: (json.dumps(story.to_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        BRIEF: render_markdown([story]).encode("utf-8"),
        WARC: warc,
    }
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated": generated,
        "software": f"storydesk {__version__}",
        "schema_version": SCHEMA_VERSION,
        "story": {"id": story.id, "title": story.title, "article_count": len(story.articles)},
        "files": [{"path": name, "sha256": sha256(data), "bytes": len(data)} for name, data in files.items()],
        "articles": entries,
        "original_bytes": _bytes_summary(entries),
    }
    package = Package(story_id=story.id, files=files, manifest=manifest)
    total = sum(len(d) for d in files.values()) + len(package.manifest_bytes())
    too_big = [n for n, d in files.items() if len(d) > limits.max_member_bytes]
    if too_big or total > limits.max_total_bytes or len(package.manifest_bytes()) > limits.max_manifest_bytes:
        raise StorydeskError(
            f"the evidence package of story {story.id} would be {total:,} bytes"
            f"{' (' + ', '.join(too_big) + ' over the per-file limit)' if too_big else ''}, over the limits "
            f"a package must keep to verify ({limits.max_member_bytes:,} bytes a file, "
            f"{limits.max_total_bytes:,} in all)"
        )
    return package


def _bytes_summary(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """How many articles' original bytes the WARC holds, and a note when some have none."""
    present = [e for e in entries if not e.get("missing")]
    stored = sum(bool(e["original_bytes"].get("stored")) for e in present)
    out: dict[str, Any] = {"stored": stored, "not_stored": len(present) - stored}
    if stored < len(present):
        out["note"] = ORIGINAL_BYTES_NOTE
    return out


def package_story(store: SqliteStore, story_ref: str, *, generated: str | None = None,
                  limits: PackageLimits = LIMITS) -> Package:
    """`build_package` of a stored story (id or unique prefix): its articles and their originals
    read from `store` (NotFound when there is no such story)."""
    story = store.get_story(story_ref)
    articles = {a.id: a for a in store.iter_articles([x.id for x in story.articles])}
    originals = store.get_originals(a.provenance.original_sha256 for a in articles.values() if a.provenance)
    return build_package(story, articles, generated=generated, limits=limits, originals=originals)


def _zip_time(generated: str) -> tuple[int, int, int, int, int, int]:
    """The zip entries' timestamp: the package's time (zip cannot store dates before 1980)."""
    try:
        dt = datetime.fromisoformat(_warc_date(generated).replace("Z", "+00:00"))
    except ValueError:
        return (1980, 1, 1, 0, 0, 0)
    if dt.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second)


def package_zip(package: Package) -> bytes:
    """The package as zip bytes: the manifest first, then the files in manifest order."""
    when = _zip_time(str(package.manifest.get("generated", "")))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in [(MANIFEST, package.manifest_bytes()), *package.files.items()]:
            info = zipfile.ZipInfo(name, date_time=when)
            # the WARC is gzip already: deflating it again only costs time
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".gz") else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def write_package(package: Package, out: Path) -> Path:
    """Write the package's zip to `out`, whole then renamed into place (never half a zip)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(package_zip(package))
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def read_text_records(warc_gz: bytes) -> dict[str, str]:
    """Article id -> cleaned text from a package's WARC (for tests and tools); gzip read in memory."""
    from warcio.archiveiterator import ArchiveIterator

    out: dict[str, str] = {}
    for rec in ArchiveIterator(io.BytesIO(warc_gz)):
        if rec.rec_type == "resource" and rec.rec_headers.get_header("WARC-Storydesk-Content") == "cleaned-text":
            aid = rec.rec_headers.get_header("WARC-Storydesk-Article")
            out[aid] = rec.content_stream().read().decode("utf-8")
    return out


def read_originals(warc_gz: bytes) -> dict[str, bytes]:
    """Article id -> the original bytes (payload, without HTTP headers) from a package's WARC."""
    from warcio.archiveiterator import ArchiveIterator

    out: dict[str, bytes] = {}
    for rec in ArchiveIterator(io.BytesIO(warc_gz)):
        if rec.rec_headers.get_header("WARC-Storydesk-Content") == "original":
            # the raw payload: content_stream() would undo a Content-Encoding the body does not have
            out[rec.rec_headers.get_header("WARC-Storydesk-Article")] = rec.raw_stream.read()
    return out


__all__ = [
    "BRIEF",
    "FORMAT",
    "FORMAT_VERSION",
    "LIMITS",
    "MANIFEST",
    "REPORT",
    "REQUIRED",
    "STORY",
    "WARC",
    "Package",
    "PackageLimits",
    "build_package",
    "build_warc",
    "package_story",
    "package_zip",
    "read_originals",
    "read_text_records",
    "sha256",
    "write_package",
]

