"""Time line: events dated against each article's publication time, merged across outlets."""

from __future__ import annotations

from pathlib import Path

from storydesk.crosscheck.timeline import build_timeline, parse_published
from storydesk.records import Article
from storydesk.segment import sentences


def _article(aid: str, text: str, published: str | None) -> Article:
    return Article(
        id=aid, outlet=None, title=None, url=None, published=published, language="en", raw_text=text, text=text
    )


def _timeline(*arts: Article):
    return build_timeline(arts, {a.id: sentences(a) for a in arts})


def test_parse_published() -> None:
    assert parse_published("2024-03-08T14:00:00Z").isoformat() == "2024-03-08T14:00:00+00:00"  # type: ignore[union-attr]
    assert parse_published("2024-03-08").date().isoformat() == "2024-03-08"  # type: ignore[union-attr]
    assert parse_published("last Friday") is None
    assert parse_published(None) is None


def test_events_resolve_in_each_articles_own_frame_and_merge() -> None:
    # Friday's report says "on Thursday"; Saturday's says "on Thursday" too: both are 7 March.
    fri = _article(
        "fri",
        "A landslide buried part of the mountain village on Thursday, rescuers said.\n"
        "The regional governor visited the site late on Wednesday.",
        "2024-03-08T09:00:00Z",
    )
    sat = _article(
        "sat",
        "Rescuers said a landslide buried homes in the mountain village on Thursday.\n"
        "Yesterday the army sent engineers to clear the road.",
        "2024-03-09T09:00:00+00:00",
    )
    events = _timeline(fri, sat)
    dates = [(e.date, e.sources) for e in events]
    assert ("2024-03-07", ("fri", "sat")) in dates  # one landslide, both sources
    assert ("2024-03-06", ("fri",)) in dates  # the governor's visit, Wednesday before Friday
    assert ("2024-03-08", ("sat",)) in dates  # "yesterday" in Saturday's report
    assert [e.order for e in events] == list(range(len(events)))
    assert [e.date for e in events] == sorted(e.date for e in events)  # type: ignore[type-var]
    assert all(e.resolved for e in events)


def test_same_day_different_events_stay_apart() -> None:
    a = _article(
        "a",
        "Protesters marched on parliament on Tuesday.\nA cargo ship ran aground and sank in the harbour on Tuesday.",
        "2024-03-08T09:00:00Z",
    )
    b = _article("b", "Thousands of protesters marched to parliament on Tuesday.", "2024-03-08T10:00:00Z")
    events = [e for e in _timeline(a, b) if e.date == "2024-03-05"]
    assert len(events) == 2
    assert {e.sources for e in events} == {("a", "b"), ("a",)}


def test_vague_dates_keep_a_range() -> None:
    a = _article("a", "Earlier this month the central bank raised interest rates again.", "2024-03-20T09:00:00Z")
    (e,) = _timeline(a)
    assert (e.date, e.date_end, e.expression) == ("2024-03-01", "2024-03-20", "Earlier this month")


def test_offset_dates_the_clause_from_the_sentences_date() -> None:
    a = _article(
        "a",
        "The army retaliated with air strikes on Thursday, two days after rebels attacked a border post.",
        "2024-03-08T09:00:00Z",
    )
    events = _timeline(a)
    by_date = {e.date: e for e in events}
    assert by_date["2024-03-07"].text.startswith("The army retaliated")
    assert by_date["2024-03-05"].text == "Rebels attacked a border post"


def test_without_publication_time_relative_order_is_kept_and_marked() -> None:
    a = _article(
        "a",
        "The storm made landfall on Monday.\nPower was restored on Wednesday.\nSchools reopened on Friday.",
        None,
    )
    events = _timeline(a)
    assert [e.text for e in events] == [
        "The storm made landfall on Monday.",
        "Power was restored on Wednesday.",
        "Schools reopened on Friday.",
    ]
    assert all(not e.resolved and e.date is None for e in events)
    # an absolute date still resolves without a publication time
    b = _article("b", "The treaty was signed on 12 March 2019.", None)
    (e,) = _timeline(b)
    assert e.resolved and e.date == "2019-03-12"


def test_seed_strikes_are_dated(seeds_dir: Path) -> None:
    pub = {"000": "2024-01-18T12:00:00Z", "003": "2024-01-18T15:00:00Z", "004": "2024-01-19T10:00:00Z"}
    arts = [
        _article(p.stem[:3], p.read_text(encoding="utf-8"), pub.get(p.stem[:3]))
        for p in sorted(seeds_dir.glob("*.txt"))
    ]
    events = build_timeline(arts, {a.id: sentences(a) for a in arts})
    thursday = [e for e in events if e.date == "2024-01-18"]
    assert thursday and max(len(e.sources) for e in thursday) >= 3  # Pakistan's strikes, merged
    tuesday = [e for e in events if e.date == "2024-01-16"]
    assert tuesday  # Iran's strike two days earlier
    assert any(not e.resolved for e in events if "002" in e.sources)  # 002 has no publication time


def test_word_overlap_mode_without_embeddings() -> None:
    a = _article("a", "Protesters marched on parliament on Tuesday.", "2024-03-08T09:00:00Z")
    b = _article("b", "Thousands of protesters marched on parliament on Tuesday.", "2024-03-08T10:00:00Z")
    c = _article("c", "A cargo ship sank in the harbour on Tuesday.", "2024-03-08T10:00:00Z")
    arts = (a, b, c)
    events = build_timeline(arts, {x.id: sentences(x) for x in arts}, use_embeddings=False)
    assert sorted(e.sources for e in events) == [("a", "b"), ("c",)]
    assert all(e.date == "2024-03-05" for e in events)


def test_offsets_without_a_date_of_their_own() -> None:
    a = _article(
        "a",
        "The army launched air strikes on Thursday.\n"
        "The strikes came two days after rebels attacked a border post.\n"
        "A day earlier, the government recalled its ambassador.",
        "2024-03-08T09:00:00Z",
    )
    events = _timeline(a)
    by_text = {e.text: e.date for e in events}
    assert by_text["Rebels attacked a border post"] == "2024-03-05"  # two days before the focal Thursday
    assert by_text["A day earlier, the government recalled its ambassador."] == "2024-03-06"


def test_offset_before_a_named_event_dates_the_sentences_own_event() -> None:
    # "the shooting" is the anchor (Monday); the firing is four days before it, not the other way.
    a = _article(
        "a",
        "A gunman opened fire on Monday.\nHe had been fired four days before the shooting.",
        "2007-04-10T12:00:00Z",
    )
    events = _timeline(a)
    by_text = {e.text: e.date for e in events}
    assert by_text["A gunman opened fire on Monday."] == "2007-04-09"
    assert by_text["He had been fired four days before the shooting."] == "2007-04-05"
    assert "2007-04-13" not in {e.date for e in events}  # never anchor + 4
    assert [e.date for e in events] == ["2007-04-05", "2007-04-09"]  # the firing comes first


def test_offset_after_a_named_event_at_the_start_of_the_sentence() -> None:
    # The crash is matched to the sentence that dates it (Sunday), not to the article's focal day.
    a = _article(
        "a",
        "The plane crashed on Sunday.\n"
        "Investigators recovered the flight recorders on Monday.\n"
        "Rescue teams searched the wreckage on Monday.\n"
        "Two days after the crash, the airline's chief executive resigned.",
        "2007-04-10T12:00:00Z",
    )
    by_text = {e.text: e.date for e in _timeline(a)}
    assert by_text["The plane crashed on Sunday."] == "2007-04-08"
    assert by_text["Two days after the crash, the airline's chief executive resigned."] == "2007-04-10"
    assert "2007-04-06" not in by_text.values()  # never anchor - 2


def test_anchor_event_told_as_a_clause_is_matched_to_its_report() -> None:
    a = _article(
        "a",
        "A gunman opened fire at the campus on Monday.\nHe was expelled three days before the gunman opened fire.",
        "2007-04-10T12:00:00Z",
    )
    events = _timeline(a)
    by_text = {e.text: e.date for e in events}
    assert by_text["He was expelled three days before the gunman opened fire."] == "2007-04-06"
    assert "2007-04-12" not in {e.date for e in events}


def test_anchor_with_its_own_date_dates_the_sentences_event() -> None:
    a = _article("a", "He had been fired four days before the shooting on Monday.", "2007-04-10T12:00:00Z")
    by_text = {e.text: e.date for e in _timeline(a)}
    assert by_text["He had been fired four days before the shooting on Monday."] == "2007-04-05"
    assert by_text["The shooting on Monday"] == "2007-04-09"


def test_offset_from_a_named_event_without_publication_time_stays_undated_in_order() -> None:
    a = _article(
        "a",
        "A gunman opened fire on Monday.\nHe had been fired four days before the shooting.",
        None,
    )
    events = _timeline(a)
    assert [e.text for e in events] == [
        "A gunman opened fire on Monday.",
        "He had been fired four days before the shooting.",
    ]
    assert all(not e.resolved and e.date is None for e in events)


def test_main_clause_restating_the_focal_event_keeps_it_as_the_known_side() -> None:
    # "The strikes came" restates Thursday's strikes, so here the named anchor is the unknown side.
    a = _article(
        "a",
        "The army launched air strikes on Thursday.\nThe strikes came two days after the ambush.",
        "2024-03-08T09:00:00Z",
    )
    by_text = {e.text: e.date for e in _timeline(a)}
    assert by_text["The ambush"] == "2024-03-05"
    assert "2024-03-09" not in by_text.values()


def test_later_followed_by_its_event_counts_from_the_previous_event() -> None:
    # "later" names no anchor: "the minister resigned" is the sentence's own event, two days
    # after Monday's shooting (the event told before it), not two days before the focal day.
    a = _article(
        "a",
        "A gunman opened fire on Monday. Two days later the minister resigned.",
        "2007-04-10T12:00:00Z",
    )
    events = _timeline(a)
    by_text = {e.text: e.date for e in events}
    assert by_text["A gunman opened fire on Monday."] == "2007-04-09"
    assert by_text["Two days later the minister resigned."] == "2007-04-11"
    assert "2007-04-07" not in {e.date for e in events}  # never focal - 2
    assert len(events) == 2  # what follows "later" is not a second (anchor) event


def test_earlier_followed_by_its_event_counts_back_from_the_previous_event() -> None:
    a = _article(
        "a",
        "Police charged the suspect on Friday.\nTwo days earlier officers raided his flat in the city.",
        "2007-04-14T09:00:00Z",
    )
    events = _timeline(a)
    by_text = {e.text: e.date for e in events}
    assert by_text["Police charged the suspect on Friday."] == "2007-04-13"
    assert by_text["Two days earlier officers raided his flat in the city."] == "2007-04-11"
    assert "2007-04-15" not in {e.date for e in events}  # never focal + 2
    assert [e.date for e in events] == ["2007-04-11", "2007-04-13"]


def test_later_offsets_chain_from_the_event_told_just_before() -> None:
    a = _article(
        "a",
        "A gunman opened fire on Monday.\n"
        "Two days later the minister resigned.\n"
        "A day later parliament voted to hold an inquiry.",
        "2007-04-10T12:00:00Z",
    )
    by_text = {e.text: e.date for e in _timeline(a)}
    assert by_text["A day later parliament voted to hold an inquiry."] == "2007-04-12"


def test_vague_later_offsets_keep_the_ranges_of_date_resolution() -> None:
    # "a month later" is a month (a range), as dates.resolve has it, not the previous event's day
    a = _article(
        "a",
        "A gunman opened fire on Monday.\nA month later the university reopened the hall.",
        "2007-04-10T12:00:00Z",
    )
    e = next(e for e in _timeline(a) if e.text.startswith("A month later"))
    assert (e.date, e.date_end) == ("2007-05-01", "2007-05-31")
    b = _article(
        "b",
        "A gunman opened fire on Monday.\nA few days later the university reopened the hall.",
        "2007-04-10T12:00:00Z",
    )
    e = next(e for e in _timeline(b) if e.text.startswith("A few days later"))
    assert (e.date, e.date_end) == ("2007-04-12", None)  # "a few" is three, as in dates.py


def test_later_in_the_first_sentence_counts_from_the_focal_date() -> None:
    # No event is told before the arrest, so it is counted from the article's focal day (Monday).
    a = _article(
        "a",
        "The suspect was arrested a few hours later near the campus, police said.\n"
        "A gunman opened fire at the campus on Monday.\n"
        "Two students were killed in the shooting on Monday.\n"
        "Classes were cancelled on Tuesday.",
        "2007-04-11T12:00:00Z",
    )
    events = _timeline(a)
    arrest = next(e for e in events if e.text.startswith("The suspect was arrested"))
    assert arrest.resolved and (arrest.date, arrest.date_end) == ("2007-04-09", None)
    assert arrest.expression == "a few hours later"
    assert not any(e.text.startswith("Near the campus") for e in events)  # no anchor event made up


def test_later_with_no_dated_event_at_all_counts_from_the_publication_day() -> None:
    a = _article("a", "The suspect was arrested a few hours later near the campus.", "2007-04-10T12:00:00Z")
    (e,) = _timeline(a)
    assert e.resolved and e.date == "2007-04-10"


def test_later_without_publication_time_stays_undated_in_order() -> None:
    a = _article(
        "a",
        "The suspect was arrested a few hours later near the campus.\n"
        "A gunman opened fire on Monday.\n"
        "Two days later the minister resigned.",
        None,
    )
    events = _timeline(a)
    assert [e.text for e in events] == [
        "The suspect was arrested a few hours later near the campus.",
        "A gunman opened fire on Monday.",
        "Two days later the minister resigned.",
    ]
    assert all(not e.resolved and e.date is None for e in events)


def test_later_after_a_dated_clause_dates_the_clause_that_follows_it() -> None:
    # "X on Thursday and two days later Y": Y is two days after Thursday (not before, as "after Y" would be)
    a = _article(
        "a",
        "The army launched air strikes on Thursday and two days later the rebels withdrew from the town.",
        "2024-03-09T09:00:00Z",
    )
    events = _timeline(a)
    by_text = {e.text: e.date for e in events}
    assert by_text[a.text] == "2024-03-07"
    assert by_text["The rebels withdrew from the town"] == "2024-03-09"
    assert "2024-03-05" not in by_text.values()


def test_later_than_planned_is_a_comparison_not_an_offset() -> None:
    # "two days later than planned" compares with a plan: it must not date the event two days
    # after the event told before it, nor make "than planned" an event of its own.
    a = _article(
        "a",
        "The new bridge opened on Monday, two days later than planned.\n"
        "The tolls were collected a week later than expected.\n"
        "The ferry service ended three days earlier than scheduled.\n"
        "The inspectors' report was released a day later than originally announced.",
        "2023-04-12T09:00:00Z",
    )
    events = _timeline(a)
    # the sentence's own date cue still applies; the sentences with no other cue are no events
    assert [(e.text, e.date, e.date_end) for e in events] == [
        ("The new bridge opened on Monday, two days later than planned.", "2023-04-10", None)
    ]


def test_later_than_planned_keeps_a_real_offset_in_the_same_story() -> None:
    # the comparative is skipped, the plain "later" offset next to it still counts
    a = _article(
        "a",
        "The new bridge opened on Monday.\n"
        "The tunnel opened two days later than planned.\n"
        "Two days later the ferry service ended.",
        "2023-04-12T09:00:00Z",
    )
    by_text = {e.text: e.date for e in _timeline(a)}
    assert by_text == {
        "The new bridge opened on Monday.": "2023-04-10",
        "Two days later the ferry service ended.": "2023-04-12",
    }


def test_month_and_year_offsets_from_a_named_event_shift_by_the_calendar() -> None:
    # "a month after the crash" is the month after the crash's (a range), not the crash's own day
    a = _article(
        "a",
        "The plane crashed on 10 March 2023.\n"
        "The airline's chief executive resigned a month after the crash.\n"
        "Six months after the crash, the regulator grounded the fleet.\n"
        "The airline had been sold two years before the crash.",
        "2023-03-12T09:00:00Z",
    )
    by_text = {e.text: (e.date, e.date_end) for e in _timeline(a)}
    assert by_text["The plane crashed on 10 March 2023."] == ("2023-03-10", None)
    assert by_text["The airline's chief executive resigned a month after the crash."] == ("2023-04-01", "2023-04-30")
    assert by_text["Six months after the crash, the regulator grounded the fleet."] == ("2023-09-01", "2023-09-30")
    assert by_text["The airline had been sold two years before the crash."] == ("2021-01-01", "2021-12-31")


def test_week_offsets_from_a_named_event_shift_by_seven_days_each() -> None:
    a = _article(
        "a",
        "Parliament held the confidence vote on 2 May 2023.\nThe prime minister resigned two weeks after the vote.",
        "2023-05-20T09:00:00Z",
    )
    by_text = {e.text: (e.date, e.date_end) for e in _timeline(a)}
    assert by_text["The prime minister resigned two weeks after the vote."] == ("2023-05-16", None)


def test_month_offset_dates_the_anchor_clause_a_month_before_the_sentences_date() -> None:
    # "X on 20 April, a month after Y": Y is a month before X (March), a range, and a separate event
    a = _article(
        "a",
        "The army launched air strikes on 20 April 2023, a month after rebels attacked a border post.",
        "2023-04-21T09:00:00Z",
    )
    by_text = {e.text: (e.date, e.date_end) for e in _timeline(a)}
    assert by_text[a.text] == ("2023-04-20", None)
    assert by_text["Rebels attacked a border post"] == ("2023-03-01", "2023-03-31")


def test_month_offset_before_an_anchor_with_its_own_date() -> None:
    a = _article("a", "He had been fired a month before the shooting on Monday.", "2007-04-10T12:00:00Z")
    by_text = {e.text: (e.date, e.date_end) for e in _timeline(a)}
    assert by_text["He had been fired a month before the shooting on Monday."] == ("2007-03-01", "2007-03-31")
    assert by_text["The shooting on Monday"] == ("2007-04-09", None)
