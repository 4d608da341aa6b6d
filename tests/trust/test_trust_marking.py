"""Low-trust marking, hidden outlets' articles leaving a story's inputs, and weights in the brief."""

from __future__ import annotations

from pathlib import Path

import pytest

from storydesk.brief.extractive import summarise_extractive
from storydesk.ingest import iter_inputs
from storydesk.pipeline import clean_one
from storydesk.records import Article, Assignment, CrossCheck, Fact, FactCell, RawDocument, Story
from storydesk.settings import Settings
from storydesk.trust import mark_low_trust, parse_trust, trusted_inputs


def art(aid: str, outlet: str, published: str | None = None) -> Article:
    return Article(id=aid, outlet=outlet, title=None, url=None, published=published, language="en",
                   raw_text="x", text="x")


def fact(fid: str, *cells: tuple[str, tuple[str, ...]]) -> Fact:
    return Fact(id=fid, kind="number", subject="people killed", status="agree",
                cells=tuple(FactCell(outlet=o, sources=s, value="9", text="Nine died.") for o, s in cells))


ARTICLES = [art("a1", "Rumour Mill"), art("b1", "Gossip Daily"), art("c1", "Wire Service"), art("c2", "Wire Service")]
TRUST = parse_trust({"outlets": {"Rumour Mill": {"weight": 0.2}, "gossip daily": {"weight": 0.4},
                                 "Wire Service": {"weight": 0.9}}})


def test_a_fact_only_low_trust_outlets_report_is_marked() -> None:
    facts = (
        fact("low", ("Rumour Mill", ("a1",)), ("Gossip Daily", ("b1",))),
        fact("mixed", ("Rumour Mill", ("a1",)), ("Wire Service", ("c1",))),
        # a trusted outlet's copy under a low-trust original: the trusted outlet reports it too
        fact("copied", ("Rumour Mill", ("a1", "c2"))),
        fact("empty"),
    )
    marked = {f.id: f.low_trust for f in mark_low_trust(facts, ARTICLES, TRUST)}
    assert marked == {"low": True, "mixed": None, "copied": None, "empty": None}
    # the line is strict and configurable: 0.4 is not under 0.4
    stricter = parse_trust({"low_trust_below": 0.4, "outlets": {"Rumour Mill": {"weight": 0.2},
                                                                "Gossip Daily": {"weight": 0.4}}})
    assert mark_low_trust(facts[:1], ARTICLES, stricter)[0].low_trust is None
    # the mark is in the JSON only where it is set
    assert mark_low_trust(facts[:1], ARTICLES, TRUST)[0].to_dict()["low_trust"] is True
    assert "low_trust" not in facts[1].to_dict()


def test_hidden_outlets_leave_the_inputs_and_their_copies_regroup() -> None:
    arts = [art("h", "Hidden Herald", "2024-01-18T08:00"), art("v1", "Copy Cat", "2024-01-18T10:00"),
            art("v2", "Echo", "2024-01-18T09:00"), art("v3", "Echo Two", "2024-01-18T11:00"), art("o", "Own Voice")]
    assignments = {"h": Assignment("h", "s"), "v1": Assignment("v1", "s", "h"), "v2": Assignment("v2", "s", "h"),
                   "v3": Assignment("v3", "s", "v2"), "o": Assignment("o", "s")}
    trust = parse_trust({"outlets": {"hidden herald": {"hidden": True}}})
    got = trusted_inputs(arts, assignments, trust)
    assert [a.id for a in got.articles] == ["v1", "v2", "v3", "o"] and got.hidden == ("h",)
    # the earliest visible copy stands in for the hidden original; the copies stay one source
    assert got.assignments["v2"].syndicated_from is None
    assert got.assignments["v1"].syndicated_from == "v2"
    assert got.assignments["v3"].syndicated_from == "v2"
    assert "h" not in got.assignments
    story = got.finish(Story(id="s", title="t", articles=()))
    assert story.trust is not None and story.trust.hidden_articles == ("h",)
    assert story.trust.outlets[0].hidden and story.to_dict()["trust"]["outlets"][0]["outlet"] == "hidden herald"
    # no settings: nothing changes and nothing is noted
    plain = trusted_inputs(arts, assignments, parse_trust({}))
    assert plain.articles == arts and plain.finish(Story(id="s", title="t", articles=())).trust is None


@pytest.fixture(scope="module")
def seed_articles(seeds_dir: Path) -> list[Article]:
    """The five seeds, cleaned by the real cleaner."""
    out = []
    for doc in iter_inputs([seeds_dir], Settings(data_dir=seeds_dir / "unused")):
        assert isinstance(doc, RawDocument)
        a = clean_one(doc, Settings(data_dir=seeds_dir / "unused"))
        assert isinstance(a, Article)
        out.append(a)
    return sorted(out, key=lambda a: a.id)


def test_a_zero_weight_outlet_no_longer_carries_a_brief_sentence_alone(seed_articles: list[Article],
                                                                        tmp_path: Path) -> None:
    meee = next(a.id for a in seed_articles if a.outlet == "Middle East Eye")
    base = Settings(data_dir=tmp_path, embed=False, brief_words=60)
    alone = [b.text for b in summarise_extractive(seed_articles, CrossCheck(), {}, base) if b.sources == (meee,)]
    assert alone, "the seeds' default brief has a sentence only Middle East Eye states"
    weighted = base.replace(trust=parse_trust({"outlets": {"Middle East Eye": {"weight": 0.0}}}))
    brief = summarise_extractive(seed_articles, CrossCheck(), {}, weighted)
    assert brief and not [b for b in brief if b.sources == (meee,)]
    # weights of 1 written out change nothing
    ones = base.replace(trust=parse_trust({"outlets": {a.outlet: {"weight": 1.0} for a in seed_articles
                                                        if a.outlet}}))
    assert summarise_extractive(seed_articles, CrossCheck(), {}, ones) == \
        summarise_extractive(seed_articles, CrossCheck(), {}, base)
