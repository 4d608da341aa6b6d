"""One outlet display rule everywhere: `articles --json`, `show`, the web article page and
report.html print the same name for an article (`storydesk.outlets.display_outlet`), for the
seeds' real pipeline run and for rows stored before every article had an outlet."""

from __future__ import annotations

import dataclasses
import json
import re
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from storydesk_test_builders import build_story, fill_store, seed_articles

from storydesk.cli import main
from storydesk.records import Article
from storydesk.report.html import render_html
from storydesk.web import create_app

# The web article page: `<h1>title</h1>` then `<p class="meta">outlet · date · ...</p>`.
_PAGE = re.compile(r'<h1>(.*?)</h1>\s*<p class="meta">(.*?)(?: · |\s*</p>)', re.S)
# report.html's numbered source list: `<li value="n"><strong>outlet</strong> — <a ...>title</a>`.
_SOURCE = re.compile(r'<li value="\d+"><strong>(.*?)</strong> — <a href="[^"]*">(.*?)</a>', re.S)


def _cli(*args: str | Path, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert not exc.value.code, err
    return out


def _json_outlets(data: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, tuple[str, str]]:
    """id -> (outlet, title) from `storydesk articles --json`; the title only joins the rows to
    report.html's (which names no id), so a missing one is read as the pages print it."""
    rows = json.loads(_cli("articles", "--json", "--data", data, capsys=capsys))
    return {r["id"]: (r["outlet"], r["title"] or "(untitled)") for r in rows}


def _page_outlets(data: Path, ids: list[str]) -> dict[str, tuple[str, str]]:
    """id -> (outlet, title) as the web article page shows them."""
    got = {}
    with TestClient(create_app(data)) as client:
        for aid in ids:
            r = client.get(f"/articles/{aid}")
            assert r.status_code == 200
            m = _PAGE.search(r.text)
            assert m, r.text[:500]
            got[aid] = (unescape(m.group(2)).strip(), unescape(m.group(1)))
    return got


def _report_outlets(html: str) -> set[tuple[str, str]]:
    """(outlet, title) pairs of report.html's source lists."""
    return {(unescape(o), unescape(t)) for o, t in _SOURCE.findall(html)}


def test_seed_outlets_render_identically_in_json_web_and_report(
        seeds_run: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    data, out = seeds_run
    listed = _json_outlets(data, capsys)
    assert len(listed) == 5
    assert all(outlet and outlet != "-" for outlet, _t in listed.values())
    assert _page_outlets(data, list(listed)) == listed
    reported = _report_outlets((out / "report.html").read_text(encoding="utf-8"))
    assert reported == set(listed.values())


def test_an_article_stored_without_an_outlet_shows_one_name_everywhere(
        tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Rows stored before issue 23 may have no outlet: the URL's domain is shown, else the id.
    arts = seed_articles(seeds_dir)[:3]
    arts[0] = dataclasses.replace(arts[0], outlet=None)
    arts[1] = dataclasses.replace(arts[1], outlet=None, url=None)
    story = build_story(arts)
    data = fill_store(tmp_path / "data", [story], arts)
    want = {
        arts[0].id: "outlet-0.example",  # https://outlet-0.example/news/...: the host's name
        arts[1].id: f"article {arts[1].id[:8]}",
        arts[2].id: arts[2].outlet,
    }

    listed = _json_outlets(data, capsys)
    assert {aid: outlet for aid, (outlet, _t) in listed.items()} == want
    assert _page_outlets(data, list(want)) == listed
    by_id: dict[str, Article] = {a.id: a for a in arts}
    assert _report_outlets(render_html([story], by_id)) == set(listed.values())
    # the plain `show` and the `show --json` shape print the same name, never "unknown outlet"
    shown = _cli("show", arts[1].id, "--data", data, capsys=capsys)
    assert want[arts[1].id] in shown and "unknown outlet" not in shown
    assert json.loads(_cli("show", arts[0].id, "--json", "--data", data, capsys=capsys))["outlet"] == want[arts[0].id]
