"""Format sniffing from content, charset decoding and date normalisation."""

from __future__ import annotations

import gzip

import pytest

from storydesk.errors import Unreadable
from storydesk.ingest.dates import normalise_date
from storydesk.ingest.decode import decode_bytes
from storydesk.ingest.sniff import gzip_member_head, sniff

ATOM = b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>'
RSS = b'<?xml version="1.0"?>\n<!-- a comment -->\n<rss version="2.0"><channel></channel></rss>'
RDF = b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>'


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (ATOM, "feed.txt", "atom"),  # content wins over the extension
        (RSS, "whatever", "rss"),
        (RDF, "x.xml", "rss"),
        (b"<!DOCTYPE html><html><body><p>Hi</p></body></html>", "page.txt", "html"),
        (b"<div><p>A fragment of a page</p></div>", "frag", "html"),
        (b'{"text": "hi"}\n{"text": "there"}\n', "news.dat", "jsonl"),
        (b"WARC/1.0\r\nWARC-Type: warcinfo\r\n", "crawl.bin", "warc"),
        (b"filedesc://x.arc 0.0.0.0 20140101000000 text/plain 75\n", "x", "arc"),
        (b"Floods hit the north\n\nHeavy rain fell on Monday.", "story", "text"),
        (b"", "empty.txt", "empty"),
        (b"  \n\t\n", "blank.txt", "empty"),
        (b"%PDF-1.7\n...", "paper.txt", "binary"),
        (b"\x00\x01\x02\x03\x04binary\x00\x00", "x.txt", "binary"),
        ("“Quoted” prose in UTF-16".encode("utf-16"), "u16.txt", "text"),
        (gzip.compress(b"WARC/1.0\r\n"), "a.warc.gz", "gzip"),
        (b'<?xml version="1.0"?>\n<!-- nothing else -->\n', "empty.xml", "empty"),
    ],
)
def test_sniff_reads_the_content(head: bytes, name: str, expected: str) -> None:
    assert sniff(head, name) == expected


def test_gzip_member_head_reveals_the_inner_format() -> None:
    assert sniff(gzip_member_head(gzip.compress(ATOM))) == "atom"
    assert gzip_member_head(b"\x1f\x8b\x08garbage") == b""


SHORT_CP1252 = "“It’s over,” he said – café closed."


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16", "utf-8-sig", "utf-16-le", "utf-32"])
def test_decode_round_trips_common_encodings(encoding: str) -> None:
    assert decode_bytes(SHORT_CP1252.encode(encoding)) == SHORT_CP1252


def test_short_cp1252_with_curly_quotes_is_not_misread() -> None:
    # charset-normalizer alone calls short text like this cp1250/koi8 and garbles the quotes.
    data = "He said “no” and left.".encode("cp1252")
    assert decode_bytes(data) == "He said “no” and left."


def test_latin1_german_prefers_western_over_central_european() -> None:
    text = "Ünïcödé façade naïve Größe straße über"
    assert decode_bytes(text.encode("latin-1")) == text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Привет, как дела? Это тестовое сообщение на русском языке.", "cp1251"),
        ("Ελληνικά κείμενο για δοκιμή της κωδικοποίησης", "cp1253"),
        ("日本語のテキストです。これはテストです。", "shift_jis"),
    ],
)
def test_decode_guesses_non_latin_legacy_encodings(text: str, encoding: str) -> None:
    assert decode_bytes(text.encode(encoding)) == text


@pytest.mark.parametrize(
    "text",
    [
        "Rząd przyjął wczoraj projekt ustawy o ochronie ludności, który trafi teraz do Sejmu.",
        "Wójt gminy powiedział, że straż pożarna była na miejscu już po dziesięciu minutach.",
    ],
)
def test_polish_cp1250_is_not_read_as_cp1252(text: str) -> None:
    # Read as cp1252 these bytes give "³" and "¿" stuck to letters; the oddity count rules it out.
    assert decode_bytes(text.encode("cp1250")) == text


def test_declared_charset_is_trusted_first() -> None:
    data = "Größe".encode("cp1252")
    # Without a declaration these 5 bytes are ambiguous; the declaration settles it.
    assert decode_bytes(data, "windows-1252") == "Größe"
    assert decode_bytes('<?xml version="1.0" encoding="koi8-r"?><a>Привет</a>'.encode("koi8-r")).endswith(
        "<a>Привет</a>"
    )
    html = '<html><head><meta charset="iso-8859-7"></head><body>Ελλάδα</body></html>'.encode("iso-8859-7")
    assert "Ελλάδα" in decode_bytes(html)


def test_latin1_label_on_utf8_bytes_is_read_as_utf8() -> None:
    assert decode_bytes("café “x”".encode(), "iso-8859-1") == "café “x”"


def test_unknown_declared_charset_falls_back() -> None:
    assert decode_bytes("café".encode(), "no-such-charset") == "café"


def test_binary_data_is_refused() -> None:
    with pytest.raises(Unreadable) as err:
        decode_bytes(b"\x00\x01\x02\x03PK\x00\x00" * 50)
    assert err.value.reason == "binary"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-18T09:30:00+05:00", "2024-01-18T04:30:00Z"),
        ("2024-01-18T09:30:00Z", "2024-01-18T09:30:00Z"),
        ("2024-01-18T09:30:00", "2024-01-18T09:30:00"),
        ("2024-01-18", "2024-01-18"),
        ("Thu, 18 Jan 2024 10:00:00 GMT", "2024-01-18T10:00:00Z"),
        ("Thu, 18 Jan 2024 10:00:00 +0500", "2024-01-18T05:00:00Z"),
        ("January 18, 2024", "2024-01-18"),
        ("Seg, 24 Set 2018 19:42:40 -0300", "2018-09-24T22:42:40Z"),
        ("mardi 16 janvier 2024 à 22h15", "2024-01-16T22:15:00"),
        ("18.01.2024", "2024-01-18"),
        ("last Tuesday", None),
        # a year without a day: no date is made up from today's
        ("May 2010", None),
        ("2010", None),
        ("Monday, 2010", None),
        ("10 May 2010", "2010-05-10"),
        ("not a date at all", None),
        ("0001-01-01", None),
        ("", None),
        (None, None),
        (12, None),
        (1705572000, "2024-01-18T10:00:00Z"),
        (1705572000000, "2024-01-18T10:00:00Z"),
    ],
)
def test_normalise_date(value: object, expected: str | None) -> None:
    assert normalise_date(value) == expected


def test_no_codec_keeps_a_byte_order_mark() -> None:
    # GB18030 encodes U+FEFF as b"\x84\x31\x95\x33"; the GB18030 guess used to keep it (found by hypothesis)
    text = "\ufeffBeijing’s mayor said on Tuesday that the new line opens in May."
    for codec in ("gb18030", "utf-8", "utf-16"):
        got = decode_bytes(text.encode(codec), codec if codec == "gb18030" else None)
        assert not got.startswith("\ufeff") and got.startswith("Beijing")
    assert decode_bytes("\ufeff".encode("gb18030")) == ""
