"""The SQLite store: idempotent inserts, id prefixes, full-text search, migrations, WAL readers."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storydesk.errors import NotFound, StoreError, UsageError
from storydesk.records import Article, Assignment, BriefSentence, Removed, Story, StoryArticle
from storydesk.store import open_store
from storydesk.store.migrations import SCHEMA_VERSION


def art(i: int, outlet: str | None = "Daily", text: str = "") -> Article:
    return Article(id=f"{i:04x}beef{i:08d}", outlet=outlet, title=f"Title {i}", url=f"https://d.x/{i}",
                   published=f"2024-01-{i % 28 + 1:02d}T00:00:00+00:00", language="en", raw_text="raw",
                   text=text or f"Body number {i} about a bridge.", removed=(Removed("fbpx", "cms-token", "t"),))


def test_add_is_idempotent_and_reports_only_new(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        assert s.add_articles([art(1), art(2), art(1)]) == [art(1).id, art(2).id]
        assert s.add_articles([art(1), art(3)]) == [art(3).id]
        assert s.count_articles() == 3
        assert s.get_article(art(2).id) == art(2)


def test_prefix_lookup_and_errors(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        s.add_articles([art(1), art(2)])
        assert s.get_article(art(1).id[:8]).id == art(1).id
        with pytest.raises(UsageError):
            s.get_article("0")  # both ids start with 000
        with pytest.raises(NotFound):
            s.get_article("ffff")


def test_full_text_search_and_filters(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        s.add_articles([art(1, text="Missiles hit Saravan."), art(2, outlet="Herald", text="A bridge reopened.")])
        assert [r["id"] for r in s.list_articles(query="sarav")] == [art(1).id]
        assert [r["id"] for r in s.list_articles(outlet="Herald")] == [art(2).id]
        # FTS syntax in user input is treated as words, not as a query language
        assert s.list_articles(query='"unbalanced AND (') == []


def test_update_refreshes_search_index(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        a = art(1, text="old words")
        s.add_articles([a])
        s.update_articles([Article(**{**a.to_dict(), "removed": (), "text": "fresh words"})])
        assert s.list_articles(query="fresh") and not s.list_articles(query="old")


def test_stories_assignments_and_state(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        s.add_articles([art(1), art(2)])
        s.set_assignments([Assignment(art(1).id, "s-a"), Assignment(art(2).id, "s-a", art(1).id)])
        s.set_assignments([Assignment(art(2).id, "s-b")])
        got = s.assignments()
        assert got[art(2).id].story == "s-b" and got[art(2).id].syndicated_from is None
        story = Story(id="s-a", title="Strikes on Saravan", last_seen="2024-01-18",
                      articles=(StoryArticle(art(1).id, "Daily", "T", None, None),), article_count=1, outlet_count=1)
        old = Story(id="s-b", title="Bridge", last_seen="2023-05-01", articles=(), article_count=1)
        s.put_stories([story, old])
        assert s.get_story("s-a") == story
        assert [r["id"] for r in s.list_stories()] == ["s-a", "s-b"]  # newest first
        assert [r["id"] for r in s.list_stories(query="saravan")] == ["s-a"]
        assert [r["id"] for r in s.list_stories(outlet="Daily")] == ["s-a"]
        assert [r["id"] for r in s.list_stories(since="2024-01-01")] == ["s-a"]
        s.delete_stories(["s-b"])
        assert s.count_stories() == 1
        s.put_state("cluster", b"\x00\x01")
        assert s.get_state("cluster") == b"\x00\x01" and s.get_state("none") is None


def test_schema_is_versioned_and_reopen_does_not_remigrate(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "storydesk.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    with open_store(tmp_path) as s:
        s.add_articles([art(1)])
    with open_store(tmp_path) as s:
        assert s.count_articles() == 1


def test_reader_sees_committed_rows_while_writer_is_open(tmp_path: Path) -> None:
    writer = open_store(tmp_path)
    writer.add_articles([art(1)])
    reader = open_store(tmp_path, readonly=True)
    assert reader.count_articles() == 1
    writer.add_articles([art(2)])
    assert reader.count_articles() == 2
    reader.close()
    writer.close()


def test_missing_or_corrupt_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="run `storydesk ingest`"):
        open_store(tmp_path / "nothing", readonly=True)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "storydesk.db").write_bytes(b"not a database" * 100)
    with pytest.raises(StoreError):
        open_store(bad)


# Run in fresh interpreters, not a multiprocessing pool: under pytest's importlib mode a pool
# worker cannot import this test module to unpickle a function from it, and the pool hangs.
_INSERT = """
import sys
from storydesk.records import Article
from storydesk.store import open_store
d, i = sys.argv[1], int(sys.argv[2])
def art(i):
    return Article(id=f"{i:04x}beef{i:08d}", outlet="Daily", title=f"Title {i}", url=f"https://d.x/{i}",
                   published=None, language="en", raw_text="raw", text=f"Body {i}")
with open_store(d) as s:
    print(len(s.add_articles([art(i), art(100)])))
"""


def test_processes_creating_one_store_at_once_do_not_collide(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", _INSERT, str(tmp_path), str(i)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for i in range(6)
    ]
    new = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        new.append(int(out.strip()))
    assert sum(new) == 7  # 6 own articles + the shared one exactly once
    with open_store(tmp_path) as s:
        assert s.count_articles() == 7


def _row(story: Story) -> dict[str, object]:
    """The `stories --json` row of a story: its summary plus the list's outlets and conflict count."""
    return {**story.summary(), "outlets": sorted({a.outlet for a in story.articles if a.outlet}),
            "conflicts": len(story.discrepancies)}


def _story(sid: str, outlets: list[str], last: str, words: str = "", keywords: tuple[str, ...] = ()) -> Story:
    arts = tuple(StoryArticle(f"{sid}-{k}", o, "T", None, None) for k, o in enumerate(outlets))
    return Story(id=sid, title=f"Story {sid} {words}".strip(), articles=arts, last_seen=last,
                 article_count=len(arts), outlet_count=len(set(outlets)), independent_sources=len(set(outlets)),
                 keywords=keywords, brief=(BriefSentence(f"Brief of {sid}.", (arts[0].id,)),))


def test_list_stories_reads_only_the_listing_columns(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        story = _story("s1", ["Daily", "Herald"], "2024-01-18", keywords=("strike", "iran"))
        s.put_stories([story])
        # a story's JSON that no longer decodes cannot break the list: it is never read there
        s.conn.execute("UPDATE stories SET data = '{not json'")
        s.conn.commit()
        assert s.list_stories() == [_row(story)]


def test_replacing_a_story_replaces_its_search_text_and_outlets(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        s.put_stories([_story("s1", ["Daily"], "2024-01-18", "saravan"), _story("s2", ["Herald"], "2024-01-17")])
        s.put_stories([_story("s1", ["Herald", "Post"], "2024-01-19", "panjgur")])
        assert [r["id"] for r in s.list_stories(query="panjgur")] == ["s1"]
        assert s.list_stories(query="saravan") == []
        assert [r["id"] for r in s.list_stories(outlet="Herald")] == ["s1", "s2"]
        assert s.list_stories(outlet="Daily") == []
        assert [r["id"] for r in s.list_stories(query="brief")] == ["s1", "s2"]
        s.delete_stories(["s1"])
        assert s.list_stories(query="panjgur") == [] and s.list_stories(outlet="Post") == []
        assert [r["id"] for r in s.list_stories(limit=5)] == ["s2"]


def test_story_list_order_uses_an_index(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        plan = " ".join(r[3] for r in s.conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM stories"
            " ORDER BY rank IS NULL, rank DESC, article_count DESC, id LIMIT 10 OFFSET 50"))
        assert "stories_ranked" in plan and "TEMP B-TREE" not in plan


@pytest.mark.parametrize("readonly", [False, True], ids=["writer", "reader"])
def test_migration_keeps_stories_of_a_version_1_store(tmp_path: Path, readonly: bool) -> None:
    """Writers and readers (the web app opens stores read-only) both see an old store upgraded."""
    from storydesk.store.migrations import MIGRATIONS, _statements

    story = _story("s1", ["Daily", "Herald"], "2024-01-18", "saravan", keywords=("strike",))
    conn = sqlite3.connect(tmp_path / "storydesk.db")
    for stmt in _statements(MIGRATIONS[0]):
        conn.execute(stmt)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO stories (id, title, last_seen, article_count, outlet_count, outlets, data, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?)",
        (story.id, story.title, story.last_seen, 2, 2, '["Daily", "Herald"]', json.dumps(story.to_dict()), "x"),
    )
    conn.execute("INSERT INTO stories_fts (story_id, title, body) VALUES ('s1', ?, 'x')", (story.title,))
    conn.commit()
    conn.close()
    with open_store(tmp_path, readonly=readonly) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert s.list_stories() == [_row(story)]
        assert [r["id"] for r in s.list_stories(outlet="Herald")] == ["s1"]
        assert [r["id"] for r in s.list_stories(query="strike")] == ["s1"]  # keywords are searchable
        assert s.get_story("s1") == story


def test_lookups_by_ids_outlet_and_story(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        s.add_articles([art(1), art(2, outlet="Herald"), art(3), art(4, outlet=None)])
        assert s.outlets_of([art(1).id, art(2).id, art(4).id, "missing"]) == ["Daily", "Herald"]
        assert s.article_ids(outlet="Daily") == [art(1).id, art(3).id]
        assert s.article_ids() == [art(i).id for i in (1, 2, 3, 4)]
        s.set_assignments([Assignment(art(1).id, "s-a"), Assignment(art(3).id, "s-a", art(1).id),
                           Assignment(art(2).id, "s-b")])
        assert set(s.assignments_of([art(3).id, art(4).id])) == {art(3).id}
        got = s.assignments_of_stories(["s-a"])
        assert list(got) == [art(1).id, art(3).id] and got[art(3).id].syndicated_from == art(1).id
