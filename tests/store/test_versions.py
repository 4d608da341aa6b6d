"""Article versions and story history in the store (issue 25).

A re-ingested URL whose text changed is a second article (ids come from content) marked as the
newest version of the page; stories read only the newest; every changed analysis of a story is
kept with its time.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from storydesk.records import Article, Assignment, Provenance, Story, StoryArticle, content_id
from storydesk.store import open_store
from storydesk.store.migrations import MIGRATIONS, SCHEMA_VERSION, _statements
from storydesk.store.versions import article_identity


def page(url: str | None, text: str, outlet: str = "Daily Planet", fetched: str | None = None) -> Article:
    prov = Provenance(source="feed.jsonl", fmt="jsonl", fetched=fetched)
    return Article(id=content_id(url, text), outlet=outlet, title="Quake", url=url, published="2024-03-04T09:00:00Z",
                   language="en", raw_text=text, text=text, provenance=prov)


def test_identity_is_the_page_url_without_fragment_and_never_a_front_page() -> None:
    assert article_identity("HTTPS://News.Example/2024/quake#comments") == "https://news.example/2024/quake"
    assert article_identity("https://news.example/story?id=7") == "https://news.example/story?id=7"
    # a canonical link at the front page would make every article of a site one page
    assert article_identity("https://news.example/") is None
    assert article_identity("https://news.example") is None
    assert article_identity(None) is None and article_identity("  ") is None


def test_a_changed_text_of_one_url_is_kept_and_the_newest_is_what_a_story_reads(tmp_path: Path) -> None:
    v1 = page("https://planet.example/quake", "The quake killed 12 people, officials said.")
    v2 = page("https://planet.example/quake", "The quake killed 15 people, officials said.")
    other = page("https://post.example/quake", "Twelve people died in the quake.", outlet="Morning Post")
    with open_store(tmp_path) as s:
        assert s.add_articles([v1, other]) == [v1.id, other.id]
        s.set_assignments([Assignment(v1.id, "s1"), Assignment(other.id, "s1")])
        assert s.add_articles([v2]) == [v2.id]
        # clustering takes the newer text for a copy of the older one
        s.set_assignments([Assignment(v2.id, "s1", syndicated_from=v1.id)])
        assert s.count_articles() == 3  # both texts kept
        versions = s.article_versions(v1.id)
        assert [v.id for v in versions] == [v1.id, v2.id]
        assert versions[0].superseded_by == v2.id and versions[1].superseded_by is None
        assert all(v.seen for v in versions)
        assert s.earlier_versions([v2.id]) == [v1.id]
        got = s.assignments_of_stories(["s1"])
        assert set(got) == {other.id, v2.id}  # the older text left the story
        assert got[v2.id].syndicated_from is None  # a page is not a copy of its own older text
        rows = {r["id"]: r["story"] for r in s.list_articles()}
        assert rows == {v1.id: None, other.id: "s1", v2.id: "s1"}  # the older text is in no story
        assert {r["id"] for r in s.list_articles(story="s1")} == {other.id, v2.id}
        # re-ingesting the old text changes nothing: it is stored, and stays the older version
        assert s.add_articles([v1]) == []
        assert s.versions_of([v1.id])[v1.id].superseded_by == v2.id


def test_a_copy_of_an_older_text_counts_as_a_copy_of_the_newest(tmp_path: Path) -> None:
    v1 = page("https://wire.example/a/quake", "Wire: the quake killed 12 people.", outlet="Wire")
    copy = page("https://herald.example/quake", "Wire: the quake killed 12 people.", outlet="Herald")
    v2 = page("https://wire.example/a/quake", "Wire: the quake killed 15 people.", outlet="Wire")
    with open_store(tmp_path) as s:
        s.add_articles([v1, copy, v2])
        s.set_assignments([Assignment(v1.id, "s1"), Assignment(copy.id, "s1", v1.id), Assignment(v2.id, "s1", v1.id)])
        got = s.assignments_of_stories(["s1"])
        assert got[copy.id].syndicated_from == v2.id and got[v2.id].syndicated_from is None


def test_pages_without_identity_are_never_versions_of_each_other(tmp_path: Path) -> None:
    a = page(None, "First text file.")
    b = page(None, "Second text file.")
    c = page("https://planet.example/", "Front page one.")
    d = page("https://planet.example/", "Front page two.")
    with open_store(tmp_path) as s:
        s.add_articles([a, b, c, d])
        assert all(v.superseded_by is None for v in s.versions_of([a.id, b.id, c.id, d.id]).values())


def test_an_older_capture_ingested_late_does_not_replace_the_newer_text(tmp_path: Path) -> None:
    today = page("https://planet.example/quake", "Fifteen killed.", fetched="2024-03-05T10:00:00Z")
    yesterday = page("https://planet.example/quake", "Twelve killed.", fetched="2024-03-04T10:00:00Z")
    with open_store(tmp_path) as s:
        s.add_articles([today])
        s.add_articles([yesterday])
        got = s.versions_of([today.id, yesterday.id])
        assert got[today.id].superseded_by is None and got[yesterday.id].superseded_by == today.id


def _story(title: str, *ids: str) -> Story:
    return Story(id="s1", title=title, articles=tuple(StoryArticle(i, "Daily", "T", None, None) for i in ids),
                 article_count=len(ids))


def test_each_changed_analysis_of_a_story_is_kept_with_its_time(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        s.put_stories([_story("Quake", "a1")])
        s.put_stories([_story("Quake", "a1")])  # the same analysis again: no new version
        s.put_stories([_story("Quake kills 15", "a1", "a2")])
        versions = s.story_versions("s1")
        assert [v.version for v in versions] == [1, 2]
        assert versions[0].analysed_at < versions[1].analysed_at  # microseconds keep them apart
        assert s.story_version("s1", 1).title == "Quake"
        assert s.story_version("s1", 2) == s.get_story("s1")
        s.delete_stories(["s1"])
        assert s.conn.execute("SELECT count(*) FROM story_versions").fetchone()[0] == 0


def test_migration_marks_older_texts_of_a_version_4_store(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "storydesk.db")
    conn.create_function("storydesk_rank", 3, lambda *_: None)  # migration 3 ranks stories (none here)
    for script in MIGRATIONS[:4]:
        for stmt in _statements(script):
            conn.execute(stmt)
    conn.execute("PRAGMA user_version = 4")
    for n, (aid, url) in enumerate([("old", "https://p.example/q"), ("new", "https://p.example/q"),
                                    ("solo", None)]):
        conn.execute("INSERT INTO articles (id, url, raw_text, text, ingested_at) VALUES (?,?,?,?,?)",
                     (aid, url, "t", "t", f"2024-01-0{n + 1}T00:00:00+00:00"))
    story = _story("Quake", "new")
    conn.execute("INSERT INTO stories (id, title, data, updated_at) VALUES (?,?,?,?)",
                 (story.id, story.title, json.dumps(story.to_dict()), "2024-01-02T00:00:00+00:00"))
    conn.commit()
    conn.close()
    with open_store(tmp_path) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        got = s.versions_of(["old", "new", "solo"])
        assert got["old"].superseded_by == "new" and got["new"].superseded_by is None
        assert got["solo"].identity is None and got["solo"].superseded_by is None
        assert [(v.version, v.analysed_at) for v in s.story_versions("s1")] == [(1, "2024-01-02T00:00:00+00:00")]
        assert s.story_version("s1", 1) == story  # copied as text by the migration
        s.put_stories([_story("Quake kills 15", "new")])  # kept compressed from now on
        assert s.story_version("s1", 2).title == "Quake kills 15" and s.story_version("s1", 1) == story


@pytest.mark.parametrize("ref", ["nope", ""])
def test_versions_of_an_unknown_article_or_story_are_a_clear_error(tmp_path: Path, ref: str) -> None:
    from storydesk.errors import NotFound, UsageError

    with open_store(tmp_path) as s:
        with pytest.raises((NotFound, UsageError)):
            s.article_versions(ref)
        with pytest.raises((NotFound, UsageError)):
            s.story_versions(ref)
        with pytest.raises(NotFound):
            s.story_version("s1", 1)
