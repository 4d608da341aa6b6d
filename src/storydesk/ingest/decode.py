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
# More than this share of control bytes (NUL included) in the first 64 KB means binary. Measured
# on 2,470 text inputs (trafilatura-eval and newspaper4k pages, all feed fixtures, the seeds) and
# 600 binary files (.so, .pyc, images, fonts, archives from the venv): 0 text inputs over it, 599
# of 600 binaries over it (the miss: a .pyc that is mostly docstrings). A stray NUL is not
# enough: one real page (lostiempos.com in trafilatura-eval) holds 22.
MAX_CONTROL_RATIO = 0.02
SAMPLE = 65_536
# Below this share of bytes >= 0x80, text that decodes as cp1252 (with no symbols stuck to
# letters) is taken as cp1252 without asking charset-normalizer. Measured on the 362 non-ASCII
# article segments of trafilatura-eval's dev portion, each re-encoded in the first of cp1252,
# cp1250, cp1251, cp1253, ..., shift_jis, gb18030 that holds it and decoded undeclared: exact
# round trips 0.989 for any share from 0 to 0.10 (0.983 at 0.20), 1.000 on 3-segment joins;
# charset-normalizer unrestricted: 0.682 / 0.702. The share matters little once oddities rank
# the candidates; 0.03 only saves the guesser's time on Western European text.
CP1252_HIGH_SHARE = 0.03


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
    except (LookupError, ValueError):  # ValueError: a NUL in the label (found by fuzz/fuzz_input.py)
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
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return controls / len(sample) > MAX_CONTROL_RATIO


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


# Non-letters above ASCII that real text puts next to letters: quotes, dashes, currency, marks.
_USUAL_SYMBOLS = frozenset("’‘“”„«»‹›–—…•€£$¢°©®™§¶†‡‰·\u00a0")


def _oddities(text: str) -> int:
    """Signs of a wrong code page: stray symbols stuck to letters ("wy³¹czony", "z³").

    Polish read as cp1252 gives "³" and "¹" beside letters where cp1250 gives "ł" and "ą". C1
    control characters count anywhere. Quotes, dashes and currency signs are usual, not odd.
    """
    n = 0
    last = len(text) - 1
    for i, ch in enumerate(text):
        o = ord(ch)
        if o < 0x80:
            continue
        if o <= 0x9F:
            n += 1
        elif ch in "¿¡":
            n += i > 0 and text[i - 1].isalpha()  # Spanish opens a word with them, never ends one
        elif not ch.isalpha() and ch not in _USUAL_SYMBOLS and (
            (i > 0 and text[i - 1].isalpha()) or (i < last and text[i + 1].isalpha())
        ):
            n += 1
    return n


def _guess(data: bytes) -> str:
    """Decode non-UTF-8 bytes by the likeliest legacy encoding."""
    sample = data[:SAMPLE]
    high = sum(1 for b in sample if b >= 0x80)
    cp1252 = _strict(data, "cp1252")
    # Mostly-ASCII text with a few high bytes is too little evidence for a statistical guess
    # (charset-normalizer calls "\x93Hello\x94" cp1250 or koi8); in news text such bytes are
    # curly quotes, dashes and accented Latin letters, i.e. cp1252, unless reading it so wedges
    # symbols inside words.
    if cp1252 is not None and high / max(len(sample), 1) <= CP1252_HIGH_SHARE and not _oddities(cp1252):
        return cp1252
    from charset_normalizer import from_bytes

    # Rank charset-normalizer's candidates by oddities first, then its own chaos and coherence;
    # on a full tie prefer cp1252 (Latin text often fits cp1250 and cp1252 equally: "ï" vs
    # "ď"), by far the more common on the web.
    ranked: list[tuple[int, float, float, int, str]] = []
    for m in from_bytes(sample, cp_isolation=list(CANDIDATES)):
        text = _strict(data, m.encoding)
        if text is not None:
            is_1252 = m.encoding == "cp1252" or "cp1252" in m.could_be_from_charset
            ranked.append((_oddities(text[:SAMPLE]), round(m.chaos, 3), -round(m.coherence, 3),
                           0 if is_1252 else 1, text))
    if cp1252 is not None and not any(r[3] == 0 for r in ranked):
        ranked.append((_oddities(cp1252[:SAMPLE]), 1.0, 0.0, 0, cp1252))
    if ranked:
        return min(ranked)[4]
    raise Unreadable(
        "bad-encoding",
        "not UTF-8 and no likely encoding fits; convert the file to UTF-8 "
        "(e.g. iconv -f <encoding> -t utf-8)",
    )


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode `data` to text, trusting a byte-order mark or declared charset first.

    A leading U+FEFF never reaches the text, whichever codec decoded it: besides the UTF BOMs
    stripped by `_bom_len`, GB18030 and UTF-7 have byte-order marks of their own (hypothesis
    found b"\x841\x953" decoded by the GB18030 guess keeping it).

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
    text = _decode_bytes(data, declared)
    return text[1:] if text.startswith("\ufeff") else text


def _decode_bytes(data: bytes, declared: str | None = None) -> str:
    """`decode_bytes` before the leading U+FEFF is dropped."""
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
    mixed = _mixed_utf8(data)
    if mixed is not None:
        return mixed
    return _guess(data)


def _cp1252_byte(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: each byte that is not UTF-8 read as cp1252 (latin-1 where undefined)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in bad), exc.end


codecs.register_error("storydesk-cp1252", _cp1252_byte)


_HIGH = bytes(range(0x80, 0x100))
# Above this share of bytes >= 0x80, text is not taken as mixed UTF-8/cp1252: Shift_JIS text
# forms valid UTF-8 pairs by chance (2 of 3 Shift_JIS segments in bench/ingest_charset.py were
# misread without this bound); UTF-8 Latin text with cp1252 stretches stays far below it.
MIXED_MAX_HIGH_SHARE = 0.2


def _mixed_utf8(data: bytes) -> str | None:
    """Text that is UTF-8 with stray single-byte (cp1252) stretches, as concatenated scrapes are.

    Taken as mixed when it holds valid multi-byte UTF-8 characters: at least as many as invalid
    bytes, or three or more and at least a quarter as many. A single-byte encoding almost never
    forms valid UTF-8 sequences by chance, and dense high bytes (CJK) are left out, so legacy
    text still goes to `_guess` (bench/ingest_charset.py: the same accuracy with and without this
    step). Invalid bytes are read as cp1252.
    """
    sample = data[:SAMPLE]
    if len(sample) - len(sample.translate(None, _HIGH)) > MIXED_MAX_HIGH_SHARE * len(sample):
        return None  # dense high bytes: a CJK or Cyrillic code page, whose byte pairs pass as UTF-8
    loose = sample.decode("utf-8", errors="replace")
    invalid = loose.count("\ufffd")
    valid = sum(1 for ch in loose if ord(ch) > 0x7F and ch != "\ufffd")
    if not (valid >= max(invalid, 1) or (valid >= 3 and invalid <= 4 * valid)):
        return None
    return data.decode("utf-8", errors="storydesk-cp1252")


def _bom_len(data: bytes) -> int:
    for bom, _name in _BOMS:
        if data.startswith(bom):
            return len(bom)
    return 0


__all__ = ["CANDIDATES", "bom_encoding", "declared_encoding", "decode_bytes", "looks_binary"]
