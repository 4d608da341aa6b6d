"""Hostile inputs built on purpose: entity attacks, external entities, huge and nested files,
NUL bytes, broken encodings, compression bombs, duplicates, and the crashes fuzzing found.

Each test says what the attack is and asserts the defence: a clear Skip (or a document with the
attack inert), in bounded time and memory.
"""

from __future__ import annotations

import json
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest

from storydesk.ingest import iter_inputs
from storydesk.ingest.fuzz import FUZZ_SETTINGS, fuzz_date, fuzz_feed, fuzz_html, fuzz_input, fuzz_jsonl
from storydesk.records import RawDocument, Skip, article_id
from storydesk.settings import Settings

LAUGHS = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
BILLION_LAUGHS = f'<!DOCTYPE rss [<!ENTITY lol0 "lol">{LAUGHS}]>'
ITEM = "<item><title>Strikes near the border</title><description>{body}</description></item>"


def rss(body: str, prolog: str = "") -> bytes:
    return (f'<?xml version="1.0"?>{prolog}<rss version="2.0"><channel><title>Wire</title>'
            f"{ITEM.format(body=body)}</channel></rss>").encode()


def timed(fn, *args, limit: float = 5.0):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn(*args)
    assert time.perf_counter() - start < limit, f"{fn.__name__} took over {limit} s"
    return out


@pytest.mark.parametrize("padding", ["", "<!--" + "x" * 1_100_000 + "-->"])
def test_billion_laughs_feed_is_refused(padding: str) -> None:
    # The padding pushes the DOCTYPE past the first megabyte (the entity check once looked no further).
    data = rss("&lol9; text", prolog=padding + BILLION_LAUGHS)
    items = timed(fuzz_feed, data, limit=3.0)
    assert [i.reason for i in items if isinstance(i, Skip)] == ["bad-feed"]
    assert "entit" in items[0].detail


def test_external_entities_never_read_local_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-42", encoding="utf-8")
    url = secret.as_uri()
    for data in (rss("&x; text", prolog=f'<!DOCTYPE rss [<!ENTITY x SYSTEM "{url}">]>'),
                 rss("plain text here", prolog=f'<!DOCTYPE rss SYSTEM "{url}">'),
                 rss("%x; text", prolog=f'<!DOCTYPE rss [<!ENTITY % x SYSTEM "{url}"> %x;]>')):
        items = fuzz_feed(data)
        assert items and "TOPSECRET" not in json.dumps([i.to_dict() for i in items])
    page = (f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "{url}">{LAUGHS}]><html><body>'
            "<p>&x; &lol9; Officials said the strikes hit several villages near the border.</p></body></html>")
    items = timed(fuzz_html, page.encode(), limit=5.0)
    dumped = json.dumps([i.to_dict() for i in items])
    assert "TOPSECRET" not in dumped and "lollol" not in dumped


def test_oversized_files_are_skipped_in_bounded_memory(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        for _ in range(30):
            fh.write(b"Officials said the strikes hit several villages. " * 20_000)  # ~30 MB in all
    lines = tmp_path / "lines.jsonl"
    with lines.open("wb") as fh:
        fh.write(b'{"text": "' + b"x" * 3_000_000 + b'"}\n')  # one line over the 1 MB limit
        fh.write(b'{"text": "the next line is still read"}\n')
    settings = Settings(max_bytes=1_000_000)
    tracemalloc.start()
    try:
        items = list(iter_inputs([big, lines], settings))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [(type(i).__name__, getattr(i, "reason", None)) for i in items] == [
        ("Skip", "too-large"), ("Skip", "too-large"), ("RawDocument", None)]
    assert "STORYDESK_MAX_BYTES" in items[0].detail and "line 1" in items[1].source
    assert peak < 8_000_000, f"peak {peak:,} bytes while skipping 33 MB of input"


def _gzip(head: bytes, chunk: bytes = b"", n: int = 0) -> bytes:
    """One gzip member: `head`, then `chunk` `n` times (compressed as they go, never all in memory)."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [z.compress(head)] + [z.compress(chunk) for _ in range(n)]
    return b"".join(out) + z.flush()


def _warc_record(uri: str, ctype: str, length: int) -> bytes:
    return (f"WARC/1.0\r\nWARC-Type: resource\r\nWARC-Target-URI: {uri}\r\nWARC-Record-ID: <urn:uuid:{uri[-1]}>\r\n"
            f"Content-Type: {ctype}\r\nContent-Length: {length}\r\n\r\n").encode()


def test_compression_bombs_are_stopped(tmp_path: Path) -> None:
    # A WARC member holding 50 MB of zeros (about 50 KB compressed), before a real page.
    page = b"<html><body><p>" + b"Officials said the strikes hit several villages near the border. " * 4 + b"</p>"
    warc = tmp_path / "bomb.warc.gz"
    warc.write_bytes(_gzip(_warc_record("https://x.example/1", "image/png", 50_000_000), b"\x00" * 1_000_000, 50)
                     + _gzip(_warc_record("https://x.example/2", "text/html", len(page)) + page + b"\r\n\r\n"))
    # 50 MB of newlines after one JSON line, gzipped: once 17 minutes of streaming blank lines.
    jsonl = tmp_path / "bomb.jsonl.gz"
    jsonl.write_bytes(_gzip(b'{"text": "first line"}\n', b"\n" * 1_000_000, 50))
    tracemalloc.start()
    try:
        start = time.perf_counter()
        items = list(iter_inputs([warc], Settings()))
        took = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    start = time.perf_counter()
    items += iter_inputs([jsonl], Settings())  # timed without tracemalloc: it slows each line 10x
    took += time.perf_counter() - start
    skips = [i for i in items if isinstance(i, Skip)]
    assert [s.reason for s in skips] == ["too-large", "too-large"], items
    assert all("compression bomb" in s.detail for s in skips)
    assert [type(i).__name__ for i in items].count("RawDocument") == 1  # the JSONL line before the bomb
    assert took < 10 and peak < 100_000_000, (took, peak)


def test_gzipped_feed_over_the_limit_is_skipped(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml.gz"
    feed.write_bytes(_gzip(rss("<p>x</p>" * 1000)))
    assert isinstance(next(iter(iter_inputs([feed], Settings()))), RawDocument)
    items = list(iter_inputs([feed], Settings(max_bytes=5_000)))
    assert [i.reason for i in items] == ["too-large"]  # type: ignore[union-attr]


def test_deep_nesting_keeps_the_text() -> None:
    deep = "<div>" * 100_000 + "Officials said the strikes hit several villages." + "</div>" * 100_000
    items = timed(fuzz_feed, rss(f"<![CDATA[{deep}]]>"), limit=10.0)
    assert isinstance(items[0], RawDocument) and "villages" in items[0].text
    items = fuzz_jsonl(b'{"text": "x", "a": ' + b"[" * 100_000 + b"]" * 100_000 + b'}\n{"text": "next"}\n')
    assert [type(i).__name__ for i in items] == ["Skip", "RawDocument"]


def test_nul_bytes_never_reach_a_document() -> None:
    # From fuzzing: a raw NUL in a feed's author and in a WARC's target URI; a \u0000 escape in JSON.
    feed = fuzz_feed(rss("a\x00b text", prolog="").replace(b"<title>Strikes", b"<author>x\x00y</author><title>Strikes"))
    body = b"Plain text with a NUL\x00" + b" and more words after it." * 10
    warc = fuzz_input(_warc_record("https://x.example/a\x00b", "text/plain", len(body)) + body + b"\r\n\r\n", "a.warc")
    jsonl = fuzz_jsonl(b'{"text": "a\\u0000b", "title": "t\\u0000", "url": "https://x/\\u0000"}\n')
    docs = [i for i in [*feed, *warc, *jsonl] if isinstance(i, RawDocument)]
    assert len(docs) == 3
    assert not any("\x00" in json.dumps(d.to_dict()).replace("\\u0000", "\x00") for d in docs)


def test_fuzz_regressions() -> None:
    # Each input crashed a reader before its fix (fuzz/fuzz_*.py found them).
    assert fuzz_date(b"2024-01-18T09:0+50:0") is None  # a 50-hour zone offset: ValueError
    assert fuzz_date(b"2100-12-31T23:59:59-23:59") is None  # crosses into 2101 in UTC
    assert fuzz_input(b"WARC/1.0\r\nWARC-Type: resource\r\nWARC-Target-URI: http://x/\r\n"
                      b"Content-Type: text/html; charset=a\x00b\r\nContent-Length: 30\r\n\r\n"
                      b"<html><body><p>hi</p></body></html>\r\n\r\n", "a.warc")  # NUL in a charset label
    assert fuzz_input(b"\n" * 46 + b" <!DOCTYPE>" + b"\n" * 46 + b"y", "a.warc.gz")  # regex backtracking
    assert fuzz_jsonl(b"[]") and fuzz_jsonl(b"[]")[0].reason == "empty"  # was silently nothing
    assert fuzz_feed(rss("x").replace(b"<title>Wire", b"<title>&#XD800;"))[0].reason == "bad-feed"  # feedparser raised


def test_invalid_and_mixed_encodings_decode() -> None:
    # A scrape that joined a UTF-8 page and a cp1252 page: each part keeps its letters.
    mixed = "Café owners in the border town said “seven” people died overnight.\n".encode() * 3
    mixed += "Les élus locaux ont dit « neuf » morts dans la région frontalière.\n".encode("cp1252") * 3
    docs = [i for i in fuzz_input(mixed, "a.txt") if isinstance(i, RawDocument)]
    assert len(docs) == 1 and "Café owners" in docs[0].text and "Les élus locaux" in docs[0].text
    # Invalid UTF-8 with no valid sequences at all still decodes (a single-byte guess) or is skipped.
    assert fuzz_input(b"Officials said \x81\x8d\x8f\x90\x9d were killed. " * 5, "a.txt")


def test_duplicates_get_one_id(tmp_path: Path) -> None:
    line = json.dumps({"url": "https://x.example/a", "text": "Officials said seven people died."})
    (tmp_path / "a.jsonl").write_text(f"{line}\n{line}\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Officials said seven people died.\n", encoding="utf-8")
    docs = [i for i in iter_inputs([tmp_path, tmp_path], FUZZ_SETTINGS) if isinstance(i, RawDocument)]
    ids = [article_id(d) for d in docs]
    assert len(docs) == 6 and len(set(ids)) == 2  # the same line twice, the same file twice: one id each
