"""The thread map clustering hands over (cluster/threads.py): kept beside the index by
`pipeline.cluster`, read by `pipeline.analyse` without loading the index again."""

from __future__ import annotations

from pathlib import Path

import pytest
from storydesk_test_threads import FLOOD, FOLLOW_UP, QUAKE, art

from storydesk.cluster import StoryIndex
from storydesk.cluster.threads import THREAD_STATE, ThreadMap
from storydesk.settings import Settings
from storydesk.store.sqlite import open_store

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
]

OLD = [art(QUAKE, "Quake kills 13 on Iran's Qeshm island", "wire-a", "2005-11-27T16:00:00+00:00"),
       art(QUAKE, "Deadly earthquake hits Qeshm", "paper-b", "2005-11-27T17:00:00+00:00")]
NEW = [art(FOLLOW_UP, "Qeshm quake survivors still in tents", "wire-a", "2005-12-18T10:00:00+00:00"),
       art(FLOOD, "Pakistan floods death toll passes 1,100", "wire-b", "2005-12-18T11:00:00+00:00")]


def test_the_map_round_trips_and_inverts() -> None:
    m = ThreadMap.build({"t1": ["a", "b"], "t2": ["c"]})
    again = ThreadMap.from_bytes(m.to_bytes())
    assert again is not None and again.threads == m.threads
    assert again.thread_of("b") == "t1" and again.thread_of("c") == "t2" and again.thread_of("zz") is None
    assert again.stories_of("t1") == ("a", "b") and again.stories_of("nope") == ()


@pytest.mark.parametrize("blob", [None, b"", b"\xff\xfe", b"not json", b"[1, 2]", b'{"version": 99, "threads": {}}',
                                  b'{"version": 1, "threads": [1]}', b'{"version": 1, "threads": {"t": 5}}'])
def test_a_missing_or_unreadable_map_reads_as_none_or_skips_the_bad_part(blob: bytes | None) -> None:
    m = ThreadMap.from_bytes(blob)
    assert m is None or m.threads == {}


def test_moved_names_the_stories_whose_thread_changed() -> None:
    before = ThreadMap.build({"t1": ["a"], "t2": ["b", "c"], "t3": ["d"]})
    after = ThreadMap.build({"t1": ["a", "b", "c"], "t3": ["d"], "t4": ["e"]})
    assert after.moved(before) == {"b", "c"}  # "e" is new: nothing stored names a thread for it
    assert after.moved(before, ["a", "b"]) == {"b"}


def test_the_index_map_agrees_with_thread_of() -> None:
    index = StoryIndex.load(None, Settings())
    index.add(OLD)
    index.add(NEW)
    m = ThreadMap.from_index(index)
    stories = {index.assignment(a.id).story for a in OLD + NEW}
    assert set(m._thread_of) == stories == set(index.members)
    assert all(m.thread_of(s) == index.thread_of(s) for s in stories)
    quake, later = index.assignment(OLD[0].id).story, index.assignment(NEW[0].id).story
    assert m.stories_of(index.thread_of(quake)) == (quake, later)  # first-opened first


def test_analyse_reads_the_handed_over_map_not_the_index(tmp_path: Path) -> None:
    from storydesk.pipeline import analyse, cluster

    settings = Settings(data_dir=tmp_path / "data")
    with open_store(settings.data_dir) as store:
        store.add_articles(OLD)
        analyse(store, settings, cluster(store, settings, [a.id for a in OLD]))
        store.add_articles(NEW)
        touched = cluster(store, settings, [a.id for a in NEW])
        threads = ThreadMap.from_bytes(store.get_state(THREAD_STATE))
        assert threads is not None
        index = StoryIndex.load(store.get_state("cluster"), settings)
        # an unreadable clustering state: analysing must not need it
        store.put_state("cluster", b"not an index")
        got = {s.id: s.thread for s in analyse(store, settings, touched)}
    assert got and all(t == index.thread_of(s) == threads.thread_of(s) for s, t in got.items())
    quake, later = index.assignment(OLD[0].id).story, index.assignment(NEW[0].id).story
    assert got[later] == index.thread_of(quake)  # the follow-up names the quake's thread
