"""Property tests: arbitrary bytes never crash sniffing, decoding or ingest."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storydesk.errors import Unreadable
from storydesk.ingest import iter_inputs
from storydesk.ingest.decode import decode_bytes
from storydesk.ingest.sniff import FORMATS, sniff
from storydesk.records import RawDocument, Skip
from storydesk.settings import Settings

# Prefixes that steer random bytes into each reader, so every reader sees garbage.
PREFIXES = [b"", b"WARC/1.0\r\n", b"{", b"[", b"<?xml version='1.0'?><rss>", b"<feed>", b"\xef\xbb\xbf",
            b"\xff\xfe", b"\x1f\x8b\x08\x00", b"filedesc://x 0.0.0.0 20140101000000 text/plain 1\n"]


@given(st.binary(max_size=2000), st.text(max_size=20))
@settings(max_examples=200, deadline=None)
def test_sniff_always_answers(data: bytes, name: str) -> None:
    assert sniff(data, name) in FORMATS


@given(st.binary(max_size=2000), st.sampled_from([None, "utf-8", "latin-1", "bogus", "utf-16", "shift_jis"]))
@settings(max_examples=200, deadline=None)
def test_decode_returns_text_or_refuses(data: bytes, declared: str | None) -> None:
    try:
        assert isinstance(decode_bytes(data, declared), str)
    except Unreadable as exc:
        assert exc.reason in ("binary", "bad-encoding")


@given(st.sampled_from(PREFIXES), st.binary(max_size=1500))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_ingest_never_raises_on_garbage(prefix: bytes, data: bytes) -> None:
    # A fresh directory per example (hypothesis reruns the body; tmp_path is per test).
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "input.bin"
        path.write_bytes(prefix + data)
        # Markup-looking garbage goes to the HTML reader; keep it cheap with a tiny page limit.
        items = list(iter_inputs([path], Settings(max_html_bytes=200)))
    assert items, "every input yields a document or says why not"
    for item in items:
        assert isinstance(item, (RawDocument, Skip))
        if isinstance(item, Skip):
            assert item.reason and str(path) in item.source
