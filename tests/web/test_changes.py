"""Following a story over time (issue 25), end to end on a real store.

Version 1: three outlets report an earthquake's toll as 12. Version 2: one outlet silently edits
its article (same URL) to 15, and a fourth outlet joins. `storydesk changes --since` (between the
two) lists exactly that revision (old and new value, sentence and time, marked a correction) and
the new outlet; `/api/stories/{id}/changes` gives the same document; the story page's "What
changed" panel shows it in real Chromium, remembering the last visit in the browser only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from storydesk_test_browsing import NEEDS_CHROMIUM, Served, new_page
from storydesk_test_quake import VERSION_1, VERSION_2

from storydesk.cli import main


def ingest(data_dir: Path, docs: list[dict[str, str]]) -> str:
    """Ingest, cluster and analyse `docs` into the store; return the id of the one story."""
    import storydesk

    with storydesk.Desk(data_dir) as desk:
        desk.ingest(docs)
        desk.cluster()
        rows = desk.stories()
    assert len(rows) == 1, rows
    return str(rows[0]["id"])


@pytest.fixture(scope="module")
def versioned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """(data dir, story id, a time between the two versions' analyses)."""
    data_dir = tmp_path_factory.mktemp("versions") / "data"
    sid = ingest(data_dir, VERSION_1)
    between = datetime.now(UTC).isoformat()
    assert ingest(data_dir, VERSION_2) == sid
    return data_dir, sid, between


def sd(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def check_changes(ch: dict[str, Any]) -> None:
    """The revised toll (old/new value, sentences, times, a correction) and the new outlet, no more."""
    assert [o["outlet"] for o in ch["new_outlets"]] == ["Coast Herald"]
    assert ch["new_outlets"][0]["published"].startswith("2024-03-04T15:00") and ch["new_outlets"][0]["seen"]
    assert ch["dropped_outlets"] == []
    (rev,) = ch["revised_values"]
    assert (rev["outlet"], rev["kind"], rev["old"], rev["new"], rev["correction"]) == (
        "Daily Planet", "number", "12", "15", True)
    assert "killing 12 people" in rev["old_text"] and "killing 15 people" in rev["new_text"]
    assert rev["old_seen"] and rev["new_seen"] and rev["old_seen"] <= rev["new_seen"]
    assert rev["old_sources"] != rev["new_sources"]
    # the toll fact was there before: no number fact is new, and the edit is the one updated article
    assert [f for f in ch["new_facts"] if f["kind"] == "number"] == []
    assert [u["outlet"] for u in ch["updated_articles"]] == ["Daily Planet"]
    assert ch["baseline"]["version"] == 1 and ch["latest"]["version"] == 2


def test_the_story_reads_only_the_newest_text_of_each_page(versioned: tuple[Path, str, str]) -> None:
    from storydesk.store import open_store

    data_dir, sid, _ = versioned
    with open_store(data_dir, readonly=True) as store:
        story = store.get_story(sid)
        assert store.count_articles() == 5  # both texts of the edited page are kept
        assert sorted(a.outlet or "" for a in story.articles) == [
            "Coast Herald", "Daily Planet", "Evening Star", "Morning Post"]
        (toll,) = [f for f in story.facts if f.kind == "number" and f.subject == "people killed"]
        assert {c.outlet: c.value for c in toll.cells}["Daily Planet"] == "15"


def test_changes_since_lists_the_revised_toll_and_the_new_outlet(
        versioned: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    data_dir, sid, between = versioned
    code, out, err = sd(capsys, "changes", sid, "--since", between, "--json", "--data", data_dir)
    assert code == 0, err
    check_changes(json.loads(out))
    code, out, _ = sd(capsys, "changes", sid, "--since", between, "--data", data_dir)
    assert code == 0
    assert "Daily Planet 12 -> 15 (correction: the outlet edited its article)" in out
    assert "+ Coast Herald (1 article; published 2024-03-04T15:00" in out


def test_since_last_read_remembers_what_was_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = tmp_path / "data"
    sid = ingest(data_dir, VERSION_1)
    code, out, _ = sd(capsys, "changes", sid, "--data", data_dir)  # never read: since the first analysis
    assert code == 0 and "Nothing changed." in out
    ingest(data_dir, VERSION_2)
    code, out, _ = sd(capsys, "changes", sid, "--since", "last-read", "--json", "--data", data_dir)
    assert code == 0
    check_changes(json.loads(out))
    code, out, _ = sd(capsys, "changes", sid, "--data", data_dir)  # read once: nothing new since
    assert code == 0 and "Nothing changed." in out


def test_bad_since_and_unknown_story_are_clear_errors(versioned: tuple[Path, str, str],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    data_dir, sid, _ = versioned
    code, _, err = sd(capsys, "changes", sid, "--since", "soon", "--data", data_dir)
    assert code == 2 and "--since takes an ISO time" in err
    code, _, err = sd(capsys, "changes", "ffffffff", "--data", data_dir)
    assert code == 1 and "no story with id 'ffffffff'" in err


def test_api_gives_the_same_changes_and_one_error_shape(versioned: tuple[Path, str, str]) -> None:
    from fastapi.testclient import TestClient

    from storydesk.web import create_app

    data_dir, sid, between = versioned
    with TestClient(create_app(data_dir)) as client:
        r = client.get(f"/api/stories/{sid}/changes", params={"since": between})
        assert r.status_code == 200
        check_changes(r.json())
        latest = client.get(f"/api/stories/{sid}/changes").json()  # no since: what the last analysis changed
        assert latest["revised_values"] == r.json()["revised_values"]
        now = client.get(f"/api/stories/{sid}/changes", params={"since": r.json()["latest"]["analysed_at"]})
        assert now.status_code == 200 and now.json()["revised_values"] == [] and now.json()["new_outlets"] == []
        bad = client.get(f"/api/stories/{sid}/changes", params={"since": "soon"})
        assert bad.status_code == 400 and bad.json()["ok"] is False and "since" in bad.json()["error"]
        gone = client.get("/api/stories/ffffffff/changes")
        assert gone.status_code == 404 and gone.json()["ok"] is False


@pytest.fixture()
def page_store(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    data_dir = tmp_path / "data"
    yield data_dir, ingest(data_dir, VERSION_1)


def in_chromium(fn: Any) -> Any:
    """The browser marks of tests/web/browsing.py (skipped, with the reason, without chromium)."""
    for mark in NEEDS_CHROMIUM:
        fn = mark(fn)
    return fn


@in_chromium
def test_story_page_shows_what_changed_since_the_last_visit(browser, page_store) -> None:  # type: ignore[no-untyped-def]
    data_dir, sid = page_store
    with Served(data_dir) as srv:
        ctx, page = new_page(browser)
        panel = page.locator("#changes")
        page.goto(f"{srv.url}/stories/{sid}")
        key = f"storydesk:last-visit:{sid}"
        page.wait_for_function(f"window.localStorage.getItem('{key}') !== null")
        assert panel.is_hidden()  # a first visit has nothing to compare with
        ingest(data_dir, VERSION_2)  # the story moves on while the reader is away
        page.reload()
        panel.get_by_text("Revised values (1)").wait_for()
        text = panel.inner_text()
        assert "people killed: Daily Planet 12 → 15" in text
        assert "correction: the outlet edited its article" in text
        assert "before: A strong earthquake struck the mountain province of Vell early on Monday, killing 12" in text
        assert "New outlets (1)" in text and "Coast Herald joined with 1 article" in text
        assert panel.locator("span.old").inner_text() == "12" and panel.locator("span.new").inner_text() == "15"
        stored = page.evaluate(f"window.localStorage.getItem('{key}')")
        assert stored and stored.startswith(datetime.now(UTC).strftime("%Y-"))
        page.reload()  # seen now: nothing new since
        panel.get_by_text("Nothing has changed since your last visit").wait_for()
        assert page.errors == []
        assert all(u.startswith(srv.url) for u in page.requests), page.requests
        ctx.close()


def test_article_page_lists_the_versions_of_its_page(versioned: tuple[Path, str, str]) -> None:
    from fastapi.testclient import TestClient

    from storydesk.store import open_store
    from storydesk.web import create_app

    data_dir, _, _ = versioned
    with open_store(data_dir, readonly=True) as store:
        planet = [r["id"] for r in store.list_articles(outlet="Daily Planet")]
        versions = store.article_versions(planet[0])
    assert [v.id for v in versions] == planet and len(planet) == 2
    old, new = planet
    with TestClient(create_app(data_dir)) as client:
        page = client.get(f"/articles/{old}").text
        assert "Versions of this page (2)" in page
        assert f'the story reads its <a href="/articles/{new}">newest text</a>' in page
        newest = client.get(f"/articles/{new}").text
        assert "Versions of this page (2)" in newest and "earlier text" not in newest
        single = client.get(f"/articles/{store_id(data_dir, 'Coast Herald')}").text
        assert "Versions of this page" not in single


def store_id(data_dir: Path, outlet: str) -> str:
    from storydesk.store import open_store

    with open_store(data_dir, readonly=True) as store:
        return str(store.list_articles(outlet=outlet)[0]["id"])


@in_chromium
def test_the_panel_writes_what_came_from_articles_as_text(browser, page_store) -> None:  # type: ignore[no-untyped-def]
    evil = '<img src=x onerror="alert(1)">'
    version_2 = [dict(d) for d in VERSION_2]
    version_2[3]["outlet"] = "Coast Herald " + evil
    data_dir, sid = page_store
    with Served(data_dir) as srv:
        ctx, page = new_page(browser)
        page.goto(f"{srv.url}/stories/{sid}")
        page.wait_for_function(f"window.localStorage.getItem('storydesk:last-visit:{sid}') !== null")
        ingest(data_dir, version_2)
        page.reload()
        panel = page.locator("#changes")
        panel.get_by_text("New outlets (1)").wait_for()
        assert f"Coast Herald {evil} joined" in panel.inner_text()  # shown as text
        assert panel.locator("img").count() == 0
        assert page.errors == []  # no script ran (an alert would be recorded as a dialog)
        ctx.close()
