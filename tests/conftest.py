"""Shared fixtures: paths to ../shared (read in place, never copied), a fresh data dir, the CLI."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("STORYDESK_SHARED", ROOT.parent / "shared"))
SEEDS = SHARED / "corpus" / "seeds"
DATA = SHARED / "data"


def load_module(name: str, path: Path) -> ModuleType:
    """The module at `path`, loaded once under `name` (pytest runs with --import-mode=importlib, so
    test folders are not packages and their helper files are imported by path)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


# Helper files that tests of several folders import as `from storydesk_test_x import ...`: loaded
# here, by the conftest pytest reads first, so no folder needs its own loader.
HELPERS = {
    "storydesk_test_builders": "report/builders.py",  # report stores with the seed and a hostile story
    "storydesk_test_browsing": "web/browsing.py",  # chromium and a served app
    "storydesk_test_feeds": "watch/feeds.py",  # a feed server on 127.0.0.1
    "storydesk_test_quake": "history/quake.py",  # two versions of an earthquake's coverage
    "storydesk_test_threads": "cluster/threads_texts.py",  # a quake, its follow-up, a flood
}
for _name, _rel in HELPERS.items():
    load_module(_name, ROOT / "tests" / _rel)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def gate() -> ModuleType:
    """tests/eval_gate.py (the evaluation gate: floors of tests/eval_baseline.json), loaded once."""
    return load_module("storydesk_eval_gate", Path(__file__).with_name("eval_gate.py"))


@pytest.fixture(scope="session")
def seeds_dir(shared_dir: Path) -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def data_root(shared_dir: Path) -> Path:
    return DATA


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty store location; STORYDESK_DATA points at it."""
    d = tmp_path / "store"
    monkeypatch.setenv("STORYDESK_DATA", str(d))
    return d


@pytest.fixture(scope="session")
def seeds_run(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> tuple[Path, Path]:
    """The main job run once on the seeds for the whole session: (data_dir, out_dir).

    Read-only for tests that share it; a test that writes makes its own store.
    """
    from storydesk.pipeline import run
    from storydesk.settings import Settings

    base = tmp_path_factory.mktemp("seeds-run")
    data, out = base / "data", base / "out"
    summary = run([seeds_dir], out, Settings(data_dir=data))
    assert summary.ingested == 5, summary
    return data, out
