"""The story page's "Download evidence package" button: GET /stories/{id}/package.zip returns the
`export-story` zip (it verifies, holds the stored original bytes) under a safe file name."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import zipfile
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from storydesk_test_builders import build_story

from storydesk.evidence import read_originals, verify_package
from storydesk.records import Article, Original, Story
from storydesk.store.sqlite import open_store
from storydesk.web import create_app
from storydesk.web.pages import package_filename


def test_the_story_page_links_its_package_and_the_zip_verifies(
        filled_data: Path, seed_set: tuple[Story, list[Article]], tmp_path: Path) -> None:
    story, _ = seed_set
    with TestClient(create_app(filled_data)) as client:
        page = client.get(f"/stories/{story.id}")
        assert page.status_code == 200
        links = {unescape(h): text for h, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', page.text)}
        href = f"/stories/{story.id}/package.zip"
        assert links.get(href) == "Download evidence package"
        r = client.get(href)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"] == f'attachment; filename="storydesk-evidence-{story.id}.zip"'
    path = tmp_path / "download.zip"
    path.write_bytes(r.content)
    result = verify_package(path)
    assert result.ok and result.story == story.id, result.problems
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        assert json.loads(zf.read("story.json"))["id"] == story.id


def test_the_download_holds_the_stored_original_bytes(seed_set: tuple[Story, list[Article]], tmp_path: Path) -> None:
    _, seeds = seed_set
    page = b"<html><body><p>" + seeds[0].text.encode() + b"</p></body></html>"
    orig = Original(page, "text/html; charset=utf-8", "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n")
    assert seeds[0].provenance is not None
    first = dataclasses.replace(seeds[0], provenance=dataclasses.replace(seeds[0].provenance,
                                                                         original_sha256=orig.sha256))
    arts = [first, *seeds[1:]]
    story = build_story(arts)
    with open_store(tmp_path / "data") as store:
        store.add_articles(arts, {orig.sha256: orig})
        store.put_stories([story])
    with TestClient(create_app(tmp_path / "data")) as client:
        r = client.get(f"/stories/{story.id[:8]}/package.zip")  # a unique prefix, as on every story route
    assert r.status_code == 200
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert read_originals(zf.read("articles.warc.gz")) == {first.id: page}
    assert manifest["original_bytes"]["stored"] == 1
    assert f"storydesk-evidence-{story.id}.zip" in r.headers["content-disposition"]


def test_an_unknown_story_is_a_404_page_not_a_zip(filled_data: Path) -> None:
    with TestClient(create_app(filled_data)) as client:
        r = client.get("/stories/ffffffffffffffff/package.zip")
    assert r.status_code == 404
    assert "zip" not in r.headers["content-type"]


@pytest.mark.parametrize("story_id", ['a"b', "../../etc/passwd", "x\r\nSet-Cookie: y", "", "é" * 100])
def test_the_file_name_is_safe_whatever_the_id(story_id: str) -> None:
    name = package_filename(story_id)
    assert re.fullmatch(r"storydesk-evidence-[A-Za-z0-9_-]{1,64}\.zip", name), name


@pytest.mark.browser
def test_clicking_the_button_in_chromium_downloads_a_package_that_verifies(
        filled_data: Path, seed_set: tuple[Story, list[Article]], tmp_path: Path,
        request: pytest.FixtureRequest) -> None:
    from storydesk_test_browsing import CHROMIUM, Served, new_page

    if not CHROMIUM.exists():
        pytest.skip("needs Debian chromium at /usr/bin/chromium")
    browser = request.getfixturevalue("browser")
    story, _ = seed_set
    with Served(filled_data) as served:
        ctx, page = new_page(browser)
        ctx.set_default_timeout(30_000)
        try:
            page.goto(f"{served.url}/stories/{story.id}")
            with page.expect_download() as info:
                page.get_by_role("link", name="Download evidence package").click()
            download = info.value
            assert download.suggested_filename == f"storydesk-evidence-{story.id}.zip"
            path = tmp_path / download.suggested_filename
            download.save_as(path)
            assert page.errors == []
        finally:
            ctx.close()
    result = verify_package(path)
    assert result.ok and result.story == story.id, result.problems
