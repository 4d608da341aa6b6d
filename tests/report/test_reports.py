"""write_reports: stories.json against the packaged schema, report.html self-contained and escaped."""

from __future__ import annotations

import dataclasses
import json
import re
from html import unescape
from pathlib import Path

import jsonschema
import pytest
from storydesk_test_builders import EVIL, EVIL_TITLE

from storydesk import records
from storydesk.report import SCHEMA_VERSION, load_schema, render_html, stories_document, write_reports
from storydesk.report.html import safe_url
from storydesk.report.view import FactTableConfig, passage_span, story_view


@pytest.fixture()
def written(tmp_path, seed_set, evil_set):
    (s1, a1), (s2, a2) = seed_set, evil_set
    arts = {a.id: a for a in a1 + a2}
    paths = write_reports([s1, s2], tmp_path / "out", arts, generated="2024-01-20T00:00:00+00:00")
    return {p.name: p for p in paths}


def test_writes_the_three_reports(written):
    assert sorted(written) == ["brief.md", "report.html", "stories.json"]
    assert all(p.stat().st_size > 0 for p in written.values())


def test_stories_json_validates_against_the_schema(written, seed_set):
    doc = json.loads(written["stories.json"].read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(load_schema()).validate(doc)
    assert doc["schema_version"] == SCHEMA_VERSION
    assert doc["generated"] == "2024-01-20T00:00:00+00:00"
    assert doc["stories"][0] == seed_set[0].to_dict()
    # the document round-trips into the same records
    assert records.Story.from_dict(doc["stories"][0]) == seed_set[0]


def test_schema_rejects_a_story_missing_a_contract_field(seed_set):
    doc = stories_document([seed_set[0]])
    del doc["stories"][0]["brief"]
    with pytest.raises(jsonschema.ValidationError, match="brief"):
        jsonschema.validate(doc, load_schema(), cls=jsonschema.Draft202012Validator)
    doc = stories_document([seed_set[0]])
    doc["stories"][0]["brief"][0]["sources"] = "not-a-list"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, load_schema(), cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize(
    ("record", "ref"),
    [(records.Story, "story"), (records.StoryArticle, "article"), (records.BriefSentence, "briefSentence"),
     (records.Claim, "claim"), (records.Discrepancy, "discrepancy"),
     (records.DiscrepancyValue, "discrepancyValue"), (records.Quote, "quote"), (records.Entity, "entity"),
     (records.TimelineEvent, "timelineEvent"), (records.Exclusive, "exclusive"), (records.Passage, "passage")],
)
def test_schema_documents_every_record_field(record, ref):
    """A field added to a record must be added to the schema (and its version bumped)."""
    props = set(load_schema()["$defs"][ref]["properties"])
    assert {f.name for f in dataclasses.fields(record)} == props


def test_schema_version_matches_the_schema_file():
    schema = load_schema()
    assert schema["version"] == SCHEMA_VERSION
    assert schema["$id"].endswith(SCHEMA_VERSION)


def test_brief_md_cites_every_sentence(written, seed_set):
    md = written["brief.md"].read_text(encoding="utf-8")
    story = seed_set[0]
    assert story.title in md
    for b in story.brief:
        line = next(ln for ln in md.splitlines() if b.text[:40] in ln and not ln.startswith("#"))
        assert re.search(r"\[[^\]]+\]", line[line.index(b.text[:40]):]), line


def test_report_html_has_every_section_and_no_network(written, seed_set):
    html = written["report.html"].read_text(encoding="utf-8")
    story, arts = seed_set
    for heading in ("Brief", "Where the outlets disagree", "Quotes by speaker", "Entities", "Timeline",
                    "Side by side", "What only one outlet reports", "Sources"):
        assert f"<h2>{heading}</h2>" in html
    # no external resource of any kind: no src/href to another origin except article links
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=\"(?!data:)", html)
    assert "@import" not in html and "url(" not in html
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp and "default-src 'none'" in csp.group(1)
    # the citation of the first brief sentence carries its source sentence
    first = story.brief[0]
    assert f'<q class="cite-sentence">{first.passages[0].text}</q>' in unescape(html)
    # every article appears side by side
    for a in arts:
        assert f'>[{story_view(story, {}).numbers[a.id]}] {a.outlet}</h3>' in html


def test_report_inline_script_hash_matches_csp(written):
    import base64
    import hashlib

    html = written["report.html"].read_text(encoding="utf-8")
    script = re.search(r"<script>(.*?)</script>\s*</body>", html, re.S)
    assert script
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in html


def test_report_html_escapes_article_content(written):
    html = written["report.html"].read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in html
    assert '<script>alert("title")' not in html
    assert "<img src=x" not in html
    assert '" onmouseover="alert' not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    assert "<i>Evil</i>" not in html and "&lt;i&gt;Evil&lt;/i&gt;" in html
    assert EVIL and EVIL_TITLE  # the builders' hostile strings are what this test looks for


def test_side_by_side_highlights_come_from_passage_offsets(seed_set):
    story, arts = seed_set
    v = story_view(story, {a.id: a for a in arts})
    col = v.columns[0]
    assert "".join(s.text for s in col.segments) == arts[0].text
    shared = [s for s in col.segments if s.kind == "shared"]
    assert shared and shared[0].text == story.claims[0].passages[0].text
    excl = [s for s in col.segments if s.kind == "exclusive"]
    assert excl and excl[0].text == story.exclusive[0].text


def test_passage_span_checks_offsets():
    p = records.Passage(article="a", start=0, end=3, text="cat")
    assert passage_span(p, "cat sat") == (0, 3)
    assert passage_span(p, "the cat sat") == (4, 7)  # stale offsets: found by text
    assert passage_span(p, "dog") is None


def test_missing_passage_falls_back_to_best_matching_sentence(seed_set):
    story, arts = seed_set
    target = story.brief[0]
    bare = dataclasses.replace(story, brief=(dataclasses.replace(target, passages=()),))
    v = story_view(bare, {a.id: a for a in arts})
    assert v.brief[0].cites[0].sentence == target.passages[0].text


def test_safe_url_allows_only_http():
    assert safe_url("https://a.example/x") == "https://a.example/x"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url(" JaVaScRiPt:alert(1)") is None
    assert safe_url("data:text/html,x") is None
    assert safe_url("//evil.example") is None
    assert safe_url(None) is None


def test_render_html_with_no_stories():
    html = render_html([], {})
    assert "No stories." in html


def test_report_works_without_article_texts(tmp_path: Path, seed_set):
    story, _ = seed_set
    paths = write_reports([story], tmp_path, {})
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "The article's text is not available." in html
    assert len(paths) == 3


def _fact(fid: str, kind: str, status: str, cells: list[tuple[str, str, str]]) -> records.Fact:
    return records.Fact(id=fid, kind=kind, subject=f"subject {fid}", status=status, cells=tuple(
        records.FactCell(outlet=o, sources=(aid,), value=v, text=f"The sentence saying {v}.")
        for o, aid, v in cells))


def test_fact_table_orders_rows_and_aligns_cells_to_outlets():
    arts = (records.StoryArticle(id="a1", outlet="Alpha", title="t1", url=None, published=None),
            records.StoryArticle(id="b2", outlet="Beta", title="t2", url=None, published=None))
    facts = (
        _fact("o1", "other", "agree", [("Beta", "b2", "x"), ("Alpha", "a1", "x")]),
        _fact("s1", "number", "single", [("Beta", "b2", "3")]),
        _fact("n1", "number", "agree", [("Alpha", "a1", "5"), ("Beta", "b2", "5")]),
        _fact("c1", "other", "conflict", [("Alpha", "a1", "Monday"), ("Beta", "b2", "Tuesday")]),
        _fact("d1", "date", "conflict", [("Alpha", "a1", "2024-01-18"), ("Beta", "b2", "2024-01-19")]),
    )
    story = records.Story(id="s", title="T", articles=arts, facts=facts)
    ft = story_view(story, {}).facts
    assert ft.outlets == ("Alpha", "Beta")  # in the order their articles are numbered
    assert [r.id for r in ft.rows] == ["d1", "c1", "n1", "o1", "s1"]
    single = ft.rows[-1]
    assert single.cells[0] == () and [v.value for v in single.cells[1]] == ["3"]
    cut = story_view(story, {}, FactTableConfig(minor_shown=1)).facts
    # one "other"/"single" row shown (the conflict); the rest behind "show all", numbers always shown
    assert [r.id for r in cut.rows] == ["d1", "c1", "n1"] and [r.id for r in cut.more] == ["o1", "s1"]
    html = render_html([story], {})
    table = html[html.index("<h2>Fact table</h2>"):html.index("<h2>Where the outlets disagree</h2>")]
    assert table.count('<tr class="fact st-conflict">') == 2 and "not reported" in table


def test_fact_table_escapes_article_text():
    arts = (records.StoryArticle(id="a1", outlet=EVIL, title="t1", url=None, published=None),)
    story = records.Story(id="s", title="T", articles=arts, facts=(records.Fact(
        id="f1", kind="number", subject=EVIL, status="single", cells=(records.FactCell(
            outlet=EVIL, sources=("a1",), value=EVIL, text=EVIL, attributed_to=EVIL),)),))
    html = render_html([story], {})
    table = html[html.index("<h2>Fact table</h2>"):html.index("<h2>Where the outlets disagree</h2>")]
    assert "<script>" not in table and "<img" not in table and 'onmouseover="' not in table
    assert unescape(table).count(EVIL) >= 5
