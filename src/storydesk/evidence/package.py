"""Build a story's evidence package: every file of it as bytes, plus the manifest that hashes them.

In: one finished `Story` and its cleaned `Article`s (from the store). Out: a `Package` whose
`files` map a name to its bytes (`report.html`, `story.json`, `brief.md`, `articles.warc.gz`)
and whose `manifest` records each file's SHA-256 and size. `write_package` zips it.

The one idea: the package must stand on its own and tell no more than storydesk knows. The
report page is the offline `report.html` renderer run on this one story; the WARC holds each
article's cleaned text as a `resource` record and a `metadata` record with its provenance and
the text as ingested. storydesk does not keep the bytes it read (records.Provenance names the
file or URL and the fetch time, nothing more), so no record pretends to be the original page:
the manifest and the WARC's warcinfo say the original bytes are not stored and where they came
from.
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
from typing import Any

from storydesk.errors import StorydeskError
from storydesk.records import Article, Story

FORMAT = "storydesk-evidence"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
REPORT = "report.html"
STORY = "story.json"
BRIEF = "brief.md"
WARC = "articles.warc.gz"
# The files every package of this format version holds besides the manifest, in zip order.
REQUIRED = (REPORT, STORY, BRIEF, WARC)
ORIGINAL_BYTES_NOTE = (
    "storydesk does not store the bytes it read (only the extracted text, the cleaned text and "
    "their provenance: source file or URL, format, fetch time), so this package holds no original "
    "page bytes; fetch them again from each article's url or provenance source"
)
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


def article_metadata(article: Article) -> dict[str, Any]:
    """The metadata record's JSON: who, when, where from, what cleaning cut, the text before it."""
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
        "original_bytes": {"stored": False, "note": ORIGINAL_BYTES_NOTE},
    }


def build_warc(story: Story, articles: Mapping[str, Article], generated: str) -> tuple[bytes, list[dict[str, Any]]]:
    """`articles.warc.gz` for the story's articles (in story order), and one manifest entry each.

    Per article: a `resource` record holding the cleaned text (text/plain, UTF-8) and a
    `metadata` record (application/json, WARC-Refers-To the resource) with its provenance.
    An article the store no longer has is listed in the manifest as missing, with no records.
    """
    from warcio.warcwriter import WARCWriter

    from storydesk import __version__

    date = _warc_date(generated)
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    info = (
        f"software: storydesk {__version__}\r\nformat: {FORMAT} {FORMAT_VERSION}\r\n"
        f"story: {story.id}\r\noriginal-bytes: not stored ({ORIGINAL_BYTES_NOTE})\r\n"
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
        text_id = _record_id(story.id, art.id, "cleaned-text")
        meta_id = _record_id(story.id, art.id, "metadata")
        text = art.text.encode("utf-8")
        writer.write_record(writer.create_warc_record(
            uri, "resource", payload=io.BytesIO(text), length=len(text),
            warc_content_type="text/plain; charset=utf-8",
            warc_headers_dict={"WARC-Record-ID": text_id, "WARC-Date": date,
                               "WARC-Storydesk-Article": art.id, "WARC-Storydesk-Content": "cleaned-text"},
        ))
        meta = json.dumps(article_metadata(art), ensure_ascii=False, indent=1).encode("utf-8")
        writer.write_record(writer.create_warc_record(
            uri, "metadata", payload=io.BytesIO(meta), length=len(meta),
            warc_content_type="application/json",
            warc_headers_dict={"WARC-Record-ID": meta_id, "WARC-Date": date, "WARC-Refers-To": text_id,
                               "WARC-Concurrent-To": text_id, "WARC-Storydesk-Article": art.id},
        ))
        entries.append({
            "id": art.id, "outlet": art.outlet, "url": art.url, "target_uri": uri,
            "cleaned_text_record": text_id, "metadata_record": meta_id,
            "cleaned_text_sha256": sha256(text), "original_bytes": "not-stored",
        })
    return buf.getvalue(), entries


def build_package(story: Story, articles: Mapping[str, Article], *, generated: str | None = None,
                  limits: PackageLimits = LIMITS) -> Package:
    """Every file of `story`'s evidence package, and its manifest (pure: nothing is written).

    Args:
        story: the story as stored (an entry of stories.json).
        articles: its cleaned articles by id (the report's side-by-side view and the WARC).
        generated: the time recorded in the files (default: now, UTC).
        limits: a package over these is refused (StorydeskError), as verify would refuse it.
    """
    from storydesk import __version__
    from storydesk.report.html import render_html
    from storydesk.report.json import SCHEMA_VERSION, now_iso
    from storydesk.report.markdown import render_markdown

    generated = generated or now_iso()
    html = render_html([story], articles, generated=generated, schema_version=SCHEMA_VERSION)
    warc, entries = build_warc(story, articles, generated)
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
        "original_bytes": {"stored": False, "note": ORIGINAL_BYTES_NOTE},
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
        if rec.rec_type == "resource":
            aid = rec.rec_headers.get_header("WARC-Storydesk-Article")
            out[aid] = rec.content_stream().read().decode("utf-8")
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
    "package_zip",
    "read_text_records",
    "sha256",
    "write_package",
]

