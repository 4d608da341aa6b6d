"""Outlet trust on the seeds, end to end (issue 25): the real pipeline, store, reports and CLI.

One store: a run with Middle East Eye hidden and one outlet weighted low, then a run with the
settings file gone, which must re-analyse the story (the settings are part of its analysis key).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from storydesk.cli import main
from storydesk.report import load_schema
from storydesk.web import create_app

pytestmark = pytest.mark.slow

HIDDEN = "Middle East Eye"
LOW = "001_ecd353379d49fb39.txt"  # the seed without a site name: its file is its outlet


def sd(*args: str | Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def support(story: dict[str, Any], value: str) -> int:
    """How many outlets the fact table counts for `value` of the disputed "people killed" row."""
    rows = [f for f in story["facts"] if f["subject"] == "people killed" and f["status"] == "conflict"
            and any(c["value"] == value for c in f["cells"])]
    assert rows, value
    return sum(1 for c in rows[0]["cells"] if c["value"] == value)


def test_hiding_and_weighting_outlets_on_the_seeds(tmp_path: Path, data_dir: Path, seeds_dir: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "outlets.toml").write_text(
        f'[outlets."{HIDDEN.lower()}"]\nhidden = true\n\n[outlets."{LOW}"]\nweight = 0.2\n', encoding="utf-8")
    assert sd("run", seeds_dir, "--out", tmp_path / "hidden", "--quiet", capsys=capsys)[0] == 0
    doc = json.loads((tmp_path / "hidden" / "stories.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(load_schema()).validate(doc)
    [story] = doc["stories"]

    code, out, _ = sd("articles", "--json", capsys=capsys)
    rows = json.loads(out)
    hidden_id = next(r["id"] for r in rows if r["outlet"] == HIDDEN)
    low_id = next(r["id"] for r in rows if r["outlet"] == LOW)
    # hidden from the analysis, not from the store
    assert code == 0 and len(rows) == 5
    assert sd("show", hidden_id, "--json", capsys=capsys)[0] == 0

    assert story["trust"]["hidden_articles"] == [hidden_id]
    assert {o["outlet"]: (o["weight"], o["hidden"]) for o in story["trust"]["outlets"]} == {
        HIDDEN.lower(): (1.0, True), LOW: (0.2, False)}
    assert hidden_id not in [a["id"] for a in story["articles"]]
    assert story["brief"] and all(hidden_id not in b["sources"] for b in story["brief"])
    assert all(c["outlet"] != HIDDEN and hidden_id not in c["sources"] for f in story["facts"] for c in f["cells"])
    assert all(hidden_id not in x["sources"] for k in ("claims", "quotes", "entities", "timeline")
               for x in story[k])
    # facts only the low-weight outlet reports are marked; the others are not
    marked = [f for f in story["facts"] if f.get("low_trust")]
    assert marked and all(c["sources"] == [low_id] for f in marked for c in f["cells"])
    assert all(f.get("low_trust") is None for f in story["facts"] if any(c["outlet"] != LOW for c in f["cells"]))
    html = (tmp_path / "hidden" / "report.html").read_text(encoding="utf-8")
    assert "Outlet trust settings in force:" in html and "badge low-trust" in html
    assert "1 article of this story left out" in html
    md = (tmp_path / "hidden" / "brief.md").read_text(encoding="utf-8")
    assert "Outlet trust settings in force: hidden middle east eye (1 of this story's articles left out)" in md
    # the web app's story page draws the same marks from the stored story
    with TestClient(create_app(data_dir)) as client:
        page = client.get(f"/stories/{story['id']}")
        api = client.get(f"/api/stories/{story['id']}").json()
    assert page.status_code == 200 and "badge low-trust" in page.text and "Outlet trust settings in force" in page.text
    assert api["trust"] == story["trust"] and [f.get("low_trust") for f in api["facts"]] == [
        f.get("low_trust") for f in story["facts"]]

    code, out, _ = sd("outlets", "--json", capsys=capsys)
    listed = {r["outlet"]: r for r in json.loads(out)}
    assert code == 0 and len(listed) == 5
    assert listed[HIDDEN]["hidden"] and listed[HIDDEN]["setting"] == HIDDEN.lower()
    assert listed[LOW]["low_trust"] and listed[LOW]["weight"] == 0.2
    assert all(r["articles"] == 1 and r["stories"] == 1 for r in listed.values())

    # the settings gone, the next run analyses the story again: the outlet is back in the counts
    (data_dir / "outlets.toml").unlink()
    assert sd("run", seeds_dir, "--out", tmp_path / "plain", "--quiet", capsys=capsys)[0] == 0
    [plain] = json.loads((tmp_path / "plain" / "stories.json").read_text(encoding="utf-8"))["stories"]
    assert "trust" not in plain and not any(f.get("low_trust") for f in plain["facts"])
    assert hidden_id in [a["id"] for a in plain["articles"]]
    assert any(c["outlet"] == HIDDEN for f in plain["facts"] for c in f["cells"])
    # Middle East Eye says "at least 9" with Wazobia Reporters: hiding it takes one off that count
    assert support(plain, "at least 9") == support(story, "at least 9") + 1
    assert "Outlet trust settings in force" not in (tmp_path / "plain" / "report.html").read_text(encoding="utf-8")
