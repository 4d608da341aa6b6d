"""The reports the real pipeline writes for the seeds: valid, cited, consistent with the store."""

from __future__ import annotations

import json
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
