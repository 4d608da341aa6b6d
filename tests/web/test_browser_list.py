"""The story list and article pages in real headless Chromium (Debian's /usr/bin/chromium, never a
download, loopback only): ranking and pages on a 400-story store, a 390 px phone, keyboard only.

The 400 stories are written straight through the store API (no pipeline run): the list reads only
the listing columns, so records with generated sources, sizes and dates exercise it fully.
"""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from storydesk_test_browsing import NEEDS_CHROMIUM, Served, new_page

from storydesk.records import Discrepancy, DiscrepancyValue, Story, StoryArticle
from storydesk.store import open_store

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
N_STORIES = 400
N_UNDATED = 40
PAGE = 50  # web/pages.py PAGE_SIZE

pytestmark = NEEDS_CHROMIUM







NEWEST = datetime(2024, 3, 30, 18, 0, tzinfo=UTC)


def _stories() -> list[Story]:
    """400 stories: Zipf-like sizes over 30 days, 40 undated, long titles and outlet names.

    Story 0 is the biggest story of the newest day (the one the list must lead with); story 1 is
    bigger still but three weeks old.
    """
    out = []
    for i in range(N_STORIES):
        size = 28 if i in (0, 1) else max(1, 24 // (1 + i % 13))
        if i == 0:
            last: datetime | None = NEWEST
        elif i == 1:
            last = NEWEST - timedelta(days=21)
        elif i >= N_STORIES - N_UNDATED:
            last = None
        else:
            last = NEWEST - timedelta(hours=(i * 37) % (30 * 24) + 1)
        published = last.isoformat() if last else None
        first = (last - timedelta(hours=size)).isoformat() if last else None
        arts = tuple(StoryArticle(f"a{i:03d}-{k}", f"The Very Long Named Outlet Number {k} Gazette", f"T{k}",
                                  f"https://outlet{k}.example/{i}", published) for k in range(size))
        values = (DiscrepancyValue("7", "seven", (arts[0].id,)), DiscrepancyValue("9", "nine", (arts[-1].id,)))
        out.append(Story(
            id=f"s-{i:03d}", title=f"Story {i:03d}: " + "an unusually long headline word " * 3 + "Supercalifragilistic"
            "expialidociousnessword", articles=arts, first_seen=first, last_seen=published, article_count=size,
            outlet_count=size, independent_sources=size,
            discrepancies=tuple(Discrepancy("number", "toll", values) for _ in range(i % 3)),
        ))
    return out


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("list400") / "data"
    with open_store(data) as store:
        store.put_stories(_stories())
    return data


def _score(s: Story) -> float:
    """Coverage halved per day of age before the newest story: what 'biggest live first' means."""
    assert s.last_seen
    age = (NEWEST - datetime.fromisoformat(s.last_seen)).total_seconds() / 86400
    return s.independent_sources * 0.5 ** age


def _card_ids(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.split("/stories/")[1] for h in page.locator("ol.stories li.card a.title").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))")]


def test_front_page_leads_with_the_biggest_live_story_and_pages_through_all(browser, big_store) -> None:  # type: ignore[no-untyped-def]
    by_id = {s.id: s for s in _stories()}
    with Served(big_store) as srv:
        ctx, page = new_page(browser)
        page.goto(srv.url + "/")
        seen: list[str] = []
        for n in range(1, N_STORIES // PAGE + 1):
            ids = _card_ids(page)
            assert len(ids) == PAGE, (n, len(ids))
            assert page.get_by_text(f"Page {n} of {N_STORIES // PAGE}").is_visible()
            seen += ids
            if n == 1:
                assert ids[0] == "s-000"  # the biggest story of the newest day, not the older giant
                card = page.locator("ol.stories li.card").first
                text = card.inner_text()
                assert "28 articles · 28 outlets" in text
                assert "The Very Long Named Outlet Number 0 Gazette" in text and "and 22 more" in text
                assert "29 Mar 2024 – 30 Mar 2024" in text
                assert page.locator("a[rel=prev]").count() == 0
            if n < N_STORIES // PAGE:
                page.locator("a[rel=next]").click()
                page.wait_for_url(f"**/?page={n + 1}")
        assert page.locator("a[rel=next]").count() == 0
        assert len(seen) == len(set(seen)) == N_STORIES
        dated = [sid for sid in seen if by_id[sid].last_seen]
        assert seen[: len(dated)] == dated and len(dated) == N_STORIES - N_UNDATED  # undated last
        scores = [_score(by_id[sid]) for sid in dated]
        assert all(a >= b * (1 - 1e-9) for a, b in itertools.pairwise(scores))
        undated = [by_id[sid].article_count for sid in seen[len(dated):]]
        assert undated == sorted(undated, reverse=True)
        # the conflict count shows on the cards of stories with discrepancies
        assert "2 conflicts" in page.content() or "1 conflict" in page.content()
        # the API's pages are the same order
        import httpx

        api = [r["id"] for o in range(0, N_STORIES, 100)
               for r in httpx.get(f"{srv.url}/api/stories", params={"limit": 100, "offset": o}).json()]
        assert api == seen
        ARTIFACTS.mkdir(exist_ok=True)
        assert [u for u in page.requests if not u.startswith(srv.url)] == []
        assert page.errors == [], page.errors
        ctx.close()


def test_a_date_filter_leaves_undated_stories_out(browser, big_store) -> None:  # type: ignore[no-untyped-def]
    with Served(big_store) as srv:
        ctx, page = new_page(browser)
        page.goto(srv.url + "/?since=2030-01-01")
        assert page.get_by_text("No stories match.").is_visible()
        page.goto(srv.url + "/?since=2024-03-30")
        ids = _card_ids(page)
        assert ids and all(int(i[2:]) < N_STORIES - N_UNDATED for i in ids)
        ctx.close()


def _overflow(page) -> int:  # type: ignore[no-untyped-def]
    """How many pixels the page is wider than its viewport (0: no horizontal scroll)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def test_list_and_article_pages_fit_a_390px_phone(browser, big_store, filled_data, evil_set) -> None:  # type: ignore[no-untyped-def]
    _, arts = evil_set
    ARTIFACTS.mkdir(exist_ok=True)
    with Served(big_store) as srv:
        ctx, page = new_page(browser, width=390, height=844)
        for path in ("/", "/?page=8", "/?q=nothing-matches-this"):
            page.goto(srv.url + path)
            assert _overflow(page) == 0, (path, _overflow(page))
        page.goto(srv.url + "/")
        page.screenshot(path=str(ARTIFACTS / "list-390.png"), full_page=False)
        ctx.close()
    with Served(filled_data) as srv:
        ctx, page = new_page(browser, width=390, height=844)
        for a in arts:  # the hostile one has a long javascript: URL and markup in its fields
            page.goto(srv.url + f"/articles/{a.id}")
            assert _overflow(page) == 0, (a.id, _overflow(page))
        ctx.close()


def _focus(page) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
        const r = e.getBoundingClientRect();
        return {tag: e.tagName, text: (e.textContent || '').trim(), name: e.getAttribute('name'),
                outline: s.outlineStyle, width: parseFloat(s.outlineWidth), href: e.getAttribute('href'),
                visible: r.width > 0 && r.height > 0 && r.top >= 0 && r.bottom <= innerHeight}; }""")


def test_keyboard_skip_link_visible_focus_and_article_to_story(browser, filled_data, seed_set, evil_set) -> None:  # type: ignore[no-untyped-def]
    story, _ = seed_set
    evil_ids = {a.id for a in evil_set[1]}
    passage = next(p for b in story.brief for p in b.passages if p.article not in evil_ids)
    with Served(filled_data) as srv:
        ctx, page = new_page(browser)
        page.goto(srv.url + "/")
        page.keyboard.press("Tab")
        f = _focus(page)
        assert f["text"] == "Skip to content" and f["visible"] and f["outline"] != "none" and f["width"] >= 2
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main"
        page.keyboard.press("Tab")
        f = _focus(page)
        assert f["name"] == "q" and f["visible"] and f["outline"] != "none"
        # on to the first story's link, then open it with Enter
        for _ in range(12):
            page.keyboard.press("Tab")
            f = _focus(page)
            if (f["href"] or "").startswith("/stories/"):
                break
        assert f["href"] == f"/stories/{story.id}" and f["visible"] and f["outline"] != "none", f
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/stories/{story.id}")

        # an article page: the cited sentence is highlighted, and the keyboard reaches the story
        page.goto(srv.url + f"/articles/{passage.article}#s-{passage.start}")
        target = page.locator(f"#s-{passage.start}")
        assert target.inner_text() == passage.text
        assert target.evaluate("e => getComputedStyle(e).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
        assert target.evaluate("e => e.matches(':target')")
        page.goto(srv.url + f"/articles/{passage.article}")  # Tab from the top of the page
        for _ in range(6):
            page.keyboard.press("Tab")
            if _focus(page)["text"].startswith("Story: "):
                break
        assert _focus(page)["href"] == f"/stories/{story.id}"
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/stories/{story.id}")
        assert page.errors == [], page.errors
        ctx.close()


def test_rank_formula_matches_the_stored_key() -> None:
    """The test's _score and the store's rank key order stories the same way (log of each other)."""
    from storydesk.store.ranking import rank_key

    a, b = _stories()[0], _stories()[5]
    ka, kb = rank_key(a.independent_sources, a.last_seen), rank_key(b.independent_sources, b.last_seen)
    assert ka is not None and kb is not None
    assert math.isclose(ka - kb, math.log2(_score(a) / _score(b)))
