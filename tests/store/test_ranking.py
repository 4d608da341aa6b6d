"""The story list's order (coverage and recency, undated last), pages, date filters and staleness."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from storydesk.errors import NotFound, UsageError
from storydesk.records import Discrepancy, DiscrepancyValue, Story, StoryArticle
from storydesk.store import open_store, parse_day
from storydesk.store.migrations import MIGRATIONS, SCHEMA_VERSION, _statements
from storydesk.store.ranking import Ranking, rank_key


def story(sid: str, sources: int, last: str | None, first: str | None = None, conflicts: int = 0) -> Story:
    arts = tuple(StoryArticle(f"{sid}-{k}", f"Outlet {k}", "T", None, last) for k in range(sources))
    values = (DiscrepancyValue("7", "seven died", (arts[0].id,)), DiscrepancyValue("9", "nine died", (arts[-1].id,)))
    return Story(id=sid, title=f"Story {sid}", articles=arts, first_seen=first or last, last_seen=last,
                 article_count=sources, outlet_count=sources, independent_sources=sources,
                 discrepancies=tuple(Discrepancy("number", "people killed", values) for _ in range(conflicts)))


def ids(rows: list[dict[str, object]]) -> list[object]:
    return [r["id"] for r in rows]


def test_biggest_live_story_first_and_undated_last(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        s.put_stories([
            story("undated-big", 30, None),
            story("old-giant", 28, "2024-01-10T12:00:00+00:00"),       # 8 days before the newest
            story("today-small", 2, "2024-01-18T09:00:00+00:00"),
            story("today-big", 12, "2024-01-18T08:00:00+00:00"),
            story("yesterday-big", 20, "2024-01-17T08:00:00+00:00"),  # 20 a day older ~ 10 today
            story("undated-small", 1, None),
        ])
        assert ids(s.list_stories()) == ["today-big", "yesterday-big", "today-small", "old-giant",
                                         "undated-big", "undated-small"]


def test_a_future_date_cannot_pin_a_story_to_the_top() -> None:
    now = "2024-01-18T00:00:00+00:00"
    assert rank_key(1, "2099-01-01", now=now) == rank_key(1, now, now=now)
    assert rank_key(3, "not a date") is None and rank_key(3, None) is None
    # a bigger half-life favours coverage over recency
    slow = Ranking(half_life_days=10)
    assert rank_key(20, "2024-01-17", ranking=slow) > rank_key(2, "2024-01-18", ranking=slow)  # type: ignore[operator]


def test_pages_cover_every_story_once_in_order(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        s.put_stories([story(f"s{i:03d}", 1 + i % 7, f"2024-01-{1 + i % 28:02d}" if i % 5 else None)
                       for i in range(120)])
        whole = ids(s.list_stories())
        pages = [ids(s.list_stories(limit=25, offset=o)) for o in range(0, 125, 25)]
        assert [len(p) for p in pages] == [25, 25, 25, 25, 20]
        assert [sid for p in pages for sid in p] == whole and len(set(whole)) == 120
        assert ids(s.list_stories(offset=100)) == whole[100:]
        assert s.count_stories() == 120
        assert s.count_stories(since="2024-01-01") == len(s.list_stories(since="2024-01-01")) == 96


def test_date_filters_leave_out_undated_stories(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        s.put_stories([story("dated", 2, "2024-01-18"), story("undated", 3, None)])
        assert ids(s.list_stories(since="2030-01-01")) == []
        assert ids(s.list_stories(until="2000-01-01")) == []
        assert ids(s.list_stories(since="2024-01-01")) == ["dated"]
        assert ids(s.list_stories(until="2024-12-31")) == ["dated"]
        assert ids(s.list_stories()) == ["dated", "undated"]
        s.put_stories([story("late", 1, "2024-01-19T23:59:59.750+00:00")])
        assert ids(s.list_stories(since="2024-01-19", until="2024-01-19")) == ["late"]
        assert ids(s.list_stories(until="2024-01-18")) == ["dated"]


def test_rows_carry_outlets_and_conflicts(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        s.put_stories([story("s1", 3, "2024-01-18", first="2024-01-16", conflicts=2)])
        (row,) = s.list_stories()
        assert row["outlets"] == ["Outlet 0", "Outlet 1", "Outlet 2"]
        assert row["conflicts"] == 2 and row["first_seen"] == "2024-01-16" and row["last_seen"] == "2024-01-18"


def test_not_found_hint_names_the_real_command(tmp_path: Path) -> None:
    with open_store(tmp_path) as s, pytest.raises(NotFound, match=r"list them with `storydesk stories`\)$"):
        s.get_story("nope")
    with open_store(tmp_path) as s, pytest.raises(NotFound, match=r"`storydesk articles`"):
        s.get_article("nope")


def test_stale_stories_are_those_made_with_other_settings(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        s.put_stories([story("a", 1, None)], analysed_with="brief_words=50")
        s.put_stories([story("b", 1, None)], analysed_with="brief_words=120")
        s.put_stories([story("c", 1, None)])
        assert s.stale_stories(["a", "b", "c", "missing"], "brief_words=120") == {"a", "c"}


def test_migration_ranks_the_stories_of_a_version_2_store(tmp_path: Path) -> None:
    old = [story("small", 1, "2024-01-18"), story("big", 9, "2024-01-18", conflicts=1), story("undated", 5, None)]
    conn = sqlite3.connect(tmp_path / "storydesk.db")
    for script in MIGRATIONS[:2]:
        for stmt in _statements(script):
            conn.execute(stmt)
    conn.execute("PRAGMA user_version = 2")
    for st in old:
        conn.execute("INSERT INTO stories (id, title, last_seen, article_count, outlet_count, data, updated_at,"
                     " independent_sources) VALUES (?,?,?,?,?,?,?,?)",
                     (st.id, st.title, st.last_seen, st.article_count, st.outlet_count,
                      json.dumps(st.to_dict()), "2024-02-01T00:00:00+00:00", st.independent_sources))
    conn.commit()
    conn.close()
    with open_store(tmp_path, readonly=True) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert ids(s.list_stories()) == ["big", "small", "undated"]
        assert [r["conflicts"] for r in s.list_stories()] == [1, 0, 0]


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-01-18", "2024-01-18"), ("today", "2024-01-19"), ("Yesterday", "2024-01-18"),
    ("3 days ago", "2024-01-16"), ("7d", "2024-01-12"), ("1 day", "2024-01-18"), ("", None), (None, None),
])
def test_parse_day_reads_dates_and_words(text: str | None, expected: str | None) -> None:
    assert parse_day("since", text, today=date(2024, 1, 19)) == expected


@pytest.mark.parametrize("text", ["18-01-2024", "2024-02-30", "last week", "999999 days ago"])
def test_parse_day_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(UsageError, match="since"):
        parse_day("since", text, today=date(2024, 1, 19))
