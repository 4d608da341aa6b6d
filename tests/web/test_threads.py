"""Threads on the web: a story page links to its thread, and the thread page lists the thread's
stories in time order. The store is built by the real pipeline (`cluster` + `analyse`) from texts
written for these tests: a quake, a follow-up three weeks later (a new story of the same thread,
with markup in its headline) and an unrelated flood."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from storydesk_test_browsing import NEEDS_CHROMIUM, Served, new_page
from storydesk_test_threads import FLOOD, FOLLOW_UP, QUAKE, art

from storydesk.cluster.threads import THREAD_STATE
from storydesk.records import Article
from storydesk.settings import Settings
from storydesk.store.sqlite import open_store
from storydesk.web import create_app

pytestmark = [
    # torch/transformers import-time deprecations in the embedder's dependencies, not ours
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
]

EVIL = "Qeshm quake survivors still in tents <script>alert(1)</script>"


# the follow-up is listed first, so that the page's order comes from time, not from input
ARTICLES = [
    art(FOLLOW_UP, EVIL, "wire-a", "2005-12-18T10:00:00+00:00"),
    art(QUAKE, "Quake kills 13 on Iran's Qeshm island", "wire-a", "2005-11-27T16:00:00+00:00"),
    art(QUAKE, "Deadly earthquake hits Qeshm", "paper-b", "2005-11-27T17:00:00+00:00"),
    art(FLOOD, "Pakistan floods death toll passes 1,100", "wire-b", "2005-12-18T11:00:00+00:00"),
]


def _build(data: Path, batches: list[list[Article]]) -> dict[str, str]:
    """Store and cluster `batches` in turn, analysing what each changes; article id -> story id."""
    from storydesk.pipeline import analyse, cluster

    settings = Settings(data_dir=data)
    with open_store(data) as store:
        for batch in batches:
            store.add_articles(batch)
            analyse(store, settings, cluster(store, settings, [a.id for a in batch]))
        got = store.assignments_of(a.id for a in ARTICLES)
    return {aid: a.story for aid, a in got.items()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    data = tmp_path_factory.mktemp("threads") / "data"
    # the quake first, its follow-up and the flood a batch later, as a stream brings them
    return data, _build(data, [ARTICLES[1:3], [ARTICLES[0], ARTICLES[3]]])


@pytest.fixture()
def client(built: tuple[Path, dict[str, str]]) -> Iterator[TestClient]:
    with TestClient(create_app(built[0])) as c:
        yield c


def _thread_href(page: str) -> str:
    m = re.search(r'<a href="(/threads/[^"]+)" class="thread">', page)
    assert m, "the story page does not link to its thread"
    return unescape(m.group(1))


def _story_links(page: str) -> list[str]:
    return re.findall(r'<a class="title" href="/stories/([^"]+)">', page)


def test_a_story_page_links_to_its_thread_and_the_thread_lists_it_in_time_order(client, built) -> None:
    _, story = built
    quake, later, flood = story[ARTICLES[1].id], story[ARTICLES[0].id], story[ARTICLES[3].id]
    assert quake != later and len({quake, later, flood}) == 3  # weeks apart: two stories
    href = _thread_href(client.get(f"/stories/{quake}").text)
    assert _thread_href(client.get(f"/stories/{later}").text) == href  # one thread
    assert _thread_href(client.get(f"/stories/{flood}").text) != href
    page = client.get(href)
    assert page.status_code == 200
    assert _story_links(page.text) == [quake, later]  # the quake before its follow-up
    assert "2 stories" in page.text and "paper-b" in page.text
    # the flood is a thread of its own
    assert _story_links(client.get(_thread_href(client.get(f"/stories/{flood}").text)).text) == [flood]


def test_the_thread_page_escapes_what_articles_say(client, built) -> None:
    _, story = built
    page = client.get(_thread_href(client.get(f"/stories/{story[ARTICLES[0].id]}").text)).text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("thread_id", ["0000000000000000", "<b>x</b>", "%00", "' OR 1=1 --"])
def test_an_unknown_thread_is_a_404_page(client, thread_id: str) -> None:
    r = client.get("/threads/" + thread_id)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "<b>x</b>" not in r.text


def test_a_store_clustered_before_the_thread_map_was_kept_still_has_thread_pages(tmp_path: Path, built) -> None:
    import shutil

    data, story = built
    old = tmp_path / "data"
    shutil.copytree(data, old)
    with open_store(old) as store:  # as stored before: no thread map beside the clustering state
        store.conn.execute("DELETE FROM state WHERE key = ?", (THREAD_STATE,))
        store.conn.commit()
    with TestClient(create_app(old)) as c:
        href = _thread_href(c.get(f"/stories/{story[ARTICLES[0].id]}").text)
        assert _story_links(c.get(href).text) == [story[ARTICLES[1].id], story[ARTICLES[0].id]]


def _browser_test(fn: Callable[..., Any]) -> Callable[..., Any]:
    for mark in NEEDS_CHROMIUM:
        fn = mark(fn)
    return fn


@_browser_test
def test_in_a_browser_the_thread_link_leads_to_the_stories_in_time_order(browser, built) -> None:  # type: ignore[no-untyped-def]
    data, story = built
    with Served(data) as app:
        ctx, page = new_page(browser, width=390, height=800)
        try:
            page.goto(f"{app.url}/stories/{story[ARTICLES[0].id]}")
            page.click("a.thread")
            page.wait_for_url(re.compile(r".*/threads/.+"))
            titles = page.locator("ol.stories a.title").all_inner_texts()
            assert len(titles) == 2 and titles[1] == EVIL, titles  # the follow-up second, its markup as text
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            page.locator("ol.stories a.title").nth(1).click()
            page.wait_for_url(re.compile(rf".*/stories/{story[ARTICLES[0].id]}$"))
            assert page.errors == [], page.errors
        finally:
            ctx.close()
