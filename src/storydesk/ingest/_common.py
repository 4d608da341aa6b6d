"""Helpers shared by the format readers: calling the HTML reader, turning errors into Skips."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from storydesk.errors import InputError, TooLarge
from storydesk.records import Original, Provenance, RawDocument, Skip
from storydesk.settings import Settings

# The HTML reader's own reason words, mapped onto ingest's skip vocabulary.
_REASONS = {"undecodable": "bad-encoding"}


def skip_from(source: str, exc: InputError) -> Skip:
    """The Skip for an InputError raised while reading `source`."""
    return Skip(source=source, reason=_REASONS.get(exc.reason, exc.reason), detail=exc.detail)


def too_large(source: str, size: int, limit: int, what: str = "file") -> Skip:
    """The Skip for an input over `settings.max_bytes`, saying how to raise the limit."""
    return Skip(
        source=source,
        reason="too-large",
        detail=f"the {what} is {size:,} bytes, over the limit of {limit:,} bytes "
        f"(settings.max_bytes); raise it with STORYDESK_MAX_BYTES={max(size, limit) * 2}",
    )


_STR_FIELDS = ("text", "html", "url", "outlet", "title", "published", "language", "author")


def without_nul(item: RawDocument | Skip) -> RawDocument | Skip:
    """`item` with NUL characters dropped from every string field (a Skip passes unchanged).

    A NUL inside a field (a raw one in ill-formed XML, a WARC header, a JSON "\\u0000") ends the
    string for SQLite's C API and most tools; nothing in news text needs one.
    """
    if not isinstance(item, RawDocument):
        return item
    changes = {f: getattr(item, f).replace("\x00", "") for f in _STR_FIELDS
               if isinstance(getattr(item, f), str) and "\x00" in getattr(item, f)}
    if not changes:
        return item
    import dataclasses

    return dataclasses.replace(item, **changes)


def with_original(item: RawDocument | Skip, original: Original) -> RawDocument | Skip:
    """`item` carrying the bytes it was read from, its provenance naming them by SHA-256.

    A Skip, or a document that already has its own (a WARC record fetched inside a URL's body),
    passes unchanged. The caller passes bytes already bounded by `settings.max_bytes`.
    """
    if not isinstance(item, RawDocument) or item.original is not None:
        return item
    import dataclasses

    prov = dataclasses.replace(item.provenance, original_sha256=original.sha256)
    return dataclasses.replace(item, provenance=prov, original=original)


def html_document(
    html: str | bytes,
    provenance: Provenance,
    settings: Settings,
    source: str,
    url: str | None = None,
    meta: dict[str, Any] | None = None,
) -> RawDocument | Skip:
    """Run the HTML reader on one page; its InputErrors become a Skip naming `source`."""
    from storydesk.ingest.html import parse_html

    clean_meta = {k: v for k, v in (meta or {}).items() if v}
    try:
        return without_nul(parse_html(html, provenance, settings, url=url, meta=clean_meta or None))
    except InputError as exc:
        return skip_from(source, exc)


def language_code(value: Any) -> str | None:
    """"en-US" / "en_gb" / "EN" -> "en"; None for anything that is not a language tag."""
    if not isinstance(value, str):
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if len(code) in (2, 3) and code.isalpha() else None


def text_or_none(value: Any) -> str | None:
    """A stripped, whitespace-collapsed string, or None for empty or non-string values."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = " ".join(value.replace("\x00", "").split())
    return value or None


# --------------------------------------------------------------------------- compression bombs

# Decompressed/compressed size ratio above which a gzip input is taken for a compression bomb and
# abandoned. Real inputs stay far below it: 381 gzipped news pages in ../shared/data
# (trafilatura-eval, news-html-newspaper4k, article-extraction-benchmark) reach at most 16.4
# (median 4.6), ecbplus-events/docs.jsonl.gz 3.4, warcio's sample archives 2.4. zlib's own
# maximum is about 1,030 (a run of zeros), which is what bombs use: a 1 MB file of newlines
# took 17 minutes to stream through the JSONL reader before this guard, and a 1 MB WARC holding
# 1 GB of zeros 9 s (tests/fuzz/test_hostile.py builds both).
MAX_GZIP_RATIO = 100
# Below this many decompressed bytes the ratio is not checked: tiny files have noisy ratios.
GZIP_RATIO_FLOOR = 1_000_000
# Compressed bytes handed to the decompressor at a time, so the ratio is checked often enough
# (gzip.GzipFile would read 128 KB, up to 128 MB of zeros, between two checks).
_CHUNK = 16_384


def bomb(decompressed: int, compressed: int) -> TooLarge:
    """The error for a gzip input that decompresses to over `MAX_GZIP_RATIO` times its size."""
    return TooLarge(
        "too-large",
        f"it decompresses to over {MAX_GZIP_RATIO} times its compressed size ({decompressed:,} bytes "
        f"from {compressed:,}; news text stays under 20 times): a compression bomb, not read further",
    )


def ratio_exceeded(decompressed: int, compressed: int) -> bool:
    """True when `decompressed` bytes from `compressed` bytes is past the bomb ratio."""
    return decompressed > GZIP_RATIO_FLOOR and decompressed > MAX_GZIP_RATIO * max(compressed, 1)


class CountingReader:
    """A binary stream read in small chunks, counting the bytes consumed from it.

    `check(consumed)` runs before each read, so a decompressor above it (warcio's, GzipFile's)
    can be stopped by raising there. `tell()` and `seek()` pass through, so byte offsets that
    readers report stay those of the file.
    """

    def __init__(self, raw: IO[bytes], check: Callable[[int], None] | None = None) -> None:
        self.raw = raw
        self.check = check
        try:
            self.consumed = raw.tell()
        except (OSError, AttributeError, ValueError):
            self.consumed = 0

    def read(self, size: int = -1) -> bytes:
        if self.check is not None:
            self.check(self.consumed)
        data = self.raw.read(_CHUNK if size is None or size < 0 or size > _CHUNK else size)
        self.consumed += len(data)
        return data

    def tell(self) -> int:
        return self.consumed

    def seek(self, offset: int, whence: int = 0) -> int:
        self.consumed = self.raw.seek(offset, whence)
        return self.consumed

    def seekable(self) -> bool:
        return bool(getattr(self.raw, "seekable", lambda: False)())

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        """Leave the wrapped stream open: its owner closes it."""


class GuardedGzip:
    """Read a gzip stream like `gzip.GzipFile`, raising `TooLarge` when it turns out a bomb.

    Only `read`, `readline`, `seek(0)` and `tell` are offered: what the readers use.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        import gzip

        self._counter = CountingReader(raw)
        self._gz = gzip.GzipFile(fileobj=self._counter, mode="rb")  # type: ignore[arg-type]
        self.out = 0

    def _count(self, data: bytes) -> bytes:
        self.out += len(data)
        if ratio_exceeded(self.out, self._counter.consumed):
            raise bomb(self.out, self._counter.consumed)
        return data

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            chunks = []
            while chunk := self._count(self._gz.read(1 << 16)):
                chunks.append(chunk)
            return b"".join(chunks)
        return self._count(self._gz.read(size))

    def readline(self, size: int = -1) -> bytes:
        return self._count(self._gz.readline(size))

    def seek(self, offset: int, whence: int = 0) -> int:
        pos = self._gz.seek(offset, whence)
        self.out = pos
        return pos

    def tell(self) -> int:
        return self._gz.tell()

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        self._gz.close()

    def __enter__(self) -> GuardedGzip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
