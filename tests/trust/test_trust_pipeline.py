"""The pipeline's trust hook (`analyse_story`) with the real describe, cross-check and brief."""

from __future__ import annotations

from pathlib import Path

import pytest

from storydesk.brief import summarise
from storydesk.cluster import describe
from storydesk.crosscheck import crosscheck
from storydesk.ingest import iter_inputs
from storydesk.pipeline import analyse_story, clean_one
from storydesk.records import Article, Assignment, RawDocument, Story
from storydesk.settings import Settings
from storydesk.trust import parse_trust


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path) -> list[Article]:
    settings = Settings(data_dir=seeds_dir / "unused")
    out = []
    for doc in iter_inputs([seeds_dir], settings):
        assert isinstance(doc, RawDocument)
        a = clean_one(doc, settings)
        assert isinstance(a, Article)
        out.append(a)
    return sorted(out, key=lambda a: a.id)


def analyse(arts: list[Article], trust: dict[str, object], tmp_path: Path) -> Story:
    settings = Settings(data_dir=tmp_path, embed=False, trust=parse_trust(trust))
    assignments = {a.id: Assignment(a.id, "s1") for a in arts}
    return analyse_story("s1", arts, assignments, settings, describe, crosscheck, summarise)


def test_a_story_only_hidden_outlets_tell_keeps_its_description_only(seeds: list[Article], tmp_path: Path) -> None:
    story = analyse(seeds, {"outlets": {a.outlet: {"hidden": True} for a in seeds if a.outlet}}, tmp_path)
    assert story.title and len(story.articles) == 5
    assert story.brief == () and story.facts == () and story.claims == ()
    assert story.trust is not None
    assert set(story.trust.hidden_articles) == {a.id for a in seeds}


def test_hiding_one_outlet_takes_it_out_of_every_field(seeds: list[Article], tmp_path: Path) -> None:
    hidden = next(a for a in seeds if a.outlet == "Wazobia Reporters")
    story = analyse(seeds, {"outlets": {"wazobia reporters": {"hidden": True}}}, tmp_path)
    d = story.to_dict()
    assert d["brief"] and d["facts"]
    assert hidden.id not in str({k: v for k, v in d.items() if k != "trust"})
    assert d["trust"]["hidden_articles"] == [hidden.id] and d["article_count"] == 4
