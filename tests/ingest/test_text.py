"""Plain-text articles: headline and outlet detection, text kept whole, any encoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from storydesk.ingest import iter_inputs
from storydesk.ingest.text import find_header
from storydesk.records import RawDocument, Skip
from storydesk.settings import Settings

BODY = (
    "Heavy rain fell across the northern provinces on Monday, officials said.\n"
    "Rescue teams reached three villages cut off by the water by late evening."
)


@pytest.mark.parametrize(
    ("text", "title", "outlet"),
    [
        (f"Floods hit the north as rivers burst banks\n{BODY}", "Floods hit the north as rivers burst banks", None),
        (f"Daily Sun – all the news that matters | local | world | sport\n\n"
         f"Floods hit the north\n\n{BODY}", "Floods hit the north", "Daily Sun"),
        (f"The Tribune | voice of the valley\nFloods hit the north\n{BODY}", "Floods hit the north", "The Tribune"),
        (f"The Tribune – Voice of the Valley\n\nFloods hit the north\n\n{BODY}", "Floods hit the north",
         "The Tribune"),
        (f"Floods hit the north | Daily Sun\n{BODY}", "Floods hit the north", "Daily Sun"),
        (f"cmsx\n\nFloods hit the north after a week of rain\n\nNorth\n\n{BODY}",
         "Floods hit the north after a week of rain", None),
        (BODY, None, None),  # starts with the body: no headline
        (f"Floods hit the north.\n{BODY}", None, None),  # a sentence, not a headline
        ("Floods hit the north", None, None),  # nothing below it: not a headline of anything
        (f"¿Qué pasó en el norte del país?\n{BODY}", "¿Qué pasó en el norte del país?", None),
        (f"# Floods hit the north\n\n{BODY}", "Floods hit the north", None),  # Markdown heading
        (f"Power cut\n\n{BODY}", "Power cut", None),  # two words set apart: a headline
        (f"Power cut\n{BODY}", None, None),  # two words on the body: maybe a label
        (f"Friday, June 7, 2013\n\n{BODY}", None, None),  # a dateline is no headline
        (f"Floods hit the north\nBy Jane Doe\n9/10/2010 @ 1:19PM\n{BODY}", "Floods hit the north", None),
        (f"THE WHITE HOUSE\n\n{BODY}", None, None),  # a label in capitals
    ],
)
def test_find_header(text: str, title: str | None, outlet: str | None) -> None:
    assert find_header(text) == (title, outlet)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "latin-1", "utf-16", "utf-8-sig"])
def test_text_files_in_any_encoding(tmp_path: Path, encoding: str) -> None:
    text = "Café owners count the cost\n\nThe café on Main Street reopened on Tuesday, its owner said.\n"
    if encoding == "cp1252":
        text = text.replace("its owner said", "its owner said: “we’re back”")
    path = tmp_path / "story.txt"
    path.write_bytes(text.encode(encoding))
    [doc] = list(iter_inputs([path], Settings()))
    assert isinstance(doc, RawDocument)
    assert doc.text == text
    assert doc.title == "Café owners count the cost"
    assert doc.provenance.fmt == "text"
    assert doc.provenance.source == str(path)


def test_text_keeps_header_lines_for_cleaning_to_audit(tmp_path: Path) -> None:
    text = f"Daily Sun – all the news | local | world\n\nFloods hit the north\n\n{BODY}"
    (tmp_path / "a").write_text(text, encoding="utf-8")
    [doc] = list(iter_inputs([tmp_path / "a"], Settings()))
    assert isinstance(doc, RawDocument)
    assert doc.text == text
    assert (doc.title, doc.outlet) == ("Floods hit the north", "Daily Sun")


def test_seeds_give_five_documents_with_their_headlines(seeds_dir: Path) -> None:
    items = list(iter_inputs([seeds_dir], Settings()))
    docs = [i for i in items if isinstance(i, RawDocument)]
    assert len(docs) == 5 and not [i for i in items if isinstance(i, Skip)]
    titles = {Path(d.provenance.source).name[:3]: d.title for d in docs}
    assert titles["002"] == "Pakistan missiles strike Iran in retaliatory bombing as tensions soar"
    assert titles["003"] == "Pakistan launches tit-for-tat air strikes on Iran killing at least nine"
    assert titles["004"] == "Pakistan Strikes Terrorists in Iran"
    # 000 and 001 open straight into the body: no headline to find.
    assert titles["000"] is None and titles["001"] is None
    assert [d.outlet for d in docs] == [None, None, "Wazobia Reporters", None, None]
    for d in docs:
        assert d.text == Path(d.provenance.source).read_text(encoding="utf-8")
