"""The reports the real pipeline writes for the seeds: valid, cited, consistent with the store."""

from __future__ import annotations

import json
import re
from html import unescape

import jsonschema
import pytest

from storydesk.report import SCHEMA_VERSION, load_schema
from storydesk.store.sqlite import open_store

pytestmark = pytest.mark.slow


def test_pipeline_stories_json_validates(seeds_run):
    _, out = seeds_run
    doc = json.loads((out / "stories.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(load_schema()).validate(doc)
    assert doc["schema_version"] == SCHEMA_VERSION and doc["stories"]


def test_pipeline_reports_match_the_store(seeds_run):
    data, out = seeds_run
    doc = json.loads((out / "stories.json").read_text(encoding="utf-8"))
    with open_store(data, readonly=True) as store:
        for s in doc["stories"]:
            assert store.get_story(s["id"]).to_dict() == s


def test_report_html_shows_every_brief_citation_sentence(seeds_run):
    _, out = seeds_run
    doc = json.loads((out / "stories.json").read_text(encoding="utf-8"))
    html = unescape((out / "report.html").read_text(encoding="utf-8"))
    for s in doc["stories"]:
        assert s["title"] in html
        for b in s["brief"]:
            assert b["text"] in html
            for p in b.get("passages", []):
                assert f'<q class="cite-sentence">{p["text"]}</q>' in html
    md = (out / "brief.md").read_text(encoding="utf-8")
    assert all(s["title"] in md for s in doc["stories"])


def test_report_html_shows_the_fact_table_after_the_brief(seeds_run):
    _, out = seeds_run
    doc = json.loads((out / "stories.json").read_text(encoding="utf-8"))
    html = unescape((out / "report.html").read_text(encoding="utf-8"))
    story = next(s for s in doc["stories"] if any(f["status"] == "conflict" for f in s["facts"]))
    at = html.index(f'id="{_anchor(story["id"])}"')
    brief, table, disagree = (html.index(h, at) for h in ("<h2>Brief</h2>", "<h2>Fact table</h2>",
                                                          "<h2>Where the outlets disagree</h2>"))
    assert brief < table < disagree
    rows = re.findall(r'<tr class="fact st-(\w+)">', html[table:disagree])
    assert rows and rows[0] == "conflict"  # conflicts lead the table
    conflict = next(f for f in story["facts"] if f["status"] == "conflict")
    first_row = html[table:disagree].split('<tr class="fact st-conflict">')[1].split("</tr>")[0]
    for cell in conflict["cells"]:
        assert cell["value"] in html[table:disagree] and f'title="{cell["text"]}"' in html[table:disagree]
    assert '<span class="badge st-conflict">conflict</span>' in first_row


def _anchor(story_id: str) -> str:
    return "s-" + re.sub(r"[^A-Za-z0-9_-]", "_", story_id)
