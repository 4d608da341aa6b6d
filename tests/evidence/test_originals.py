"""Original bytes: ingest keeps the bytes each document was read from (content-addressed in the
store), and the evidence package puts them in its WARC as `response` or `resource` records.

Real inputs through the real `pipeline.ingest` (a page, a text file, a JSONL line, a WARC capture
served gzip-encoded, and a page fetched from a local HTTP server on 127.0.0.1), the real SQLite
store, the real package builder, read back with warcio checking every digest.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import http.server
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from storydesk_test_builders import build_story
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storydesk.evidence import (
    build_package,
    package_story,
    read_originals,
    read_text_records,
    verify_package,
    write_package,
)
from storydesk.pipeline import ingest
from storydesk.records import Article, Original, Provenance
from storydesk.settings import Settings
from storydesk.store import open_store

BODY = ("<p>The river rose four metres overnight and the council opened two shelters for residents of "
        "the lower town, officials said on Tuesday.</p>" * 3)
PAGE = (f"<!doctype html><html><head><meta charset='iso-8859-1'><title>Floods in the caf\xe9 quarter</title>"
        f"</head><body><article><h1>Floods in the caf\xe9 quarter</h1>{BODY}</article></body></html>").encode("latin-1")
SERVED = PAGE.replace(b"caf\xe9 quarter", b"old harbour")
CAPTURED = PAGE.replace(b"caf\xe9 quarter", b"market square")
NOTE = b"Storm closes the coast road\n\nThe coast road was closed on Monday after a storm brought down trees.\n"


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = gzip.compress(SERVED)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=iso-8859-1")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Served-By", "test")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/news/floods.html"
    finally:
        srv.shutdown()
        srv.server_close()


def _warc(path: Path) -> Path:
    """A WARC with one gzip-encoded, chunk-free HTTP response capture of CAPTURED."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        encoded = gzip.compress(CAPTURED)
        head = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=iso-8859-1"),
                                           ("Content-Encoding", "gzip"),
                                           ("Content-Length", str(len(encoded)))], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://news.example/market.html", "response", payload=io.BytesIO(encoded),
            length=len(encoded), http_headers=head,
            warc_headers_dict={"WARC-Date": "2024-03-05T10:00:00Z"}))
    return path


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, server: str) -> tuple[Path, dict[str, Article]]:
    """(data dir, article by input kind) after one ingest of every kind of input."""
    root = tmp_path_factory.mktemp("originals")
    inputs = root / "in"
    inputs.mkdir()
    (inputs / "page.html").write_bytes(PAGE)
    (inputs / "note.txt").write_bytes(NOTE)
    (inputs / "wire.jsonl").write_text(json.dumps({
        "url": "https://wire.example/1", "title": "Bridge reopens",
        "text": "The old bridge reopened to traffic on Friday after two years of repairs."}) + "\n")
    _warc(inputs / "capture.warc.gz")
    data = root / "data"
    settings = Settings().replace(data_dir=data)
    with open_store(data) as store:
        result = ingest([inputs, server], settings, store)
        assert not result.skipped, result.skipped
        arts = list(store.iter_articles())
    by_kind = {}
    for a in arts:
        assert a.provenance is not None
        kind = a.provenance.fmt if a.provenance.fmt != "html" or "127.0.0.1" not in a.provenance.source else "url"
        by_kind[kind] = a
    assert set(by_kind) == {"html", "text", "jsonl", "warc", "url"}
    return data, by_kind


def test_ingest_keeps_each_documents_own_bytes_and_none_for_a_jsonl_entry(
        ingested: tuple[Path, dict[str, Article]]) -> None:
    data, arts = ingested
    with open_store(data, readonly=True) as store:
        kept = store.get_originals(a.provenance.original_sha256 for a in arts.values() if a.provenance)
    def original(kind: str) -> Original:
        prov = arts[kind].provenance
        assert prov is not None and prov.original_sha256 is not None
        return kept[prov.original_sha256]
    # files: their bytes exactly, undecoded (the page is latin-1)
    assert original("html").data == PAGE and original("html").content_type == "text/html"
    assert original("text").data == NOTE and original("text").content_type == "text/plain"
    assert original("html").http_headers is None
    # a WARC capture: the payload with its HTTP headers; a fetched page: the body and headers received
    assert original("warc").data == CAPTURED
    assert (original("warc").http_headers or "").startswith("HTTP/1.1 200 OK")
    assert original("url").data == SERVED
    assert "X-Served-By: test" in (original("url").http_headers or "")
    # a JSONL entry has no bytes of its own
    assert arts["jsonl"].provenance is not None and arts["jsonl"].provenance.original_sha256 is None
    assert "original_sha256" not in arts["jsonl"].provenance.to_dict()
    for a in arts.values():
        sha = a.provenance.original_sha256 if a.provenance else None
        assert sha is None or hashlib.sha256(kept[sha].data).hexdigest() == sha


def test_the_same_bytes_are_stored_once_and_an_old_article_gets_their_hash(tmp_path: Path) -> None:
    text = "The ferry service resumed on Sunday after the strike ended, the operator said."
    old = Article(id="a1", outlet="O", title="Ferry", url="https://o.example/ferry", published=None,
                  language="en", raw_text=text, text=text, provenance=Provenance("ferry.html", "html"))
    orig = Original(b"<p>" + text.encode() + b"</p>", "text/html")
    new = dataclasses.replace(old, provenance=Provenance("ferry.html", "html", original_sha256=orig.sha256))
    twin = dataclasses.replace(new, id="a2", url="https://mirror.example/ferry")
    with open_store(tmp_path) as store:
        store.add_articles([old])  # stored before originals were kept
        assert store.add_articles([new, twin], {orig.sha256: orig}) == ["a2"]
        assert store.get_article("a1").provenance.original_sha256 == orig.sha256  # type: ignore[union-attr]
        assert store.conn.execute("SELECT count(*) FROM originals").fetchone()[0] == 1
        assert store.get_originals([orig.sha256, "0" * 64, None]) == {orig.sha256: orig}
        # a damaged row is no original at all, never a wrong one
        store.conn.execute("UPDATE originals SET size = size + 1")
        assert store.get_originals([orig.sha256]) == {}


def test_the_package_warc_holds_each_original_as_a_response_or_resource_record(
        ingested: tuple[Path, dict[str, Article]], tmp_path: Path) -> None:
    data, arts = ingested
    story = build_story(list(arts.values()), title="Floods")
    with open_store(data) as store:
        store.put_stories([story])
        package = package_story(store, story.id, generated="2026-01-02T03:04:05+00:00")
    warc = package.files["articles.warc.gz"]
    records = [(r.rec_type, r.rec_headers, r.http_headers, r.raw_stream.read())
               for r in ArchiveIterator(io.BytesIO(warc), check_digests="raise")]  # type: ignore[arg-type]
    originals = {h.get_header("WARC-Storydesk-Article"): (kind, h, resp, body) for kind, h, resp, body in records
                 if h.get_header("WARC-Storydesk-Content") == "original"}
    by_id = {a.id: k for k, a in arts.items()}
    assert {by_id[a] for a in originals} == {"html", "text", "warc", "url"}
    for aid, (kind, head, resp, body) in originals.items():
        src = by_id[aid]
        if src in ("warc", "url"):
            assert kind == "response" and resp is not None and resp.get_statuscode() == "200"
            # the body is stored decoded: no Content-Encoding, the length of the body as stored
            assert resp.get_header("Content-Encoding") is None
            assert resp.get_header("Content-Length") == str(len(body))
            assert body == (CAPTURED if src == "warc" else SERVED)
        else:
            assert kind == "resource" and resp is None
            assert head.get_header("Content-Type") == ("text/html" if src == "html" else "text/plain")
            assert body == (PAGE if src == "html" else NOTE)
        assert head.get_header("WARC-Target-URI")
    assert read_originals(warc) == {a: rec[3] for a, rec in originals.items()}
    # the cleaned texts are still read as before, not confused with the original records
    assert read_text_records(warc) == {a.id: a.text for a in arts.values()}
    manifest = package.manifest
    assert manifest["format_version"] == 2
    assert manifest["original_bytes"] == {"stored": 4, "not_stored": 1, "note": manifest["original_bytes"]["note"]}
    entries = {e["id"]: e["original_bytes"] for e in manifest["articles"]}
    assert entries[arts["jsonl"].id]["stored"] is False and "JSONL" in entries[arts["jsonl"].id]["why"]
    assert entries[arts["warc"].id]["record_type"] == "response"
    assert entries[arts["html"].id]["sha256"] == hashlib.sha256(PAGE).hexdigest()
    assert b"original-bytes: 4 of 5 articles" in records[0][3]
    # and the zip still verifies
    result = verify_package(write_package(package, tmp_path / "floods.zip"))
    assert result.ok, result.problems
    # with the JSONL entry gone from the mapping (listed as missing), no article lacks its bytes
    whole = build_package(story, {a.id: a for k, a in arts.items() if k != "jsonl"},
                          originals=store_originals(data, arts))
    assert whole.manifest["original_bytes"] == {"stored": 4, "not_stored": 0}


def store_originals(data: Path, arts: dict[str, Article]) -> dict[str, Original]:
    with open_store(data, readonly=True) as store:
        return store.get_originals(a.provenance.original_sha256 for a in arts.values() if a.provenance)


def test_desk_ingest_as_watch_uses_keeps_the_bytes_too(tmp_path: Path) -> None:
    from storydesk import Desk

    page = tmp_path / "page.html"
    page.write_bytes(PAGE)
    with Desk(tmp_path / "data") as desk:
        (aid,) = desk.ingest([page])
        prov = desk.store.get_article(aid).provenance
        assert prov is not None and prov.original_sha256 == hashlib.sha256(PAGE).hexdigest()
        assert desk.store.get_originals([prov.original_sha256])[prov.original_sha256].data == PAGE
