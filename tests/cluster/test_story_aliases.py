"""A story merged away by clustering keeps its id as an alias in the store (real SQLite store)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storydesk.errors import NotFound
from storydesk.records import Story
from storydesk.store.sqlite import open_store


def story(sid: str, title: str) -> Story:
    return Story(id=sid, title=title, articles=(), keywords=(), first_seen=None, last_seen=None,
                 article_count=0, outlet_count=0, independent_sources=0)


def test_a_merged_away_story_id_opens_the_story_it_went_into(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        store.put_stories([story("s-keep", "Quake hits Qeshm"), story("s-last", "Qeshm quake toll rises")])
        store.put_story_aliases({"s-gone": "s-keep"})
        assert store.get_story("s-gone").id == "s-keep"
        # s-keep itself is merged into s-last later: the older alias follows it
        store.put_story_aliases({"s-keep": "s-last"})
        assert store.get_story("s-gone").id == "s-last"
        assert store.get_story("s-keep").id == "s-keep"  # a live story wins over its alias
        # an id that names a story again is no alias any more
        store.put_story_aliases({"s-other": "s-gone"})
        store.put_story_aliases({})
        with pytest.raises(NotFound):
            store.get_story("s-unknown")
        # an alias whose story was never written is NotFound, not a crash
        with pytest.raises(NotFound):
            store.get_story("s-other")
