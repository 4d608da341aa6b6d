"""The Python API: `storydesk.analyse(documents)` in memory, `storydesk.Desk(path)` over a store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import storydesk
from storydesk import Desk, Settings, Skip, Story, analyse
from storydesk.errors import StoreError, UsageError

EXPORTED = {
    "Article", "Assignment", "BriefSentence", "Claim", "CrossCheck", "Desk", "Discrepancy", "DiscrepancyValue",
    "Document", "Entity", "Exclusive", "Passage", "Provenance", "Quote", "RawDocument", "Removed", "RunSummary",
    "Sentence", "Settings", "Skip", "Story", "StoryArticle", "TimelineEvent", "__version__", "analyse",
}


def test_exported_members() -> None:
    """A change of the public shape is deliberate: this list changes with it (httpx's test)."""
    assert storydesk.__all__ == sorted(storydesk.__all__)
    assert set(storydesk.__all__) == EXPORTED
    assert all(hasattr(storydesk, name) for name in storydesk.__all__)


def seed_dicts(seeds_dir: Path) -> list[dict[str, str]]:
    """The seed articles as JSONL-shaped dicts, each with an outlet of its own."""
    docs = []
    for n, path in enumerate(sorted(seeds_dir.glob("*.txt"))):
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        docs.append({"url": f"https://outlet{n}.example/{path.stem}", "outlet": f"Outlet {n}", "title": lines[0],
                     "text": "\n\n".join(lines[1:])})
    return docs


def test_analyse_dicts_in_memory(seeds_dir: Path, data_dir: Path, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    docs = seed_dicts(seeds_dir)
    skipped: list[Skip] = []
    stories = analyse([*docs, {"title": "no body"}, 42], skipped=skipped)  # type: ignore[list-item]
    assert stories and all(isinstance(s, Story) for s in stories)
    assert sum(s.article_count for s in stories) == len(docs)
    assert {a.outlet for s in stories for a in s.articles} == {d["outlet"] for d in docs}
    for s in stories:  # every brief sentence cites articles of its own story
        ids = {a.id for a in s.articles}
        assert s.brief and all(b.sources and set(b.sources) <= ids for b in s.brief)
    # the two bad documents are named, with a reason; the good ones went on
    assert [(k.source, k.reason) for k in skipped] == [("documents item 6", "bad-record"),
                                                      ("documents item 7", "bad-record")]
    # in memory: no store on disk, neither in STORYDESK_DATA nor in the working directory
    assert not data_dir.exists() and list(tmp_path.iterdir()) == []


def test_analyse_paths_gives_the_runs_stories(seeds_dir: Path, seeds_run: tuple[Path, Path]) -> None:
    expected = json.loads((seeds_run[1] / "stories.json").read_text(encoding="utf-8"))["stories"]
    got = analyse([seeds_dir], Settings.from_env())
    assert sorted(s.id for s in got) == sorted(s["id"] for s in expected)
    by_id = {s["id"]: s for s in expected}
    for s in got:
        assert s.to_dict()["brief"] == by_id[s.id]["brief"]


def test_a_dict_and_its_jsonl_line_are_one_article(tmp_path: Path) -> None:
    doc = {"url": "https://daily.example/dam", "outlet": "Daily", "title": "Dam bursts in the valley",
           "published": "2024-03-02T08:00:00Z",
           "text": "The old dam above the valley burst on Saturday morning, officials said. Seven villages "
                   "were evacuated and two bridges were swept away by the water."}
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    with Desk(memory=True) as desk:
        from_dict = desk.ingest(doc)
        from_file = desk.ingest(path)
        assert from_dict == from_file and len(from_dict) == 1
        art = desk.article(from_dict[0])
        assert (art.outlet, art.title, art.published[:10] if art.published else None) == (
            "Daily", doc["title"], "2024-03-02")


def test_a_missing_path_is_a_usage_error_before_anything_runs(tmp_path: Path) -> None:
    with Desk(tmp_path / "data") as desk, pytest.raises(UsageError, match=r"no such file or directory: .*nwes\.jsonl"):
        desk.ingest([{"outlet": "Daily", "text": "Some words here for the text."}, tmp_path / "nwes.jsonl"])
    with Desk(tmp_path / "data") as desk:
        assert desk.articles() == []


def test_desk_over_a_store_ingest_cluster_stories_story(seeds_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Desk(data) as desk:
        assert len(desk.ingest([seeds_dir])) == 5
        changed = desk.cluster()
        assert changed and all(isinstance(s, Story) for s in changed)
        assert desk.cluster() == []  # nothing new, nothing redone
        rows = desk.stories()
        assert [r["id"] for r in rows] == [s.id for s in changed]
        assert desk.story(rows[0]["id"][:8]).id == rows[0]["id"]
        assert desk.stories(since="2030-01-01") == []
        assert repr(desk) == f"Desk({str(data)!r})"
    # the store is on disk: a second Desk reads it, and refusing to create finds it
    with Desk(data, create=False) as again:
        assert [r["id"] for r in again.stories()] == [r["id"] for r in rows]
        assert len(again.articles()) == 5
    with pytest.raises(StoreError, match="no store at"):
        Desk(tmp_path / "mistyped", create=False)
    assert not (tmp_path / "mistyped").exists()
