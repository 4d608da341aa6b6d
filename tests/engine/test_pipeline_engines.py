"""The pipeline on the engines: `run --engine dask` matches the in-process run; runs touch only their stories."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from storydesk.pipeline import run
from storydesk.settings import Settings
from storydesk.store import open_store


def _stories(out: Path) -> list[dict]:
    return json.loads((out / "stories.json").read_text(encoding="utf-8"))["stories"]


def test_cli_run_on_a_local_dask_cluster_matches_the_in_process_run(
        seeds_run: tuple[Path, Path], seeds_dir: Path, tmp_path: Path) -> None:
    if os.environ.get("STORYDESK_TEST_DASK", "1") == "0":
        pytest.skip("STORYDESK_TEST_DASK=0")
    pytest.importorskip("distributed")
    env = {**os.environ, "STORYDESK_DATA": str(tmp_path / "data")}
    proc = subprocess.run(
        [sys.executable, "-m", "storydesk", "run", str(seeds_dir), "--out", str(tmp_path / "out"),
         "--engine", "dask", "--workers", "2", "--quiet"],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    got, want = _stories(tmp_path / "out"), _stories(seeds_run[1])
    # the same stories with the same articles, whichever executor embedded and cross-checked them
    assert [(s["id"], s["title"], [a["id"] for a in s["articles"]]) for s in got] == \
        [(s["id"], s["title"], [a["id"] for a in s["articles"]]) for s in want]
    assert all(s["brief"] and s["claims"] for s in got)
    assert [c["sources"] for c in got[0]["claims"]] == [c["sources"] for c in want[0]["claims"]]


def test_a_run_analyses_only_the_stories_its_articles_touch(seeds_run: tuple[Path, Path], tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(seeds_run[0], data)
    with open_store(data) as store:
        before = {r[0]: r[1] for r in store.conn.execute("SELECT id, updated_at || data FROM stories")}
    assert len(before) == 1
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "bridge.txt").write_text(
        "Bridge reopens after repairs\n\nThe old river bridge in Linz reopened on Friday after eight months "
        "of repairs, the city council said. Engineers replaced the deck and two piers, and trams will "
        "cross it again from Monday.\n",
        encoding="utf-8",
    )
    summary = run([inputs], tmp_path / "out", Settings(data_dir=data))
    assert (summary.ingested, summary.new, summary.stories) == (1, 1, 1)
    stories = _stories(tmp_path / "out")
    assert [len(s["articles"]) for s in stories] == [1] and "bridge" in stories[0]["title"].lower()
    assert stories[0]["brief"], "a one-article story still gets a brief"
    with open_store(data) as store:
        after = {r[0]: r[1] for r in store.conn.execute("SELECT id, updated_at || data FROM stories")}
        listed = store.list_stories()
    # the seed story was neither re-analysed nor rewritten; the new one sits beside it
    assert {k: after[k] for k in before} == before and len(after) == 2
    assert {r["id"] for r in listed} == set(after)
