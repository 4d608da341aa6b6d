"""Bytes -> text: a declared charset first, then UTF-8, then a guess among likely encodings.

The order is the web's (WHATWG "encoding sniffing"): a byte-order mark wins, then what the input
declares (HTTP `Content-Type` charset, `<?xml encoding=...?>`, `<meta charset>`), then UTF-8 if the
bytes are valid UTF-8, and only then a statistical guess. The guess is charset-normalizer limited
to a few encodings news pages really use, because unrestricted it misreads short Windows-1252
text (a curly quote or two in ASCII prose) as some rarer code page. Binary data is refused with
`Unreadable("binary")` rather than decoded into garbage.
"""

from __future__ import annotations

import codecs
import re

from storydesk.errors import Unreadable

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels that browsers decode as windows-1252 (WHATWG Encoding Standard): pages declaring
# latin-1 are nearly always cp1252 in practice (curly quotes in 0x80-0x9F).
_AS_CP1252 = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii",
                        "iso_8859-1", "cp819", "ibm819", "windows-1252", "cp1252", "x-cp1252"})

# What charset-normalizer may choose from: the legacy encodings of the languages storydesk's
# data comes in (Western/Central/Eastern European, Greek, Turkish, Arabic, Hebrew, CJK).
CANDIDATES = (
    "cp1252", "iso8859_15", "cp1250", "iso8859_2", "cp1251", "koi8_r", "cp1253", "cp1254",
    "cp1256", "cp1255", "shift_jis", "euc_jp", "gb18030", "big5", "euc_kr",
)

_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
# Control characters that never occur in text (tab, LF, FF, CR and ESC are allowed).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
# More than this share of control bytes in the sample means binary. Text files here have none;
# 2% leaves room for a few stray form feeds or vertical tabs in old text dumps.
MAX_CONTROL_RATIO = 0.02
SAMPLE = 65_536


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of `data` names, if any."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def utf16_without_bom(data: bytes) -> str | None:
    """The UTF-16/32 codec when `data` looks like mostly-ASCII UTF-16 or UTF-32 without a BOM."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    sample = sample[: len(sample) // 4 * 4]
    lanes = [sample[i::4].count(0) / (len(sample) // 4) for i in range(4)]
    # ASCII-range UTF-32 has three NULs in every four bytes, in fixed positions.
    if min(lanes[1:]) > 0.9 and lanes[0] < 0.05:
        return "utf-32-le"
    if min(lanes[:3]) > 0.9 and lanes[3] < 0.05:
        return "utf-32-be"
    even, odd = sample[0::2], sample[1::2]
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / len(odd)
    # ASCII-range UTF-16 has a NUL in every other byte and almost none in the others.
    if odd_nul > 0.6 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.6 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def declared_encoding(data: bytes) -> str | None:
    """The charset a document declares in its head: XML declaration or `<meta charset>`."""
    head = data[:4096]
    m = _XML_DECL.match(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii").lower() if m else None


def _codec(label: str | None) -> str | None:
    """Python's codec name for a charset label, or None for labels Python does not know."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _AS_CP1252:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A declared "utf-16" without a BOM is decoded by the declaration's byte order guess below.
    return name


def looks_binary(data: bytes) -> bool:
    """True when `data` (a sample) has NUL bytes or too many control characters for text."""
    sample = data[:SAMPLE]
    if not sample:
        return False
    if bom_encoding(sample) in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        return False
    if utf16_without_bom(sample):
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return controls / len(sample) > MAX_CONTROL_RATIO


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _guess(data: bytes) -> str:
    """Decode non-UTF-8 bytes by the likeliest legacy encoding."""
    high = sum(1 for b in data[:SAMPLE] if b >= 0x80)
    sample_len = min(len(data), SAMPLE)
    cp1252 = _strict(data, "cp1252")
    # Mostly-ASCII text with a few high bytes is too little evidence for a statistical guess
    # (charset-normalizer calls "\x93Hello\x94" cp1250 or koi8); in news text such bytes are
    # curly quotes, dashes and accented Latin letters, i.e. cp1252. 3% was chosen so that
    # French/German/Spanish cp1252 prose (2-4% accented letters) also lands here, while
    # Cyrillic/Greek/CJK legacy text (>30% high bytes) goes to the guesser.
    if cp1252 is not None and high / max(sample_len, 1) <= 0.03:
        return cp1252
    from charset_normalizer import from_bytes

    matches = from_bytes(data[:SAMPLE], cp_isolation=list(CANDIDATES))
    best = matches.best()
    if best is not None:
        codec = best.encoding
        # Latin-script text often fits cp1250 and cp1252 equally well ("ï" vs "ď"); on a tie
        # (same chaos, same coherence) prefer cp1252, by far the more common on the web.
        for m in matches:
            if ("cp1252" in m.could_be_from_charset and m.chaos <= best.chaos
                    and m.coherence >= best.coherence - 0.01):
                codec = "cp1252"
                break
        text = _strict(data, codec)
        if text is not None:
            return text
    if cp1252 is not None:
        return cp1252
    raise Unreadable(
        "bad-encoding",
        "not UTF-8 and no likely encoding fits; convert the file to UTF-8 "
        "(e.g. iconv -f <encoding> -t utf-8)",
    )


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode `data` to text, trusting a byte-order mark or declared charset first.

    Args:
        data: the raw bytes of a file, record or page.
        declared: a charset named outside the bytes (HTTP `Content-Type`), if any. A declaration
            inside the bytes (XML declaration, `<meta charset>`) is read here as well.

    Raises:
        Unreadable: reason "binary" for NUL bytes or many control characters, reason
            "bad-encoding" when no encoding fits.

    Example:
        >>> decode_bytes("“Hi” – café".encode("cp1252"))
        '“Hi” – café'
    """
    if not data:
        return ""
    bom = bom_encoding(data)
    if bom is not None:
        return data[_bom_len(data) :].decode(bom, errors="replace")
    if looks_binary(data):
        raise Unreadable("binary", "the input holds binary data (NUL or control bytes), not text")
    utf16 = utf16_without_bom(data)
    if utf16 is not None:
        return data.decode(utf16, errors="replace")
    for label in (declared, declared_encoding(data)):
        codec = _codec(label)
        if codec is None or codec.startswith(("utf-16", "utf-32")):
            # A UTF-16 declaration on bytes that are not UTF-16 (no BOM, no NUL pattern) is wrong.
            continue
        if codec == "cp1252" and not data.isascii():
            # A latin-1/cp1252 label on bytes that are valid multi-byte UTF-8 is a mislabel
            # (servers default to latin-1); by chance cp1252 text is almost never valid UTF-8.
            text = _strict(data, "utf-8")
            if text is not None:
                return text
        text = _strict(data, codec)
        if text is not None:
            return text
    text = _strict(data, "utf-8")
    if text is not None:
        return text
    return _guess(data)


def _bom_len(data: bytes) -> int:
    for bom, _name in _BOMS:
        if data.startswith(bom):
            return len(bom)
    return 0


__all__ = ["CANDIDATES", "bom_encoding", "declared_encoding", "decode_bytes", "looks_binary"]
