"""WARC/ARC archives: HTML captures become documents; damage is a Skip after what was read."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storydesk.ingest import iter_inputs
from storydesk.records import RawDocument, Skip
from storydesk.settings import Settings

PARAS = [
    "Heavy rain fell across the northern provinces on Monday, officials said, as rivers burst "
    "their banks and cut off three villages from the regional capital.",
    "Rescue teams reached the villages by late evening and moved more than two hundred people "
    "to schools on higher ground, the provincial governor told reporters.",
    "Forecasters expect the rain to ease on Wednesday, but warned that river levels would keep "
    "rising downstream for at least two more days.",
]


def page(title: str, paras: list[str] = PARAS) -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><article><h1>{title}</h1>{body}</article></body></html>")


def write_warc(path: Path, records: list[tuple[str, str, bytes, str, int]], gzip: bool = False) -> Path:
    """records: (warc type, url, payload, content type, http status)."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)
        for rec_type, url, payload, ctype, status in records:
            if rec_type == "response":
                http = StatusAndHeaders(f"{status} OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
                rec = writer.create_warc_record(url, "response", payload=io.BytesIO(payload),
                                                http_headers=http,
                                                warc_headers_dict={"WARC-Date": "2024-01-18T06:30:00Z"})
            elif rec_type == "resource":
                rec = writer.create_warc_record(url, "resource", payload=io.BytesIO(payload),
                                                warc_content_type=ctype)
            else:
                rec = writer.create_warc_record(url, rec_type, payload=io.BytesIO(payload))
            writer.write_record(rec)
    return path


def _crawl(path: Path, gzip: bool = False) -> Path:
    cp1252_page = page("Café owners count the cost").replace('<meta charset="utf-8">', "")
    cp1252_page = cp1252_page.replace("officials said", "officials said: “it’s over”")
    return write_warc(path, [
        ("request", "https://news.example/floods", b"GET /floods HTTP/1.1\r\n\r\n", "", 0),
        ("response", "https://news.example/floods", page("Floods hit the north").encode(),
         "text/html; charset=utf-8", 200),
        ("response", "https://news.example/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00", "image/png", 200),
        ("response", "https://news.example/gone", b"<html><body>Not found</body></html>", "text/html", 404),
        ("response", "https://news.example/cafe", cp1252_page.encode("cp1252"),
         "text/html; charset=windows-1252", 200),
        ("resource", "https://news.example/plain.txt", ("Rain eases in the north\n\n" + PARAS[2]).encode(),
         "text/plain", 0),
    ], gzip=gzip)


@pytest.mark.parametrize("gzip", [False, True])
def test_warc_html_captures_become_documents(tmp_path: Path, gzip: bool) -> None:
    path = _crawl(tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc"), gzip=gzip)
    items = list(iter_inputs([path], Settings()))
    assert not [i for i in items if isinstance(i, Skip)]
    docs = [i for i in items if isinstance(i, RawDocument)]
    assert [d.url for d in docs] == [
        "https://news.example/floods", "https://news.example/cafe", "https://news.example/plain.txt"]
    floods, cafe, plain = docs
    assert floods.title == "Floods hit the north"
    assert "cut off three villages" in floods.text
    assert floods.provenance.fmt == "warc"
    assert floods.provenance.fetched == "2024-01-18T06:30:00Z"
    assert floods.provenance.locator.startswith("record <urn:uuid:")
    assert "“it’s over”" in cafe.text  # HTTP charset windows-1252 honoured
    assert plain.title == "Rain eases in the north" and plain.html is None


def test_truncated_warc_keeps_records_before_the_damage(tmp_path: Path) -> None:
    whole = _crawl(tmp_path / "whole.warc").read_bytes()
    second = whole.index(b"WARC/1.0", whole.index(b"https://news.example/floods", 400))
    # Cut the archive in the middle of the record after the first article.
    cut = whole.index(b"WARC/1.0", second + 10)
    path = tmp_path / "trunc.warc"
    path.write_bytes(whole[: cut + 200])
    items = list(iter_inputs([path], Settings()))
    docs = [i for i in items if isinstance(i, RawDocument)]
    skips = [i for i in items if isinstance(i, Skip)]
    assert [d.url for d in docs][:1] == ["https://news.example/floods"]
    assert len(skips) == 1 and skips[0].reason == "bad-warc"
    assert "offset" in skips[0].source and str(path) in skips[0].source


def test_garbage_after_a_warc_header_is_bad_warc(tmp_path: Path) -> None:
    path = tmp_path / "junk.warc"
    path.write_bytes(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: notanumber\r\n\r\n" + b"\xff" * 300)
    items = list(iter_inputs([path], Settings()))
    assert items and all(isinstance(i, Skip) for i in items)
    assert "bad-warc" in [i.reason for i in items]


def test_record_over_the_limit_is_skipped_alone(tmp_path: Path) -> None:
    big = page("A very long page", PARAS * 40).encode()
    path = write_warc(tmp_path / "big.warc", [
        ("response", "https://news.example/big", big, "text/html", 200),
        ("response", "https://news.example/floods", page("Floods hit the north").encode(), "text/html", 200),
    ])
    items = list(iter_inputs([path], Settings(max_bytes=len(big) - 1)))
    assert isinstance(items[0], Skip) and items[0].reason == "too-large"
    assert "record <urn:uuid:" in items[0].source
    assert isinstance(items[1], RawDocument) and items[1].title == "Floods hit the north"


def test_archive_without_html_says_so(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "img.warc", [
        ("response", "https://news.example/logo.png", b"\x89PNG\r\n\x1a\n", "image/png", 200)])
    [skip] = list(iter_inputs([path], Settings()))
    assert isinstance(skip, Skip) and skip.reason == "no-text"


def test_every_warcio_sample_file_reads_without_crash_or_hang(data_root: Path) -> None:
    folder = data_root / "warc-warcio"
    files = sorted(p for p in folder.iterdir() if p.name != "README.md")
    assert len(files) == 16
    results: dict[str, list[RawDocument | Skip]] = {}
    for f in files:
        start = time.monotonic()
        results[f.name] = list(iter_inputs([f], Settings()))
        assert time.monotonic() - start < 30, f.name
        assert results[f.name], f"{f.name} yielded nothing: every input must say what happened"

    def reasons(name: str) -> list[str]:
        return [i.reason if isinstance(i, Skip) else "doc" for i in results[name]]

    assert reasons("example.warc.gz") == ["doc"]  # the revisit record is not a second article
    doc = results["example.warc.gz"][0]
    assert isinstance(doc, RawDocument) and doc.url == "http://example.com/" and doc.title == "Example Domain"
    assert doc.provenance.fetched == "2017-03-06T04:02:06Z"
    for whole in ("example.warc", "example.arc", "example.arc.gz", "example-iana.org-chunked.warc",
                  "example-resource.warc.gz", "example-wget-bad-target-uri.warc.gz",
                  "example-space-in-url.arc"):
        assert reasons(whole) == ["doc"], whole
    # Damaged archives: a bad-warc Skip, after whatever could be read.
    assert reasons("example-trunc.warc") == ["doc", "bad-warc"]
    for damaged in ("example-bad-non-chunked.warc.gz", "example-bad.warc.gz.bad", "example-wrong-chunks.warc.gz"):
        assert reasons(damaged)[-1] == "bad-warc", damaged
        skip = results[damaged][-1]
        assert isinstance(skip, Skip) and "offset" in skip.source
    # Archives with no web page in them say so rather than yielding nothing.
    for no_pages in ("post-test.warc.gz", "example-digest.warc", "bad.arc", "example-space-in-target-uri.warc.gz"):
        assert reasons(no_pages) == ["no-text"], no_pages
