"""iter_inputs: directories, bad files, size limits, gzip, and the seeds in every format."""

from __future__ import annotations

import gzip
import html
import io
import json
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storydesk.ingest import iter_inputs
from storydesk.ingest.text import find_header
from storydesk.records import RawDocument, Skip
from storydesk.settings import Settings

STORY = "Floods hit the north\n\nHeavy rain fell across the northern provinces on Monday, officials said.\n"


def _kinds(items: list[RawDocument | Skip]) -> list[str]:
    return [i.reason if isinstance(i, Skip) else "doc" for i in items]


def test_missing_path_is_not_found() -> None:
    [skip] = list(iter_inputs(["/no/such/file.txt"], Settings()))
    assert isinstance(skip, Skip)
    assert (skip.source, skip.reason) == ("/no/such/file.txt", "not-found")
    assert skip.message() == "skipped /no/such/file.txt: not-found (no such file or directory)"


def test_directory_is_walked_sorted_and_hidden_names_left_out(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "b" / "2.txt").write_text(STORY.replace("north", "south"), encoding="utf-8")
    (tmp_path / "b" / "1.txt").write_text(STORY.replace("north", "east"), encoding="utf-8")
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / ".secret.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / ".hidden" / "x.txt").write_text(STORY, encoding="utf-8")
    items = list(iter_inputs([tmp_path], Settings()))
    assert [Path(i.provenance.source).relative_to(tmp_path).as_posix() for i in items
            if isinstance(i, RawDocument)] == ["a.txt", "b/1.txt", "b/2.txt"]
    assert [i.title for i in items if isinstance(i, RawDocument)] == [
        "Floods hit the north", "Floods hit the east", "Floods hit the south"]


def test_bad_files_become_skips_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "1-empty.txt").write_bytes(b"")
    (tmp_path / "2-blank.txt").write_bytes(b"\n  \n")
    (tmp_path / "3-image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "4-nul.txt").write_bytes(b"some\x00text\x00with\x00nuls\x01\x02" * 20)
    (tmp_path / "5-good.txt").write_text(STORY, encoding="utf-8")
    items = list(iter_inputs([tmp_path], Settings()))
    assert _kinds(items) == ["empty", "empty", "binary", "binary", "doc"]
    assert all(str(tmp_path) in i.source for i in items if isinstance(i, Skip))


def test_too_large_names_the_limit_and_how_to_raise_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text(STORY * 50, encoding="utf-8")
    [skip] = list(iter_inputs([path], Settings(max_bytes=1000)))
    assert isinstance(skip, Skip) and skip.reason == "too-large"
    assert "1,000 bytes" in skip.detail and "STORYDESK_MAX_BYTES" in skip.detail
    [doc] = list(iter_inputs([path], Settings(max_bytes=100_000)))
    assert isinstance(doc, RawDocument)


def test_gzipped_inputs_are_read_through(tmp_path: Path) -> None:
    lines = [json.dumps({"text": f"Story number {n}.", "title": f"Story {n}"}) for n in range(3)]
    (tmp_path / "news.jsonl.gz").write_bytes(gzip.compress("\n".join(lines).encode()))
    (tmp_path / "story.txt.gz").write_bytes(gzip.compress(STORY.encode()))
    items = list(iter_inputs([tmp_path / "news.jsonl.gz", tmp_path / "story.txt.gz"], Settings()))
    assert [i.title for i in items if isinstance(i, RawDocument)] == [
        "Story 0", "Story 1", "Story 2", "Floods hit the north"]
    big = tmp_path / "big.txt.gz"
    big.write_bytes(gzip.compress(STORY.encode() * 100))
    [skip] = list(iter_inputs([big], Settings(max_bytes=500)))
    assert isinstance(skip, Skip) and skip.reason == "too-large"


def test_corrupt_gzip_is_a_skip(tmp_path: Path) -> None:
    data = gzip.compress(STORY.encode() * 200)
    truncated = tmp_path / "trunc.txt.gz"
    truncated.write_bytes(data[:60])
    mangled = tmp_path / "mangled.txt.gz"
    mangled.write_bytes(data[:12] + b"\xff" * 30 + data[42:])
    for path in (truncated, mangled):
        [skip] = list(iter_inputs([path], Settings()))
        assert isinstance(skip, Skip) and skip.reason == "binary", path.name
        assert "gzip" in skip.detail.lower() or "compressed" in skip.detail.lower()


# ------------------------------------------------------------------ the seeds in every format


def _seed_records(seeds_dir: Path) -> list[tuple[str, str, str | None]]:
    """(name, text, headline) of each seed."""
    out = []
    for p in sorted(seeds_dir.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        out.append((p.stem, text, find_header(text)[0]))
    return out


def _page(title: str | None, text: str) -> str:
    paras = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    head = f"<title>{html.escape(title)}</title>" if title else ""
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{head}</head>'
            f"<body><article>{paras}</article></body></html>")


def test_seeds_as_jsonl_warc_and_rss(seeds_dir: Path, tmp_path: Path) -> None:
    seeds = _seed_records(seeds_dir)
    assert len(seeds) == 5
    jsonl = tmp_path / "seeds.jsonl"
    jsonl.write_text("".join(
        json.dumps({"url": f"https://seed.example/{name}", "title": title, "text": text,
                    "published": "2024-01-18T08:00:00Z"}) + "\n"
        for name, text, title in seeds), encoding="utf-8")
    warc = tmp_path / "seeds.warc.gz"
    with warc.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for name, text, title in seeds:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://seed.example/{name}", "response",
                payload=io.BytesIO(_page(title, text).encode()), http_headers=http))
    items_ = "".join(
        f"<item><title>{html.escape(title or name)}</title><link>https://seed.example/{name}</link>"
        f"<description>{html.escape(''.join(f'<p>{ln}</p>' for ln in text.splitlines()))}</description></item>"
        for name, text, title in seeds)
    rss = tmp_path / "seeds.rss"
    rss.write_text(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                   f"<title>Seeds</title>{items_}</channel></rss>", encoding="utf-8")

    by_format = {}
    for path in (jsonl, warc, rss):
        items = list(iter_inputs([path], Settings()))
        assert _kinds(items) == ["doc"] * 5, path.name
        by_format[path.name] = items
    urls = [f"https://seed.example/{name}" for name, _, _ in seeds]
    for name, items in by_format.items():
        assert [d.url for d in items] == urls, name
    # Every reader carries the article's words through.
    for (_, text, _), j, w, r in zip(seeds, *by_format.values(), strict=True):
        assert j.text == text
        first_sentence = next(ln for ln in text.splitlines() if len(ln.split()) > 12).split(".")[0]
        assert first_sentence in w.text.replace("\n", " ")
        assert first_sentence in r.text
    assert [d.title for d in by_format["seeds.jsonl"]] == [t for _, _, t in seeds]
    assert by_format["seeds.jsonl"][0].published == "2024-01-18T08:00:00Z"


def test_html_file_and_jsonl_html_field_go_through_the_html_reader(tmp_path: Path) -> None:
    body = ("Heavy rain fell across the northern provinces on Monday, officials said, as rivers "
            "burst their banks and cut off three villages from the regional capital.\n"
            "Rescue teams reached the villages by late evening and moved more than two hundred "
            "people to schools on higher ground, the provincial governor told reporters.")
    page = _page("Floods hit the north", body)
    # Saved with the wrong extension: the content says HTML.
    (tmp_path / "page.txt").write_text(page, encoding="utf-8")
    (tmp_path / "pages.jsonl").write_text(json.dumps({
        "url": "https://x.example/floods", "outlet": "X News", "title": "Given title",
        "published": "2024-01-18", "html": page}) + "\n", encoding="utf-8")
    file_doc, line_doc = list(iter_inputs([tmp_path / "page.txt", tmp_path / "pages.jsonl"], Settings()))
    assert isinstance(file_doc, RawDocument) and isinstance(line_doc, RawDocument)
    assert file_doc.provenance.fmt == "html" and file_doc.html is not None
    assert file_doc.title == "Floods hit the north"
    assert "cut off three villages" in file_doc.text
    # What the JSONL line says wins over what the page says.
    assert (line_doc.title, line_doc.outlet, line_doc.url, line_doc.published) == (
        "Given title", "X News", "https://x.example/floods", "2024-01-18")
    assert line_doc.provenance.locator == "line 1"



def test_html_reader_errors_become_skips(tmp_path: Path) -> None:
    (tmp_path / "big.html").write_text(_page("Big", "word " * 2000), encoding="utf-8")
    [skip] = list(iter_inputs([tmp_path / "big.html"], Settings(max_html_bytes=1000)))
    assert isinstance(skip, Skip) and skip.reason == "too-large"
    assert skip.source == str(tmp_path / "big.html")


def test_jsonl_is_streamed_not_read_whole(tmp_path: Path) -> None:
    # The second line is written only after the first document came out: a reader that loaded
    # the whole file first would never see it.
    path = tmp_path / "live.jsonl"
    path.write_text(json.dumps({"text": "First."}) + "\n", encoding="utf-8")
    items = iter_inputs([path], Settings())
    first = next(items)
    assert isinstance(first, RawDocument) and first.text == "First."
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": "Second."}) + "\n")
    assert [i.text for i in items if isinstance(i, RawDocument)] == ["Second."]


def test_stray_nul_characters_are_dropped_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(STORY.encode().replace(b"Monday", b"Mon\x00day"))
    (tmp_path / "b.jsonl").write_text(json.dumps({"text": "Mon\u0000day."}) + "\n", encoding="utf-8")
    a, b = list(iter_inputs([tmp_path], Settings()))
    assert isinstance(a, RawDocument) and isinstance(b, RawDocument)
    assert "Monday" in a.text and "\x00" not in a.text
    assert b.text == "Monday."
