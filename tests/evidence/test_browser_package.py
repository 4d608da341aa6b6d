"""The package's report page opens offline: unzipped anywhere, opened from file:// in headless
chromium, it shows the story, a citation opens its source sentence, and no request leaves file://
(the browser resolves no host but 127.0.0.1, so a stray fetch would fail and be recorded)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from storydesk_test_browsing import NEEDS_CHROMIUM, new_page

from storydesk.evidence import build_package, verify_package, write_package
from storydesk.records import Article, Story
from storydesk.store import open_store

pytestmark = NEEDS_CHROMIUM


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """Headless Debian chromium through Playwright, one for this module."""
    from playwright.sync_api import sync_playwright
    from storydesk_test_browsing import ARGS, CHROMIUM

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def unpacked(data_dir: Path, story_id: str, where: Path) -> Path:
    """Export the story from the store, verify the zip, unzip it into a folder of its own."""
    with open_store(data_dir, readonly=True) as store:
        story = store.get_story(story_id)
        arts = {a.id: a for a in store.iter_articles([x.id for x in story.articles])}
    zip_path = write_package(build_package(story, arts), where / "story.zip")
    assert verify_package(zip_path).ok
    out = where / "opened-elsewhere"
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(out)  # safe here: verify_package refused any unsafe name above
    return out / "report.html"


def test_package_report_opens_offline_and_a_citation_shows_its_sentence(
        browser, filled_data: Path, seed_set: tuple[Story, list[Article]], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    story, _ = seed_set
    report = unpacked(filled_data, story.id, tmp_path)
    ctx, page = new_page(browser)
    page.goto(report.as_uri())
    assert page.locator("article.story").count() == 1
    assert story.title[:60] in page.locator("article.story").first.inner_text()
    wrap = page.locator(".brief .cite-wrap").first
    page.mouse.move(0, 0)
    wrap.locator("button.cite").click()
    wrap.locator(".cite-src").wait_for(state="visible", timeout=5000)
    assert wrap.locator(".cite-sentence").inner_text().strip()
    assert [u for u in page.requests if not u.startswith("file://")] == []
    assert page.errors == [], page.errors
    ctx.close()


def test_hostile_article_runs_no_script_in_the_package_report(
        browser, filled_data: Path, evil_set: tuple[Story, list[Article]], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    story, _ = evil_set
    report = unpacked(filled_data, story.id, tmp_path)
    ctx, page = new_page(browser)
    page.goto(report.as_uri())
    page.locator("article.story").first.hover()
    assert page.evaluate("window.__pwned") is None
    assert [u for u in page.requests if not u.startswith("file://")] == []
    assert page.errors == [], page.errors
    ctx.close()
