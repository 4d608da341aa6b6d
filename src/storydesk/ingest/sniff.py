"""Tell an input's format from its first bytes (the name only breaks ties).

`sniff(head, name)` returns one of "text", "html", "jsonl", "warc", "arc", "rss", "atom",
"gzip", "binary" or "empty". Content decides: a `.txt` holding a web page is HTML, a `.xml`
holding an Atom feed is "atom", a file with no extension holding WARC records is "warc". "gzip"
means the caller should look inside (a `.warc.gz` is sniffed again on its decompressed head).
"""

from __future__ import annotations

import re

from storydesk.ingest.decode import bom_encoding, looks_binary, utf16_without_bom

FORMATS = ("text", "html", "jsonl", "warc", "arc", "rss", "atom", "gzip", "binary", "empty")
HEAD_BYTES = 65_536

# Magic numbers of formats that are certainly not articles we can read.
_BINARY_MAGIC = (
    b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BZh", b"\xfd7zXZ",
    b"7z\xbc\xaf", b"Rar!", b"\x7fELF", b"SQLite format 3", b"OggS", b"ID3", b"RIFF", b"\x1a\x45\xdf\xa3",
)
_GZIP_MAGIC = b"\x1f\x8b"
# Skip the prolog of an XML/HTML document: declaration, comments, processing instructions, DOCTYPE
# (with an internal subset), to reach the first element's name.
# One whitespace character per repetition, not `\s+`: a nested quantifier backtracks
# exponentially when fullmatch fails ("\n" * 46 + "y" hung for minutes; found by fuzz/fuzz_sniff.py).
_PROLOG = re.compile(
    r"\A(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]*\[.*?\])?[^>]*>)*", re.S | re.I
)
_ELEMENT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_HTML_TAGS = re.compile(
    r"<(?:html|head|body|article|div|p|span|h[1-6]|title|meta|script|table|section|br)\b", re.I
)
_DOCTYPE_HTML = re.compile(r"<!DOCTYPE\s+html", re.I)
_WARC_START = re.compile(r"\AWARC/\d+\.\d+\r?\n")
# ARC v1 files open with a "filedesc://" version block; ARC records are "URL IP DATE TYPE LENGTH".
_ARC_START = re.compile(r"\A(?:filedesc://|[a-z]+://\S+ \d{1,3}(?:\.\d{1,3}){3} \d{14} \S+ \d+\r?\n)")
_FEED_ROOTS = {"rss": "rss", "rdf": "rss", "channel": "rss", "feed": "atom"}


def _head_text(head: bytes) -> str:
    """A lenient decoding of the head, enough to look at its first characters."""
    bom = bom_encoding(head)
    if bom is not None:
        return head.decode(bom, errors="replace").lstrip("\ufeff")
    utf16 = utf16_without_bom(head)
    if utf16 is not None:
        return head.decode(utf16, errors="replace")
    return head.decode("utf-8", errors="replace")


def _root_element(text: str) -> str | None:
    """Local name (lower case, no prefix) of the first element after the XML/HTML prolog."""
    m = _PROLOG.match(text)
    rest = text[m.end() if m else 0 :]
    if not rest.startswith("<"):
        return None
    el = _ELEMENT.match(rest)
    return el.group(1).split(":")[-1].lower() if el else None


def sniff(head: bytes, name: str = "") -> str:
    """The format of an input from its first bytes (up to `HEAD_BYTES`); `name` breaks ties.

    Example:
        >>> sniff(b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">', "x.xml")
        'atom'
        >>> sniff(b"Pakistan strikes Iran\\n\\nPakistan has ...", "a")
        'text'
    """
    if not head.strip():
        return "empty"
    if head.startswith(_GZIP_MAGIC):
        return "gzip"
    # Archives first: their records carry binary payloads (images) that look_binary would see.
    start = head[:512].lstrip(b"\r\n").decode("latin-1")
    if _WARC_START.match(start):
        return "warc"
    if _ARC_START.match(start):
        return "arc"
    if head.startswith(_BINARY_MAGIC) or looks_binary(head):
        return "binary"
    text = _head_text(head[:HEAD_BYTES])
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        return "empty"
    if stripped[0] in "{[":
        return "jsonl"
    if stripped[0] == "<":
        root = _root_element(stripped)
        if root is None and _PROLOG.fullmatch(stripped):
            return "empty"  # only a declaration, comments or a doctype: no document element
        if root in _FEED_ROOTS:
            return _FEED_ROOTS[root]
        if root == "html" or _DOCTYPE_HTML.search(stripped[:2048]):
            return "html"
        if _HTML_TAGS.search(stripped[:4096]):
            return "html"
        lower = name.lower()
        if lower.endswith((".rss", ".rdf")):
            return "rss"
        if lower.endswith(".atom"):
            return "atom"
        if lower.endswith((".htm", ".html", ".xhtml")):
            return "html"
        # Some other XML: not a format storydesk reads; treat it as markup for the HTML reader,
        # which extracts whatever text it holds or says there is none.
        return "html"
    # Plain text, unless it is mostly markup after a short preamble (a page saved with a BOM-less
    # junk line before the doctype).
    if _DOCTYPE_HTML.search(stripped[:1024]) or re.search(r"<html\b", stripped[:1024], re.I):
        return "html"
    return "text"


def gzip_member_head(head: bytes, limit: int = HEAD_BYTES) -> bytes:
    """The decompressed start of a gzip stream (as much as `head` holds), or b"" if corrupt."""
    import zlib

    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        return d.decompress(head, limit)
    except zlib.error:
        return b""


def gzip_is_damaged(head: bytes) -> bool:
    """True when the start of a gzip stream cannot be decompressed at all."""
    import zlib

    try:
        zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 1)
    except zlib.error:
        return True
    return False


__all__ = ["FORMATS", "HEAD_BYTES", "gzip_is_damaged", "gzip_member_head", "sniff"]
