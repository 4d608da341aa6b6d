"""JSON Lines: one document per line, bad lines skipped with their line number."""

from __future__ import annotations

import json
from pathlib import Path

from storydesk.ingest import iter_inputs
from storydesk.records import RawDocument, Skip
from storydesk.settings import Settings


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_lines_become_documents_and_bad_lines_skips(tmp_path: Path) -> None:
    good = {
        "url": "https://news.example/a", "outlet": "Example News", "title": "Floods hit the north",
        "published": "2024-01-18T09:30:00+05:00", "author": "A. Writer", "language": "en-GB",
        "text": "Heavy rain fell on Monday.",
    }
    path = _write(tmp_path / "a.jsonl", [
        json.dumps(good),
        '{"title": "broken", "text": ',             # line 2: not JSON
        json.dumps({"title": "no body"}),           # line 3: JSON without text/html
        "",                                         # blank lines are ignored
        json.dumps({"text": "Second story.", "published": "yesterday"}),  # line 5
        json.dumps(["not", "an", "object"]),        # line 6: a list of three strings
        json.dumps({"text": "   "}),                # line 7: empty text
    ])
    items = list(iter_inputs([path], Settings()))
    assert [type(i).__name__ for i in items] == [
        "RawDocument", "Skip", "Skip", "RawDocument", "Skip", "Skip", "Skip", "Skip"
    ]
    first = items[0]
    assert isinstance(first, RawDocument)
    assert (first.url, first.outlet, first.title, first.author) == (
        "https://news.example/a", "Example News", "Floods hit the north", "A. Writer")
    assert first.published == "2024-01-18T04:30:00Z"
    assert first.language == "en"
    assert first.provenance.fmt == "jsonl" and first.provenance.locator == "line 1"
    skips = [i for i in items if isinstance(i, Skip)]
    assert [(s.source, s.reason) for s in skips] == [
        (f"{path} line 2", "bad-json"),
        (f"{path} line 3", "bad-record"),
        (f"{path} line 6 item 1", "bad-record"),
        (f"{path} line 6 item 2", "bad-record"),
        (f"{path} line 6 item 3", "bad-record"),
        (f"{path} line 7", "no-text"),
    ]
    second = items[3]
    assert isinstance(second, RawDocument)
    assert second.published is None  # unparseable dates are dropped, not fatal
    assert second.provenance.locator == "line 5"


def test_jsonl_line_over_the_limit_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.jsonl", [
        json.dumps({"text": "x" * 5000}),
        json.dumps({"text": "A short story."}),
    ])
    items = list(iter_inputs([path], Settings(max_bytes=1000)))
    assert isinstance(items[0], Skip) and items[0].reason == "too-large"
    assert items[0].source == f"{path} line 1"
    assert "STORYDESK_MAX_BYTES" in items[0].detail and "1,000" in items[0].detail
    assert isinstance(items[1], RawDocument) and items[1].text == "A short story."


def test_json_array_file_is_read_as_records(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text(json.dumps([{"text": "One."}, {"text": "Two.", "title": "T"}], indent=2), encoding="utf-8")
    items = list(iter_inputs([path], Settings()))
    assert [i.text for i in items if isinstance(i, RawDocument)] == ["One.", "Two."]
    assert [i.provenance.locator for i in items if isinstance(i, RawDocument)] == ["item 1", "item 2"]


def test_malformed_json_document_is_one_skip(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"text": "One."},\n {"text": ', encoding="utf-8")
    [skip] = list(iter_inputs([path], Settings()))
    assert isinstance(skip, Skip) and skip.reason == "bad-json"


def test_non_utf8_jsonl_line_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "cp.jsonl"
    path.write_bytes('{"text": "Caf\u00e9 \u201cfinal\u201d."}\n'.encode("cp1252"))
    [doc] = list(iter_inputs([path], Settings()))
    assert isinstance(doc, RawDocument) and doc.text == "Café “final”."


def test_common_alternative_field_names_are_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "dump.jsonl", [
        json.dumps({"link": "https://x.example/1", "source": "X News", "date": "2024-01-18",
                    "body": "The body text.", "headline": "A headline"}),
        json.dumps({"text": "Contract wins.", "body": "Alias loses.", "url": "https://x.example/2",
                    "link": "https://x.example/other"}),
    ])
    first, second = list(iter_inputs([path], Settings()))
    assert isinstance(first, RawDocument) and isinstance(second, RawDocument)
    assert (first.url, first.outlet, first.published, first.text, first.title) == (
        "https://x.example/1", "X News", "2024-01-18", "The body text.", "A headline")
    assert (second.text, second.url) == ("Contract wins.", "https://x.example/2")
