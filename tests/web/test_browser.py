"""End to end in real headless Chromium (Debian's /usr/bin/chromium through Playwright; never a
browser download): run the pipeline on the seeds, serve the store with uvicorn on loopback, open
the story, click a citation and see its source sentence; the same in the offline report.html.

Screenshots go to test-artifacts/ (gitignored). `STORYDESK_UPDATE_SCREENSHOT=1` also refreshes
docs/screenshot.png, the README's picture.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from storydesk_test_browsing import NEEDS_CHROMIUM, Served, new_page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = NEEDS_CHROMIUM







def _biggest_story(data_dir: Path) -> dict:  # type: ignore[type-arg]
    from storydesk.store.sqlite import open_store

    with open_store(data_dir, readonly=True) as store:
        rows = store.list_stories()
        sid = max(rows, key=lambda r: (r["article_count"], r["id"]))["id"]
        return store.get_story(sid).to_dict()


@pytest.fixture(params=["built", "pipeline"])
def served_story(request: pytest.FixtureRequest) -> tuple[Path, dict]:  # type: ignore[type-arg]
    """(data dir, story) from records built from the seeds by the test (independent of the other
    stages), or from the real pipeline run on the seeds."""
    if request.param == "built":
        story, _ = request.getfixturevalue("seed_set")
        return request.getfixturevalue("filled_data"), story.to_dict()
    data_dir, _ = request.getfixturevalue("seeds_run")
    return data_dir, _biggest_story(data_dir)


def test_click_a_citation_shows_its_source_sentence(browser, served_story, request) -> None:  # type: ignore[no-untyped-def]
    data_dir, story = served_story
    kind = request.node.callspec.params["served_story"]
    first = story["brief"][0]
    expected = next((p["text"] for p in first.get("passages", []) if p["article"] == first["sources"][0]), "")
    ARTIFACTS.mkdir(exist_ok=True)
    with Served(data_dir) as srv:
        ctx, page = new_page(browser)
        page.goto(srv.url + "/")
        link = page.get_by_role("link", name=story["title"])
        assert link.is_visible()
        link.click()
        page.wait_for_url(f"**/stories/{story['id']}")
        wrap = page.locator(".brief .cite-wrap").first
        tip = wrap.locator(".cite-src")
        assert not tip.is_visible()
        page.mouse.move(0, 0)
        wrap.locator("button.cite").click()
        tip.wait_for(state="visible", timeout=5000)
        assert wrap.locator("button.cite").get_attribute("aria-expanded") == "true"
        shown = tip.locator(".cite-sentence").inner_text()
        assert shown and (not expected or shown == expected)
        page.screenshot(path=str(ARTIFACTS / f"story-citation-{kind}.png"))
        if kind == "pipeline" and os.environ.get("STORYDESK_UPDATE_SCREENSHOT") == "1":
            page.screenshot(path=str(ROOT / "docs" / "screenshot.png"))
        # Escape closes it; a second page view shows the side-by-side columns
        page.keyboard.press("Escape")
        page.mouse.move(0, 0)
        tip.wait_for(state="hidden", timeout=5000)
        assert page.locator(".column").count() == len(story["articles"])
        # the side-by-side starts folded; its summary opens it
        side = page.locator("section.side-section details.fold")
        assert side.get_attribute("open") is None and not page.locator(".column").first.is_visible()
        side.locator("summary").click()
        assert page.locator(".column").first.is_visible()
        # hovering an aligned claim in one outlet's column lights up the same claim in the others
        shared = page.locator("mark.hl-shared[data-claim]")
        if shared.count():
            claim = shared.first.get_attribute("data-claim")
            shared.first.hover()
            same = page.locator(f'mark[data-claim="{claim}"]')
            assert same.count() >= (2 if kind == "built" else 1)
            assert all("hl-active" in (same.nth(i).get_attribute("class") or "") for i in range(same.count()))
        elif kind == "built":
            raise AssertionError("the built story has a shared claim with passages in two articles")
        # the article page from the citation's link
        page.locator(".column h3 + .meta a").first.click()
        page.wait_for_url("**/articles/*")
        assert page.get_by_role("heading", name="Cleaned text").is_visible()
        foreign = [u for u in page.requests if not u.startswith(srv.url)]
        assert foreign == [], foreign
        assert page.errors == [], page.errors
        ctx.close()


def test_search_and_filter_in_the_browser(browser, served_story) -> None:  # type: ignore[no-untyped-def]
    data_dir, story = served_story
    word = story["title"].split()[0]
    with Served(data_dir) as srv:
        ctx, page = new_page(browser)
        page.goto(srv.url + "/")
        page.get_by_label("Search").fill(word)
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**/?q=*")
        assert page.get_by_role("link", name=story["title"]).is_visible()
        page.get_by_label("Search").fill("zzzqqqnotaword")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**/?q=zzzqqqnotaword*")
        assert page.get_by_text("No stories match.").is_visible()
        assert page.errors == [], page.errors
        ctx.close()


def test_hostile_article_runs_no_script(browser, filled_data, evil_set) -> None:  # type: ignore[no-untyped-def]
    story, arts = evil_set
    with Served(filled_data) as srv:
        ctx, page = new_page(browser)
        for path in ("/", f"/stories/{story.id}", f"/articles/{arts[0].id}"):
            page.goto(srv.url + path)
            page.locator("mark, .cite, h1").first.hover()
            assert page.evaluate("() => window.__pwned === undefined")
            assert page.locator("main img").count() == 0
        page.goto(srv.url + f"/stories/{story.id}")
        page.locator(".brief .cite").first.click()
        assert page.locator(".brief .cite-src").first.is_visible()
        assert "<script>" in page.locator(".brief .cite-src .cite-sentence").first.inner_text() or \
            "<script>" in page.locator(".brief").inner_text()
        assert not [e for e in page.errors if e.startswith("dialog")], page.errors
        ctx.close()


@pytest.fixture(params=["built", "pipeline"])
def report_dir(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A reports folder: written by write_reports from test-built seed records, or by the pipeline."""
    if request.param == "built":
        from storydesk.report import write_reports

        story, arts = request.getfixturevalue("seed_set")
        write_reports([story], tmp_path, {a.id: a for a in arts})
        return tmp_path
    return request.getfixturevalue("seeds_run")[1]  # type: ignore[no-any-return]


def test_report_html_offline_citation(browser, report_dir) -> None:  # type: ignore[no-untyped-def]
    out = report_dir
    report = out / "report.html"
    doc = json.loads((out / "stories.json").read_text(encoding="utf-8"))
    ctx, page = new_page(browser)
    page.goto(report.as_uri())
    assert page.locator("article.story").count() == len(doc["stories"])
    wrap = page.locator(".brief .cite-wrap").first
    page.mouse.move(0, 0)
    wrap.locator("button.cite").click()
    wrap.locator(".cite-src").wait_for(state="visible", timeout=5000)
    assert wrap.locator(".cite-sentence").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-citation-{out.name}.png"))
    # "open article" goes to the article's column, opening the folded side-by-side around it
    link = wrap.locator(".cite-src a")
    target = link.get_attribute("href")
    assert target and target.startswith("#")
    link.click()
    column = page.locator(f"[id='{target[1:]}']")
    column.wait_for(state="visible", timeout=5000)
    assert [u for u in page.requests if not u.startswith("file://")] == []
    assert page.errors == [], page.errors
    ctx.close()


def test_fact_table_scrolls_in_its_own_box_on_a_390px_phone(browser, seeds_run) -> None:  # type: ignore[no-untyped-def]
    data_dir, _ = seeds_run
    story = _biggest_story(data_dir)
    with Served(data_dir) as srv:
        ctx, page = new_page(browser, width=390, height=844)
        page.goto(f"{srv.url}/stories/{story['id']}")
        table = page.locator("section.facts-section table.facts").first
        assert table.is_visible()
        if any(f["status"] == "conflict" for f in story["facts"]):
            assert page.locator("table.facts tr.st-conflict .badge").first.inner_text() == "conflict"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "story-facts-390.png"), full_page=False)
        # the page itself never scrolls sideways; a table wider than the phone scrolls in its box
        assert page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        box = page.locator("section.facts-section .table-scroll").first
        assert box.evaluate("e => getComputedStyle(e).overflowX") == "auto"
        assert box.evaluate("e => e.clientWidth") <= 390
        assert page.errors == [], page.errors
        ctx.close()


def _active(page) -> dict:  # type: ignore[no-untyped-def, type-arg]
    """What has the keyboard focus: its tag, classes, text, href and the popup it sits in."""
    return page.evaluate("""() => { const e = document.activeElement; const w = e.closest('.cite-wrap');
        const tip = w && w.querySelector('.cite-src');
        return {tag: e.tagName, cls: e.className || '', text: (e.innerText || '').trim(),
                href: e.getAttribute('href'), inBrief: !!e.closest('.brief'),
                tipShown: !!tip && getComputedStyle(tip).display !== 'none',
                outline: getComputedStyle(e).outlineStyle}; }""")


def test_keyboard_only_walk_from_a_citation_to_its_sentence(browser, seeds_run) -> None:  # type: ignore[no-untyped-def]
    """Keys only, on the seeds' biggest story: Tab to the brief's first citation marker (its popup
    shows), Escape closes the popup and keeps focus on the marker, Enter reopens it, Tab reaches
    its "open article" link, Enter lands on the article page at the cited sentence, highlighted."""
    data_dir, _ = seeds_run
    story = _biggest_story(data_dir)
    with Served(data_dir) as srv:
        ctx, page = new_page(browser)
        page.goto(f"{srv.url}/stories/{story['id']}")
        for _ in range(40):
            page.keyboard.press("Tab")
            f = _active(page)
            assert f["tag"] != "BODY", "Tab dropped focus to the page body"
            if "cite" in f["cls"].split() and f["inBrief"]:
                break
        assert "cite" in f["cls"].split() and f["inBrief"], f
        marker = page.locator(".brief button.cite").first
        assert marker.evaluate("e => e === document.activeElement")  # the first marker, none skipped
        assert f["tipShown"] and f["outline"] != "none", f
        wrap = page.locator(".brief .cite-wrap").first
        tip = wrap.locator(".cite-src")
        sentence = tip.locator(".cite-sentence").inner_text()
        assert sentence
        page.keyboard.press("Escape")
        tip.wait_for(state="hidden", timeout=5000)
        assert marker.evaluate("e => e === document.activeElement"), "Escape moved focus off the marker"
        page.keyboard.press("Enter")
        tip.wait_for(state="visible", timeout=5000)
        assert marker.get_attribute("aria-expanded") == "true"
        page.keyboard.press("Tab")
        f = _active(page)
        assert f["text"] == "open article" and f["tipShown"] and f["outline"] != "none", f
        href = f["href"]
        assert href and "#s-" in href, href
        # Escape from the link closes the popup and puts focus back on its marker
        page.keyboard.press("Escape")
        tip.wait_for(state="hidden", timeout=5000)
        assert marker.evaluate("e => e === document.activeElement")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert _active(page)["text"] == "open article"
        page.keyboard.press("Enter")
        page.wait_for_url(f"**{href}")
        anchor = href.split("#", 1)[1]
        target = page.locator(f"[id='{anchor}']")
        assert target.evaluate("e => e.matches(':target')")
        assert sentence in target.inner_text()
        assert target.evaluate("e => getComputedStyle(e).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
        box = target.bounding_box()
        assert box and 0 <= box["y"] < 1000, box  # scrolled into view
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "article-cited-sentence.png"))
        assert page.errors == [], page.errors
        ctx.close()


def test_tab_through_the_brief_never_loses_focus(browser, seeds_run) -> None:  # type: ignore[no-untyped-def]
    """From each of the brief's citation markers Tab goes to its popup's link, then on to the next
    marker: never to the page body, and a popup shows exactly while its marker or link has focus."""
    data_dir, _ = seeds_run
    story = _biggest_story(data_dir)
    with Served(data_dir) as srv:
        ctx, page = new_page(browser, width=390, height=844)
        page.goto(f"{srv.url}/stories/{story['id']}")
        markers = page.locator(".brief button.cite")
        n = markers.count()
        assert n >= 2
        markers.first.focus()
        seen = 0
        for _ in range(2 * n):
            page.keyboard.press("Tab")
            f = _active(page)
            assert f["tag"] != "BODY", f
            if not f["inBrief"]:
                break
            assert f["tipShown"], f
            seen += f["text"] == "open article"
            # a shown popup stays on the phone's screen
            right = page.evaluate("""() => { const t = [...document.querySelectorAll('.brief .cite-src')]
                .find(t => getComputedStyle(t).display !== 'none'); return t.getBoundingClientRect().right; }""")
            assert right <= 390 + 1, right
        assert seen == n, (seen, n)
        assert page.evaluate("() => document.querySelectorAll('.brief .cite-wrap.open').length") == 0
        assert page.errors == [], page.errors
        ctx.close()


def test_story_page_above_the_fold_screenshot(browser, seeds_run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The README's picture of the story page: the seeds' biggest story at desktop width, the
    first screen only. Regenerate it with

        STORYDESK_UPDATE_SCREENSHOT=1 .venv/bin/pytest -q tests/web/test_browser.py -k screenshot

    which writes docs/story-page.png; without the variable it goes to a temporary folder, so a
    test run never changes the checkout."""
    data_dir, _ = seeds_run
    story = _biggest_story(data_dir)
    update = os.environ.get("STORYDESK_UPDATE_SCREENSHOT") == "1"
    out = (ROOT / "docs" if update else tmp_path) / "story-page.png"
    with Served(data_dir) as srv:
        ctx, page = new_page(browser, width=1280, height=800)
        page.goto(f"{srv.url}/stories/{story['id']}")
        page.mouse.move(0, 0)
        # the first screen holds the title, the brief and the start of the fact table
        for sel in ("h1", "section.brief-section h2", "p.brief", "section.facts-section h2"):
            box = page.locator(sel).first.bounding_box()
            assert box and 0 <= box["y"] < 800, (sel, box)
        page.screenshot(path=str(out), full_page=False)
        assert out.stat().st_size < 400_000
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert page.errors == [], page.errors
        ctx.close()


def test_long_sections_fold_and_the_side_by_side_scrolls_in_its_box(browser, seeds_run) -> None:  # type: ignore[no-untyped-def]
    """Quotes, entities, timeline and side-by-side start folded under their headings (with a count)
    and open by keyboard; opened, the side-by-side is one row of a column per article that scrolls
    sideways inside its own box, and the 390 px page itself still never scrolls sideways."""
    data_dir, _ = seeds_run
    story = _biggest_story(data_dir)
    with Served(data_dir) as srv:
        ctx, page = new_page(browser, width=390, height=844)
        page.goto(f"{srv.url}/stories/{story['id']}")
        folds = page.locator("details.fold")
        names = [folds.nth(i).locator("summary h2").inner_text() for i in range(folds.count())]
        assert names == ["Quotes by speaker", "Entities", "Timeline", "Side by side"], names
        assert page.evaluate("() => [...document.querySelectorAll('details.fold')].every(d => !d.open)")
        side = page.locator("section.side-section details.fold")
        assert side.locator(".fold-count").inner_text().startswith(f"{len(story['articles'])} article")
        side.locator("summary").focus()
        page.keyboard.press("Enter")
        assert side.get_attribute("open") is not None
        for i in range(folds.count()):
            if folds.nth(i).get_attribute("open") is None:
                folds.nth(i).locator("summary").click()
        row = page.locator(".columns")
        geo = row.evaluate("""e => ({sw: e.scrollWidth, cw: e.clientWidth, right: e.getBoundingClientRect().right,
            tops: [...e.children].map(c => Math.round(c.getBoundingClientRect().top)),
            widths: [...e.children].map(c => c.getBoundingClientRect().width)})""")
        assert len(set(geo["tops"])) == 1, geo  # one row
        assert len(geo["widths"]) == len(story["articles"])
        assert max(geo["widths"]) <= geo["cw"] + 1 and geo["right"] <= 390, geo
        if len(story["articles"]) > 1:
            assert geo["sw"] > geo["cw"], geo  # the rest is a sideways scroll away, in the box
            row.focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_function("() => document.querySelector('.columns').scrollLeft > 0")
            page.wait_for_timeout(600)  # no snapping back to the first column once the scroll settles
            assert row.evaluate("e => e.scrollLeft") > 0
        assert page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "story-side-by-side-390.png"))
        assert page.errors == [], page.errors
        ctx.close()


def test_timeline_chart_fits_a_390px_phone(browser, filled_data, seed_set) -> None:  # type: ignore[no-untyped-def]
    """The built story has dated timeline entries: opened, its chart is an inline SVG no wider than
    its section, with a row per outlet and a mark per dated entry and outlet, and the 390 px page
    still never scrolls sideways."""
    story, _ = seed_set
    dated = [e for e in story.timeline if e.date]
    assert dated
    with Served(filled_data) as srv:
        ctx, page = new_page(browser, width=390, height=844)
        page.goto(f"{srv.url}/stories/{story.id}")
        section = page.locator("section.timeline-section")
        section.locator("summary").click()
        svg = section.locator("figure.timeline-chart svg")
        svg.wait_for(state="visible", timeout=5000)
        geo = svg.evaluate("""e => ({w: e.getBoundingClientRect().width, h: e.getBoundingClientRect().height,
            right: e.getBoundingClientRect().right, pw: e.closest('section').clientWidth,
            rows: e.querySelectorAll('.tlc-row').length, marks: e.querySelectorAll('.tlc-mark').length,
            titles: [...e.querySelectorAll('.tlc-mark > title')].map(t => t.textContent)})""")
        assert 0 < geo["w"] <= geo["pw"] + 1 and geo["right"] <= 390 and geo["h"] > 0, geo
        assert geo["rows"] == len({a.outlet for a in story.articles}), geo
        assert geo["marks"] == sum(len(set(e.sources)) for e in dated), geo
        assert all(any(e.text in t for t in geo["titles"]) for e in dated), geo
        # the list still follows the chart
        assert section.locator("ol.timeline li").count() == len(story.timeline)
        assert page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        ARTIFACTS.mkdir(exist_ok=True)
        section.screenshot(path=str(ARTIFACTS / "story-timeline-chart-390.png"))
        assert page.errors == [], page.errors
        ctx.close()
