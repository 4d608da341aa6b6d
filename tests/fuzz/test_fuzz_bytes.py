"""Arbitrary bytes into every parser: RawDocuments or clear Skips, never an exception.

Each test calls one entry point of `storydesk.ingest.fuzz` (the atheris targets in fuzz/ call the
same ones). The inputs are random bytes behind a prefix that steers them into a reader (a WARC
version line, a JSON brace, a feed root, a gzip header, a byte-order mark), so each reader gets
garbage past its format check. `deadline` bounds the time of one example.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storydesk.ingest import fuzz

PREFIXES = [b"", b"WARC/1.0\r\n", b"WARC/1.0\r\nContent-Length: 5\r\n\r\n", b"{", b"[", b'{"text": "',
            b"<?xml version='1.0'?><rss><channel><item><description>", b"<feed><entry><content>",
            b"<html><body><p>", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x1f\x8b\x08\x00",
            b"filedesc://x 0.0.0.0 20140101000000 text/plain 1\n", b"<!DOCTYPE html [<!ENTITY a 'b'>]>"]
NAMES = ["input", "a.txt", "a.html", "a.jsonl", "a.warc.gz", "a.rss", "a.atom", "a.gz"]
FAST = settings(max_examples=80, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
garbage = st.builds(lambda p, b: p + b, st.sampled_from(PREFIXES), st.binary(max_size=1500))


@given(garbage, st.sampled_from(NAMES))
@FAST
def test_sniff(data: bytes, name: str) -> None:
    fuzz.fuzz_sniff(data, name)


@given(garbage, st.sampled_from([None, "utf-8", "latin-1", "utf-16", "shift_jis", "koi8-r", "bogus", ""]))
@FAST
def test_decode(data: bytes, declared: str | None) -> None:
    fuzz.fuzz_decode(data, declared)


@given(st.binary(max_size=120), st.sampled_from([None, "en", "fr", "pt", "zz"]))
@FAST
def test_dates(data: bytes, language: str | None) -> None:
    fuzz.fuzz_date(data, language)


@given(garbage)
@FAST
def test_text(data: bytes) -> None:
    fuzz.fuzz_text(data)


@given(garbage)
@settings(max_examples=40, deadline=4000, suppress_health_check=[HealthCheck.too_slow])
def test_html(data: bytes) -> None:
    fuzz.fuzz_html(data)


@given(garbage)
@FAST
def test_jsonl(data: bytes) -> None:
    fuzz.fuzz_jsonl(data)


@given(garbage, st.sampled_from(["warc", "arc"]))
@FAST
def test_warc(data: bytes, fmt: str) -> None:
    fuzz.fuzz_warc(data, fmt=fmt)


@given(garbage)
@FAST
def test_feed(data: bytes) -> None:
    fuzz.fuzz_feed(data)


@given(garbage, st.sampled_from(NAMES))
@settings(max_examples=60, deadline=4000, suppress_health_check=[HealthCheck.too_slow])
def test_whole_input(data: bytes, name: str) -> None:
    fuzz.fuzz_input(data, name)
