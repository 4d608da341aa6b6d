"""story_changes: the diff of two analyses of one story, on hand-built frozen records."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from storydesk.errors import UsageError
from storydesk.history import match_facts, parse_since, story_changes, version_at
from storydesk.records import BriefSentence, Discrepancy, DiscrepancyValue, Fact, FactCell, Story, StoryArticle
from storydesk.store.versions import ArticleVersion, StoryVersionInfo

URL = {"p1": "https://planet.example/q", "p2": "https://planet.example/q", "m1": "https://post.example/q",
       "p3": "https://planet.example/follow-up", "h1": "https://herald.example/q"}
OUTLET = {"p": "Daily Planet", "m": "Morning Post", "h": "Coast Herald"}
SEEN = {"p1": "2024-03-04T09:05:00+00:00", "m1": "2024-03-04T09:06:00+00:00", "p2": "2024-03-04T13:00:00+00:00",
        "p3": "2024-03-04T14:00:00+00:00", "h1": "2024-03-04T15:00:00+00:00"}


def versions() -> dict[str, ArticleVersion]:
    return {i: ArticleVersion(id=i, identity=URL[i], seen=SEEN[i]) for i in URL}


def cell(aid: str, value: str, text: str | None = None) -> FactCell:
    return FactCell(outlet=OUTLET[aid[0]], sources=(aid,), value=value,
                    text=text or f"The quake killed {value} people.", published="2024-03-04T09:00:00Z")


def toll(*cells: FactCell, fid: str = "") -> Fact:
    status = "agree" if len({c.value for c in cells}) == 1 else "conflict"
    return Fact(id=fid or "f-" + "-".join(c.value for c in cells), kind="number", subject="people killed",
                status=status, cells=cells)


def story(ids: list[str], facts: tuple[Fact, ...] = (), brief: tuple[str, ...] = (),
          conflicts: tuple[Discrepancy, ...] = ()) -> Story:
    arts = tuple(StoryArticle(id=i, outlet=OUTLET[i[0]], title="Quake", url=URL[i], published="2024-03-04T09:00:00Z")
                 for i in ids)
    return Story(id="s1", title="Quake", articles=arts, facts=facts,
                 brief=tuple(BriefSentence(text=t, sources=(ids[0],)) for t in brief), discrepancies=conflicts)


def conflict(*pairs: tuple[str, str]) -> Discrepancy:
    return Discrepancy(kind="number", subject="people killed",
                       values=tuple(DiscrepancyValue(value=v, text=f"killed {v}", sources=(a,)) for v, a in pairs))


def test_a_silent_edit_of_a_figure_is_a_correction_with_both_sentences_and_times() -> None:
    old = story(["p1", "m1"], facts=(toll(cell("p1", "12"), cell("m1", "12")),), brief=("The quake killed 12.",))
    new = story(["p2", "m1", "h1"], facts=(toll(cell("p2", "15"), cell("m1", "12"), cell("h1", "12")),),
                brief=("The quake killed 15.",), conflicts=(conflict(("15", "p2"), ("12", "m1")),))
    ch = story_changes(old, new, versions())
    assert [o.outlet for o in ch.new_outlets] == ["Coast Herald"]
    assert ch.new_outlets[0].seen == SEEN["h1"] and ch.new_outlets[0].articles == ("h1",)
    assert ch.dropped_outlets == () and ch.new_facts == ()
    (rev,) = ch.revised_values
    assert (rev.outlet, rev.old, rev.new, rev.correction) == ("Daily Planet", "12", "15", True)
    assert rev.old_text == "The quake killed 12 people." and rev.new_text == "The quake killed 15 people."
    assert (rev.old_seen, rev.new_seen) == (SEEN["p1"], SEEN["p2"])
    assert [c.subject for c in ch.conflicts_appeared] == ["people killed"]
    assert ch.conflicts_appeared[0].values[0].outlets == ("Daily Planet",)
    assert ch.brief_added == ("The quake killed 15.",) and ch.brief_dropped == ("The quake killed 12.",)
    assert [(u.old, u.new, u.outlet) for u in ch.updated_articles] == [("p1", "p2", "Daily Planet")]
    assert not ch.empty


def test_a_follow_up_article_revising_a_figure_is_not_a_correction() -> None:
    old = story(["p1", "m1"], facts=(toll(cell("p1", "12"), cell("m1", "12")),))
    new = story(["p3", "m1"], facts=(toll(cell("p3", "15"), cell("m1", "12")),))
    (rev,) = story_changes(old, new, versions()).revised_values
    assert rev.correction is False and rev.new_sources == ("p3",)


def test_resolved_conflicts_new_facts_and_nothing_changed() -> None:
    disputed = story(["p1", "m1"], facts=(toll(cell("p1", "12"), cell("m1", "15")),),
                     conflicts=(conflict(("12", "p1"), ("15", "m1")),))
    settled = story(["p2", "m1"], facts=(toll(cell("p2", "15"), cell("m1", "15")),
                                         Fact(id="f-d", kind="date", subject="when it struck", status="single",
                                              cells=(cell("m1", "Monday", "It struck on Monday."),))))
    ch = story_changes(disputed, settled, versions())
    assert [c.subject for c in ch.conflicts_resolved] == ["people killed"] and ch.conflicts_appeared == ()
    assert [(f.subject, f.values) for f in ch.new_facts] == [("when it struck", ("Monday",))]
    assert story_changes(settled, settled, versions()).empty


def test_facts_are_matched_by_unchanged_cells_when_their_subject_is_reworded() -> None:
    old = Fact(id="f-a", kind="number", subject="people killed", status="agree",
               cells=(cell("p1", "12"), cell("m1", "12")))
    new = Fact(id="f-b", kind="number", subject="people dead", status="conflict",
               cells=(cell("p2", "15"), cell("m1", "12")))
    injured = Fact(id="f-c", kind="number", subject="people hurt", status="single",
                   cells=(cell("m1", "40", "The quake killed 12 people."),))  # same sentence, other figure
    assert match_facts([old], [injured, new], versions()) == [(old, new)]


def test_a_fact_only_edited_pages_report_is_matched_by_its_pages() -> None:
    old = Fact(id="f-a", kind="number", subject="homes destroyed", status="single", cells=(cell("p1", "300"),))
    new = Fact(id="f-b", kind="number", subject="houses flattened", status="single", cells=(cell("p2", "450"),))
    assert match_facts([old], [new], versions()) == [(old, new)]
    assert match_facts([old], [new], {}) == []  # without versions, nothing says they are one page


def test_rewording_of_a_plain_claim_is_not_a_revised_value() -> None:
    def claim(aid: str, text: str) -> Fact:
        return Fact(id="f-o", kind="other", subject="the quake", status="single", cells=(cell(aid, text, text),))

    ch = story_changes(story(["p1"], facts=(claim("p1", "The quake hit at dawn."),)),
                       story(["p2"], facts=(claim("p2", "The quake hit just before dawn."),)), versions())
    assert ch.revised_values == () and ch.new_facts == ()


def test_a_story_new_since_the_reader_looked_is_all_new() -> None:
    new = story(["p1", "m1"], facts=(toll(cell("p1", "12"), cell("m1", "12")),), brief=("The quake killed 12.",))
    ch = story_changes(None, new, versions())
    assert [o.outlet for o in ch.new_outlets] == ["Daily Planet", "Morning Post"]
    assert len(ch.new_facts) == 1 and ch.brief_added == ("The quake killed 12.",) and ch.revised_values == ()
    assert ch.to_dict()["new_outlets"][0]["outlet"] == "Daily Planet"


def test_since_reads_times_dates_and_words() -> None:
    assert parse_since("2024-03-04T10:15:00+01:00") == datetime(2024, 3, 4, 9, 15, tzinfo=UTC)
    assert parse_since("2024-03-04 10:15") == datetime(2024, 3, 4, 10, 15, tzinfo=UTC)
    assert parse_since("2024-03-04") == datetime(2024, 3, 4, tzinfo=UTC)
    assert parse_since("yesterday", today=date(2024, 3, 5)) == datetime(2024, 3, 4, tzinfo=UTC)
    for bad in ("soon", "2024-13-01", "2024-03-04T25:00", "", "0001-01-01T00:00:00+14:00",
                "9999-12-31T23:59:59-14:00"):
        with pytest.raises(UsageError):
            parse_since(bad)


def test_the_baseline_is_the_newest_version_made_by_then() -> None:
    vs = [StoryVersionInfo("s1", 1, "2024-03-04T09:00:00+00:00"),
          StoryVersionInfo("s1", 2, "2024-03-04T13:00:00.500000+00:00")]
    assert version_at(vs, datetime(2024, 3, 4, 8, tzinfo=UTC)) is None
    assert version_at(vs, datetime(2024, 3, 4, 13, tzinfo=UTC)) == vs[0]
    assert version_at(vs, datetime(2024, 3, 4, 13, 0, 1, tzinfo=UTC)) == vs[1]


def test_every_history_record_round_trips_through_json() -> None:
    import json

    from storydesk.records import Record

    old = story(["p1", "m1"], facts=(toll(cell("p1", "12"), cell("m1", "15")),), brief=("Old.",),
                conflicts=(conflict(("12", "p1"), ("15", "m1")),))
    new = story(["p2", "m1", "h1"], facts=(toll(cell("p2", "15"), cell("m1", "15"), cell("h1", "15")),),
                brief=("New.",))
    ch = story_changes(old, new, versions())
    samples: list[Record] = [ch, StoryVersionInfo("s1", 1, SEEN["p1"]), *versions().values()]
    samples += [*ch.new_outlets, *ch.revised_values, *ch.conflicts_resolved, *ch.updated_articles]
    assert ch.revised_values and ch.conflicts_resolved and ch.updated_articles
    for record in samples:
        assert type(record).from_dict(json.loads(json.dumps(record.to_dict()))) == record
