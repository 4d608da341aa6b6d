"""Every stored article has a readable outlet, found by one rule (storydesk.outlets, issue 23).

The order of trust: the site name its input states, one its chrome states, its URL's registered
domain, else its input file's name (with the item inside it). Never empty, never a number.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storydesk.ingest import iter_inputs
from storydesk.ingest.dates import dateline_date, is_dateline
from storydesk.ingest.titles import clean_title, is_headline, shorten
from storydesk.outlets import display_outlet, domain_name, file_outlet, is_bad_outlet, outlet_name
from storydesk.pipeline import clean_one
from storydesk.records import Article, Provenance, RawDocument
from storydesk.settings import Settings

BODY = ("The river rose two metres overnight and the council opened three shelters in the town hall, "
        "where volunteers served soup until the early morning.")


def _stored(tmp_path: Path, name: str, content: str | bytes) -> list[Article]:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    out = []
    for doc in iter_inputs([path], Settings()):
        assert isinstance(doc, RawDocument), doc
        art = clean_one(doc, Settings())
        assert isinstance(art, Article), art
        out.append(art)
    return out


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("  The   Valley Tribune ", "The Valley Tribune"),
        ("11", None),
        ("27", None),
        (" - ", None),
        ("Nov 28, 2005", None),
        ("", None),
        (None, None),
        ("https://www.harbour-gazette.co.uk/news/1", "harbour-gazette.co.uk"),
        ("www.harbour-gazette.com", "harbour-gazette.com"),
        ("Lantern Daily | the town's own paper since 1901", "Lantern Daily"),
        ("FOX 13 News Utah (KSTU)", "FOX 13 News Utah (KSTU)"),
        ("x" * 200, None),
    ],
)
def test_outlet_name_accepts_names_only(value: object, name: str | None) -> None:
    assert outlet_name(value) == name


def test_domain_name_is_the_registered_domain_offline() -> None:
    # the bundled suffix list knows co.uk and com.au: the name is the registrable part
    assert domain_name("https://edition.news.example.co.uk/a?b=1") == "example.co.uk"
    assert domain_name("http://www.tribune.com.au/x") == "tribune.com.au"
    assert domain_name("http://xn--bcher-kva.de/") == "bücher.de"
    assert domain_name("https://www.news.example/a") == "news.example"
    for not_a_site in ("http://192.168.1.4/a", "http://localhost:8000/", "file:///tmp/a.html", "", None,
                       "http://[::1"):
        assert domain_name(not_a_site) is None


def test_jsonl_rows_with_a_url_and_no_outlet_get_its_domain(tmp_path: Path) -> None:
    rows = [{"url": "https://www.valley-tribune.co.uk/news/floods", "text": BODY},
            {"url": "https://sport.valley-tribune.co.uk/match", "text": BODY + " The match was off."},
            {"text": BODY + " Roads stayed shut."},
            {"text": BODY + " Schools closed."},
            {"url": "https://x.example/a", "outlet": "17", "text": BODY + " Trains stopped."}]
    arts = _stored(tmp_path, "rows.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    assert [a.outlet for a in arts] == ["valley-tribune.co.uk", "valley-tribune.co.uk", "rows.jsonl line 3",
                                        "rows.jsonl line 4", "x.example"]
    assert [a.provenance.outlet_from for a in arts if a.provenance] == ["domain", "domain", "file", "file",
                                                                         "domain"]


def test_a_dateline_is_never_an_outlet(tmp_path: Path) -> None:
    # spaced slashes (re-joined corpus tokens) once read as a menu line "11 | 28 | 05"
    text = "11 / 28 / 05\n\nFlood waters recede\n\n" + BODY
    [art] = _stored(tmp_path, "item.jsonl", json.dumps({"text": text}) + "\n")
    assert art.outlet == "item.jsonl line 1"
    assert any(r.reason == "dateline" and r.text == "11 / 28 / 05" for r in art.removed)


def test_page_markers_name_the_outlet(tmp_path: Path) -> None:
    # a JSON-LD publisher alone (no og:site_name) names the outlet, not the URL or the file
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Flood waters recede",
          "publisher": {"@type": "Organization", "name": "The Weekly Lantern"}}
    page = (f"<html><head><title>Flood waters recede</title><script type='application/ld+json'>"
            f"{json.dumps(ld)}</script></head><body><article><h1>Flood waters recede</h1>"
            f"<p>{BODY}</p><p>{BODY}</p></article></body></html>")
    [art] = _stored(tmp_path, "saved.html", page)
    assert (art.outlet, art.provenance and art.provenance.outlet_from) == ("The Weekly Lantern", "site-name")


def test_text_file_without_any_name_gets_the_file_name(tmp_path: Path) -> None:
    [art] = _stored(tmp_path, "storm-report.txt", BODY + "\n" + BODY)
    assert (art.outlet, art.provenance and art.provenance.outlet_from) == ("storm-report.txt", "file")


def test_feed_title_that_is_a_number_falls_back_to_the_domain(tmp_path: Path) -> None:
    feed = ("<?xml version='1.0'?><rss version='2.0'><channel><title>2024</title>"
            "<link>https://www.lantern.example.org/</link><item><title>Flood waters recede</title>"
            f"<link>https://www.lantern.example.org/floods</link><description>{BODY}</description>"
            "</item></channel></rss>")
    [art] = _stored(tmp_path, "feed.xml", feed)
    assert art.outlet == "example.org"


def test_file_outlet_names_the_item_inside_a_file() -> None:
    assert file_outlet(Provenance("/data/in/news.jsonl", "jsonl", "line 7")) == "news.jsonl line 7"
    assert file_outlet(Provenance("C:\\in\\a.txt", "text")) == "a.txt"
    assert file_outlet(Provenance("https://feeds.lantern.example.com/rss", "rss", "entry 2")) == (
        "example.com entry 2")
    assert file_outlet(None) is None


def test_display_outlet_one_rule_for_old_rows() -> None:
    assert display_outlet("The Valley Tribune") == "The Valley Tribune"
    assert display_outlet(None, "https://www.tribune.example.com/a", "5def3d80aa") == "example.com"
    assert display_outlet("11", None, "5def3d80aa") == "article 5def3d80"
    assert display_outlet(None) == "unknown outlet"
    assert is_bad_outlet("11") and is_bad_outlet("") and is_bad_outlet(None) and not is_bad_outlet("CNN")


# Hostile strings: the metadata helpers never raise, and keep their promises on any input.

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=160) | st.sampled_from(
    ["11 / 28 / 05", "http://[::1", "xn--zz.", "@@ 1:19PM", "By", "|||", "www..com", "Jan 1, 0000", " \x00 "])


@settings(max_examples=300, deadline=None)
@given(value=_TEXT, limit=st.integers(min_value=0, max_value=120))
def test_metadata_helpers_never_raise(value: str, limit: int) -> None:
    name = outlet_name(value)
    assert name is None or (name.strip() and not is_bad_outlet(name))
    domain_name(value)
    display_outlet(value, value, "0123456789")
    is_dateline(value)
    when = dateline_date(value)
    assert when is None or when[:4].isdigit()
    is_headline(value)
    title = clean_title(value, value[:10])
    assert title is None or 0 < len(title) <= 300
    assert len(shorten(value, limit)) <= max(limit, 0) or len(" ".join(value.split())) <= limit
