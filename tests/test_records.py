"""Every record round-trips through to_dict()/from_dict(), and ids come from content."""

from __future__ import annotations

import dataclasses
import json

import pytest

from storydesk import records as r

PASSAGE = r.Passage(article="a1", start=0, end=5, text="Seven")
PROV = r.Provenance(source="x/feed.xml", fmt="rss", locator="entry 2", fetched="2024-01-18T10:00:00+00:00")

SAMPLES: list[r.Record] = [
    PROV,
    r.RawDocument(provenance=PROV, text="Body", html="<p>Body</p>", url="https://e.x/a", outlet="E",
                  title="T", published="2024-01-18T00:00:00+00:00", language="en", author="A"),
    r.Skip(source="bad.jsonl line 2", reason="bad-json", detail="Expecting value"),
    r.Removed(text="Leave a comment", reason="comment-prompt", rule="comment-prompt/en"),
    r.Article(id="a1", outlet="E", title="T", url=None, published=None, language="en", raw_text="raw",
              text="clean", removed=(r.Removed("x", "cms-token", "fbpx"),), author=None, provenance=PROV),
    r.Sentence(article="a1", index=0, start=0, end=5, text="Seven"),
    PASSAGE,
    r.StoryArticle(id="a1", outlet="E", title="T", url=None, published=None, syndicated_from="a0"),
    r.Claim(id="c1", text="Seven died.", sources=("a1", "a2"), passages=(PASSAGE,), attributed_to=("state TV",)),
    r.DiscrepancyValue(value="at least 9", text="at least nine", sources=("a2",), passages=(PASSAGE,)),
    r.Discrepancy(kind="number", subject="killed", values=(r.DiscrepancyValue("7", "seven", ("a1",)),), claim="c1"),
    r.Quote(speaker="the ministry", text="This action…", sources=("a1",)),
    r.Entity(name="Saravan", type="LOC", variants=("Saravan",), sources=("a1",), mentions=2),
    r.TimelineEvent(text="Iran struck", sources=("a1",), order=0, date="2024-01-16", date_end=None,
                    expression="on Tuesday", resolved=True),
    r.Exclusive(text="Only here.", source="a1", passage=PASSAGE),
    r.FactCell(outlet="Daily A", sources=("a1",), value="7", text="seven", published=None, passages=(PASSAGE,)),
    r.Fact(
        id="f-1",
        kind="number",
        subject="people kill",
        status="conflict",
        cells=(r.FactCell(outlet="Daily B", sources=("a2",), value="at least 9", text="at least nine"),),
        confidence=0.9,
        low_trust=True,
    ),
    r.OutletSetting(outlet="Daily B", weight=0.2, hidden=False),
    r.TrustNote(low_trust_below=0.5, outlets=(r.OutletSetting("Daily C", hidden=True),), hidden_articles=("a3",)),
    r.BriefSentence(text="Seven died.", sources=("a1",), claim="c1", passages=(PASSAGE,)),
    r.CrossCheck(claims=(r.Claim("c1", "x", ("a1",)),)),
    r.Story(id="s1", title="T", articles=(r.StoryArticle("a1", "E", "T", None, None),), keywords=("iran",),
            article_count=1, outlet_count=1, independent_sources=1,
            trust=r.TrustNote(low_trust_below=0.5, outlets=(r.OutletSetting("Daily C", hidden=True),))),
    r.Assignment(article="a1", story="s1", syndicated_from=None),
    r.RunSummary(ingested=1, new=1, skipped=(r.Skip("x", "empty"),), stories=1, timings={"ingest": 0.5}),
]


@pytest.mark.parametrize("record", SAMPLES, ids=lambda x: type(x).__name__)
def test_round_trip_through_json(record: r.Record) -> None:
    data = json.loads(json.dumps(record.to_dict()))
    back = type(record).from_dict(data)
    assert back == record


def test_every_record_type_is_sampled() -> None:
    types = {obj for obj in vars(r).values()
             if isinstance(obj, type) and issubclass(obj, r.Record) and obj is not r.Record}
    assert types == {type(s) for s in SAMPLES}


def test_records_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        SAMPLES[3].reason = "other"  # type: ignore[attr-defined, misc]


def test_optional_contract_fields_are_omitted_when_empty() -> None:
    assert "syndicated_from" not in r.StoryArticle("a", None, None, None, None).to_dict()
    assert r.StoryArticle("a", None, None, None, None, syndicated_from="b").to_dict()["syndicated_from"] == "b"


def test_article_id_depends_on_source_and_text_not_whitespace() -> None:
    doc = r.RawDocument(provenance=r.Provenance("/in/a.txt", "text"), text="Hello  world\n")
    same = r.RawDocument(provenance=r.Provenance("/elsewhere/a.txt", "text"), text="Hello world")
    other_file = r.RawDocument(provenance=r.Provenance("/in/b.txt", "text"), text="Hello world")
    with_url = r.RawDocument(provenance=r.Provenance("/in/a.txt", "text"), text="Hello world", url="https://x/1")
    assert r.article_id(doc) == r.article_id(same)
    assert r.article_id(doc) != r.article_id(other_file)
    assert r.article_id(doc) != r.article_id(with_url)
    assert len(r.article_id(doc)) == 16


def test_skip_message_names_input_and_reason() -> None:
    assert r.Skip("a.jsonl line 3", "bad-json", "Expecting ','").message() == (
        "skipped a.jsonl line 3: bad-json (Expecting ',')"
    )
