"""Event time as evidence, and stories that heal: real StoryIndex, real MiniLM, texts written here
(the quakes and the dairy fire are written for these tests) and ECB+ train documents."""

from __future__ import annotations

import dataclasses
import gzip
import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storydesk.cluster import StoryIndex
from storydesk.cluster.eventtime import EventTimeConfig, event_span, gap_days, time_factor
from storydesk.cluster.stories import CLUSTER_CONFIG, ClusterConfig, HealConfig
from storydesk.records import Article, content_id
from storydesk.settings import Settings

pytestmark = [
    # torch/transformers import-time deprecations in the embedder's dependencies, not ours
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
]


def art(text: str, *, title: str | None = None, outlet: str | None = None,
        published: str | None = None) -> Article:
    return Article(id=content_id(outlet or "", title, text, published), outlet=outlet, title=title, url=None,
                   published=published, language="en", raw_text=text, text=text)


def ts(iso: str) -> float:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp()


def day(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).date().isoformat()


# ----------------------------------------------------------------------------- event_span


def test_a_follow_up_names_the_day_its_event_happened() -> None:
    # published Thursday 9 August 2012; "on Tuesday" is 7 August
    span = event_span("Arson suspected in dairy fire", "Investigators said on Wednesday that the fire "
                      "that destroyed the dairy on Tuesday was set.", ts("2012-08-09T15:00:00"))
    assert span is not None
    assert day(span[0]) == "2012-08-07" and day(span[1]) == "2012-08-09"


def test_a_background_date_in_the_lead_is_not_the_event() -> None:
    # the 2005 quake is background for a 2008 report: the interval is the publication day
    span = event_span("Quake hits Qeshm", "The quake struck on Wednesday, three years after the "
                      "November 27, 2005 quake that killed 13.", ts("2008-09-10T12:00:00"))
    assert span is not None and day(span[0]) == "2008-09-10"


def test_without_publication_time_only_a_date_with_its_year_counts() -> None:
    assert event_span(None, "Reid checked herself in on Tuesday.", None) is None
    assert event_span(None, "It happened in 2008, sources say.", None) is None  # a bare year
    span = event_span(None, "Reid checked herself in on Tuesday, December 9, 2008.", None)
    assert span is not None and day(span[0]) == "2008-12-09"


def test_bad_published_values_and_empty_text_do_not_crash() -> None:
    assert event_span(None, "", None) is None
    assert event_span("", "", 1e20) is None  # past the calendar's end
    span = event_span(None, "", ts("2024-01-18T10:00:00"))
    assert span is not None and day(span[0]) == "2024-01-18"


def test_time_factor_keeps_a_few_days_and_decays_beyond() -> None:
    cfg = EventTimeConfig()
    a = (ts("2024-01-01T00:00:00"), ts("2024-01-01T12:00:00"))
    assert gap_days(a, None) is None
    assert time_factor(None, True, cfg) == 1.0
    assert time_factor(gap_days(a, (ts("2024-01-03T00:00:00"),) * 2), True, cfg) == 1.0
    assert time_factor(gap_days(a, (ts("2024-01-20T00:00:00"),) * 2), True, cfg) < 0.01
    # dated by text alone, only what lies years apart is split
    assert time_factor(40.0, False, cfg) == 1.0
    assert time_factor(3 * 365.0, False, cfg) < 0.1


# ----------------------------------------------------------------------------- clustering

QUAKE_2005 = ("A strong earthquake struck Qeshm island in southern Iran's Hormozgan province on {when}, "
              "killing at least 13 people and injuring dozens, Iranian state media said. The magnitude 5.9 "
              "quake destroyed homes in villages across the island in the Strait of Hormuz, and rescue "
              "teams from Bandar Abbas searched the rubble through the night.")
QUAKE_2008 = ("An earthquake of magnitude 6.1 hit Qeshm island off southern Iran on {when}, leaving at least 7 "
              "people dead and dozens injured in Hormozgan province, according to Iranian state media. Houses "
              "collapsed in several villages on the island in the Strait of Hormuz while rescue workers from "
              "Bandar Abbas dug through the rubble overnight.")


def _quakes(dated_by: str) -> tuple[list[Article], list[Article]]:
    if dated_by == "published":
        old = [art(QUAKE_2005.format(when="Sunday"), title=t, outlet=o, published="2005-11-27T16:00:00+00:00")
               for t, o in (("Quake kills 13 on Iran's Qeshm island", "wire-a"),
                            ("Deadly earthquake hits Qeshm", "paper-b"))]
        new = [art(QUAKE_2008.format(when="Wednesday"), title=t, outlet=o, published="2008-09-10T16:00:00+00:00")
               for t, o in (("Quake kills 7 on Iran's Qeshm island", "wire-a"),
                            ("Deadly earthquake hits Qeshm", "paper-c"))]
    else:  # no publication times: the dates the texts give
        old = [art(QUAKE_2005.format(when="November 27, 2005") + s, outlet=o)
               for s, o in ((" Aid arrived by boat.", "wire-a"), (" Schools were closed.", "paper-b"))]
        new = [art(QUAKE_2008.format(when="September 10, 2008") + s, outlet=o)
               for s, o in ((" Aid arrived by boat.", "wire-a"), (" Schools were closed.", "paper-c"))]
    return old, new


@pytest.mark.parametrize("dated_by", ["published", "text"])
def test_look_alike_events_years_apart_never_share_a_story(dated_by: str) -> None:
    old, new = _quakes(dated_by)
    for batches in ([old + new], [old, new]):
        index = StoryIndex.load(None, Settings())
        got: dict[str, str] = {}
        for b in batches:
            got.update({x.article: x.story for x in index.add(b)})
        assert {got[a.id] for a in old}.isdisjoint({got[a.id] for a in new}), batches
        assert len({got[a.id] for a in old}) == 1 and len({got[a.id] for a in new}) == 1
    # the words alone would have joined them: without the event times they share one story
    timeless = dataclasses.replace(CLUSTER_CONFIG, event_time=EventTimeConfig(
        window_days=1e9, text_window_days=1e9))
    index = StoryIndex.load(None, Settings(), config=timeless)
    got = {x.article: x.story for x in index.add(old + new)}
    assert len({got[a.id] for a in old + new}) == 1


FIRE = [
    ("Fire destroys historic Matanuska Maid dairy building in Palmer", "2012-08-07T18:00:00+00:00",
     "A pre-dawn fire on Tuesday destroyed the historic Matanuska Maid dairy building in Palmer, Alaska. "
     "Firefighters from the Mat-Su borough fought the blaze for hours; no one was hurt. The warehouse "
     "was one of the last buildings left from the Matanuska Colony."),
    ("Arson suspected in Palmer dairy blaze", "2012-08-08T17:00:00+00:00",
     "Investigators said on Wednesday that the fire that destroyed the old Matanuska Maid dairy building "
     "in Palmer, Alaska, on Tuesday was set deliberately. The state fire marshal's office is leading the "
     "inquiry into the blaze at the Mat-Su landmark."),
    ("Man charged with setting fire to Mat Maid building", "2012-08-09T20:00:00+00:00",
     "Alaska State Troopers on Thursday charged a Palmer man with arson in Tuesday's fire at the "
     "Matanuska Maid dairy building. Troopers said the man was seen near the Palmer warehouse shortly "
     "before the fire was reported."),
]


def test_one_event_over_three_days_with_different_headlines_is_one_story() -> None:
    reports = [art(text, title=title, outlet=f"outlet-{k}", published=when)
               for k, (title, when, text) in enumerate(FIRE)]
    index = StoryIndex.load(None, Settings())
    for r in reports:  # one report a day, each in its own batch
        index.add([r])
    assert len({index.assignment(r.id).story for r in reports}) == 1


# ----------------------------------------------------------------------------- healing


@pytest.fixture(scope="module")
def ecb_train(data_root: Path) -> list[dict]:
    with gzip.open(data_root / "ecbplus-events" / "docs.jsonl.gz", "rt", encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh]
    return [d for d in docs if d["split"] == "train" and d["topic"] in (28, 30)]


def topic(docs: list[dict], t: int) -> list[dict]:
    return [d for d in docs if d["topic"] == t]


def _stream(docs: list[dict], batch: int, config: ClusterConfig | None = None
            ) -> tuple[StoryIndex, list[str]]:
    order = list(docs)
    random.Random(2).shuffle(order)
    index = StoryIndex.load(None, Settings(), config=config)
    seen: list[str] = []
    for s in range(0, len(order), batch):
        part = [Article(id=d["doc_id"], outlet=None, title=None, url=None, published=None, language="en",
                        raw_text=d["text"], text=d["text"]) for d in order[s : s + batch]]
        seen += [x.story for x in index.add(part)]
    return index, seen


def _mixed(index: StoryIndex, docs: list[dict]) -> int:
    """Stories holding articles of more than one ECB+ event."""
    gold = {d["doc_id"]: d["event_cluster"] for d in docs}
    events: dict[str, set[str]] = {}
    for aid in index.ids:
        events.setdefault(index.assignment(aid).story, set()).add(gold[aid])
    return sum(len(e) > 1 for e in events.values())


def test_small_batches_cluster_like_one_batch(ecb_train: list[dict]) -> None:
    # ECB+ train topics 28 and 30: two look-alike events each
    one, _ = _stream(ecb_train, len(ecb_train))
    small, _ = _stream(ecb_train, 4)
    frozen, _ = _stream(ecb_train, 4, dataclasses.replace(CLUSTER_CONFIG, heal=HealConfig(enabled=False)))
    assert _mixed(one, ecb_train) == 0
    assert _mixed(small, ecb_train) == 0
    assert _mixed(frozen, ecb_train) > 0  # the same stream with stories fixed once formed mixes events


def test_stories_that_turn_out_one_event_merge_and_old_ids_still_resolve(ecb_train: list[dict]) -> None:
    docs = topic(ecb_train, 30)
    index, seen = _stream(docs, 4)
    assert _mixed(index, docs) == 0
    assert len(set(index.members)) < len(set(seen)), "no story healed in this stream"
    live = set(index.members)
    assert index.aliases and set(index.aliases).isdisjoint(live)
    for sid in seen:  # links users were given never break
        assert index.resolve(sid) in live
    # the aliases survive the store's round trip
    again = StoryIndex.load(index.dump(), Settings())
    assert again.aliases == index.aliases
    assert {again.resolve(s) for s in seen} <= set(again.members)
    drained = index.drain_aliases()
    assert drained and all(v in live for v in drained.values()) and index.drain_aliases() == {}


# ----------------------------------------------------------------------------- threads

QUAKE_FOLLOW_UP = ("Three weeks after a strong earthquake struck Qeshm island in southern Iran's Hormozgan "
                   "province, killing 13 people, families in the island's villages are still living in tents, "
                   "Iranian state media said. Rescue teams from Bandar Abbas have cleared the rubble and the "
                   "magnitude 5.9 quake's damage to homes is being assessed.")


def test_a_follow_up_weeks_later_is_a_new_story_of_the_same_thread() -> None:
    old, _ = _quakes("published")
    later = art(QUAKE_FOLLOW_UP, title="Qeshm quake survivors still in tents", outlet="wire-a",
                published="2005-12-18T10:00:00+00:00")
    other = art("Floods across Pakistan's Sindh province have killed more than 1,100 people since June, the "
                "National Disaster Management Authority said, as the army rescued families near Sukkur.",
                title="Pakistan floods death toll passes 1,100", outlet="wire-b",
                published="2005-12-18T11:00:00+00:00")
    index = StoryIndex.load(None, Settings())
    index.add(old)
    index.add([later, other])
    s_old, s_later, s_other = (index.assignment(a.id).story for a in (old[0], later, other))
    assert s_old != s_later  # weeks apart: a development, not the same report
    assert index.thread_of(s_old) == index.thread_of(s_later)
    assert index.thread_of(s_other) not in (index.thread_of(s_old),)
    # the thread is named by its oldest story and survives the store's round trip
    again = StoryIndex.load(index.dump(), Settings())
    assert again.thread_of(s_later) == index.thread_of(s_old) == again.thread_of(s_old)


def test_copies_stay_with_their_original_when_stories_reopen(ecb_train: list[dict]) -> None:
    # topic 28 streamed in batches of 4, with an exact copy of every third document arriving two
    # batches after it: reopening clusters a stored copy with its group, never apart
    docs = topic(ecb_train, 28)
    arts = [Article(id=d["doc_id"], outlet="site", title=None, url=None, published=None, language="en",
                    raw_text=d["text"], text=d["text"]) for d in docs]
    copies = {a.id: dataclasses.replace(a, id=a.id + "-copy", outlet="mirror") for a in arts[::3]}
    stream: list[list[Article]] = [arts[s : s + 4] for s in range(0, len(arts), 4)]
    for k in range(len(stream)):
        stream[k] += [copies[a.id] for a in (stream[k - 2] if k >= 2 else []) if a.id in copies]
    index = StoryIndex.load(None, Settings())
    for batch in stream:
        index.add(batch)
    for orig_id, copy in copies.items():
        if copy.id not in index.pos:
            continue  # its original sat in one of the last two batches
        got = index.assignment(copy.id)
        assert got.syndicated_from == orig_id
        assert got.story == index.assignment(orig_id).story
    assert sum(c.id in index.pos for c in copies.values()) >= 4
