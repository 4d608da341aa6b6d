"""A title is a headline: never a dateline, a byline, a section label or a date (issue 23).

Every sentence and page here was written for these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storydesk.clean import clean_document
from storydesk.ingest import iter_inputs
from storydesk.ingest.dates import is_dateline
from storydesk.ingest.titles import ELLIPSIS, clean_title, is_headline, shorten, strip_outlet
from storydesk.pipeline import clean_one
from storydesk.records import Article, Provenance, RawDocument
from storydesk.settings import Settings

BODY = [
    "The lights went out across the harbour district at six in the evening, the grid operator said.",
    "Engineers traced the fault to a flooded substation and restored power to most homes by midnight.",
]


def _stored(tmp_path: Path, name: str, content: str) -> list[Article]:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    arts = []
    for doc in iter_inputs([path], Settings()):
        assert isinstance(doc, RawDocument), doc
        art = clean_one(doc, Settings())
        assert isinstance(art, Article), art
        arts.append(art)
    return arts


@pytest.mark.parametrize("headline", ["Power cut", "Odd name"])
def test_short_first_line_set_apart_is_the_headline(tmp_path: Path, headline: str) -> None:
    text = f"{headline}\n\n" + "\n".join(BODY)
    [from_file] = _stored(tmp_path, "story.txt", text)
    [from_jsonl] = _stored(tmp_path, "rows.jsonl", json.dumps({"text": text}) + "\n")
    for art in (from_file, from_jsonl):
        assert art.title == headline
        assert [(r.text, r.reason) for r in art.removed] == [(headline, "headline")]
        assert art.text.splitlines() == BODY


def test_short_line_without_a_blank_line_after_it_is_not_a_headline() -> None:
    # "Harbour news" sits on the body: a section label, not a headline
    doc = RawDocument(Provenance("a.txt", "text"), "Harbour news\n" + "\n".join(BODY))
    assert clean_document(doc).title is None


# A JSONL set whose items open with datelines and bylines, in the shapes news sites print them.
ROWS = [
    ("Friday, June 7, 2013\nFlood waters recede in the valley\nBy Jane Doe\n\n", "Flood waters recede in the valley"),
    ("9/10/2010 @ 1:19PM\n\n", None),
    ("By Jane Doe and Sam Roe\nUpdated 4: 08 p. m. ET\n\n", None),
    ("Harbour district goes dark for six hours\n\nMAY 3, 2013 AT 1: 10PM\n",
     "Harbour district goes dark for six hours"),
    ("11 / 28 / 05\n\nSubstation fault\n\n", "Substation fault"),
    ("Posted: 04 / 9 / 2012 8: 33 am Updated: 04 / 9 / 2012 8: 33 am\n", None),
    ("THE WHITE HOUSE\n\n", None),  # an office's label in capitals
    ("Novemer 27, 2005\n\n", None),  # a month name typed wrong is still a date
    ("HARBOURTON, DC, April 28, 2009\nSubstation fault hits the port\n\n", "Substation fault hits the port"),
    ("Posted 1 year, 160 days ago [saved on 2 October 2013]\n\n", None),
]


def test_jsonl_datelines_and_bylines_are_never_titles(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"text": head + "\n".join(BODY)}) + "\n" for head, _ in ROWS)
    arts = _stored(tmp_path, "datelines.jsonl", lines)
    assert [a.title for a in arts] == [want for _, want in ROWS]
    for art in arts:
        assert art.title is None or not is_dateline(art.title)
        assert art.text.splitlines() == BODY  # every dateline, byline and headline was cut


def test_a_given_title_that_is_a_date_is_replaced_by_the_headline() -> None:
    text = "Flood waters recede in the valley\n\n" + "\n".join(BODY)
    doc = RawDocument(Provenance("rows.jsonl", "jsonl", "line 1"), text, title="Friday, June 7, 2013")
    assert clean_document(doc).title == "Flood waters recede in the valley"


def test_page_whose_title_is_its_date_takes_its_og_title(tmp_path: Path) -> None:
    page = ("<html><head><title>9/10/2010 @ 1:19PM</title>"
            "<meta property='og:title' content='Harbour district goes dark for six hours'></head>"
            "<body><article><h1>9/10/2010 @ 1:19PM</h1>"
            + "".join(f"<p>{p}</p>" for p in BODY * 2) + "</article></body></html>")
    [art] = _stored(tmp_path, "page.html", page)
    assert art.title == "Harbour district goes dark for six hours"


@pytest.mark.parametrize(
    ("line", "headline"),
    [
        ("Power cut", True),
        ("Substation fault leaves 4,000 homes dark", True),
        ("Friday, June 7, 2013", False),
        ("By Jane Doe", False),
        ("Par Jean Dupont, AFP", False),
        ("THE WHITE HOUSE", False),
        ("World", False),
        ("FALLOUT CONTINUES AFTER BRAZEN ESCAPE", True),  # capitals, but a headline's length
        ("", False),
    ],
)
def test_is_headline(line: str, headline: bool) -> None:
    assert is_headline(line) is headline


def test_shorten_ends_on_a_word_with_an_ellipsis() -> None:
    title = "Tanker runs aground in the Gulf of Alaska as storm closes port"
    for limit in range(8, len(title)):
        short = shorten(title, limit)
        assert len(short) <= limit and short.endswith(ELLIPSIS)
        kept = short.removesuffix(ELLIPSIS)
        assert title.startswith(kept) and title[len(kept)] == " "  # never a cut word ("Gulf of A")
    assert shorten(title, len(title)) == title
    assert shorten("  two   words ", 50) == "two words"


def test_clean_title_strips_the_outlet_and_shortens() -> None:
    assert strip_outlet("The Tribune - Floods hit the north", "The Tribune") == "Floods hit the north"
    assert clean_title("Floods hit the north | The Tribune", "The Tribune") == "Floods hit the north"
    assert clean_title("The Tribune", "The Tribune") == "The Tribune"  # a name alone stays whole
    long = "Floods " + "and more floods " * 40
    cut = clean_title(long)
    assert cut is not None and len(cut) <= 300 and cut.endswith(ELLIPSIS)
    assert long.startswith(cut.removesuffix(ELLIPSIS) + " ")
    assert clean_title("12/05/2013") is None and clean_title("By Jane Doe") is None and clean_title("--") is None


def test_a_page_title_loses_only_the_site_name_the_page_states(tmp_path: Path) -> None:
    body = "".join(f"<p>{p}</p>" for p in BODY * 2)
    stated = ("<html><head><title>Harbour goes dark | The Weekly Lantern</title>"
              "<meta property='og:site_name' content='The Weekly Lantern'></head>"
              f"<body><article>{body}</article></body></html>")
    [art] = _stored(tmp_path, "stated.html", stated)
    assert (art.title, art.outlet) == ("Harbour goes dark", "The Weekly Lantern")


def test_the_first_headline_wins_over_the_standfirst() -> None:
    text = ("Harbour district goes dark for six hours\n"
            "Engineers blame a flooded substation for the longest cut in a decade\n" + "\n".join(BODY))
    art = clean_document(RawDocument(Provenance("rows.jsonl", "jsonl", "line 1"), text))
    assert art.title == "Harbour district goes dark for six hours"


def test_a_date_joined_to_a_title_is_cut_from_it() -> None:
    assert clean_title("27 / 09 / 2013 - Harbour district goes dark") == "Harbour district goes dark"
    assert clean_title("Power restored to the harbour: 4 November 2011") == "Power restored to the harbour"
    # a given title may name something beside a date: only a bare date is refused
    assert clean_title("Harbour Radio 07/19/2016") == "Harbour Radio 07/19/2016"
    text = "27 / 09 / 2013 - Harbour district goes dark\n\n" + "\n".join(BODY)
    art = clean_document(RawDocument(Provenance("rows.jsonl", "jsonl", "line 1"), text))
    assert art.title == "Harbour district goes dark" and art.text.splitlines() == BODY
