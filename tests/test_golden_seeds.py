"""Golden test: the seeds' `stories.json` from the real pipeline equals tests/golden/seeds_stories.json.

Reuses the session's `seeds_run` (tests/conftest.py: `storydesk.pipeline.run` once on
../shared/corpus/seeds), so it costs no pipeline run of its own when the suite runs. Only what
legitimately varies between runs is normalised away: the run's `generated` timestamp (and, should
they ever appear, the run's absolute data/output paths). Ids, titles, brief, claims, discrepancies,
quotes, entities, timeline, exclusives and facts are compared exactly.

An intended change of the output: regenerate the golden file and commit it with the change,

    STORYDESK_UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/test_golden_seeds.py

then read its `git diff` to check the change is the one meant.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).resolve().parent / "golden" / "seeds_stories.json"
# at most this many diff lines printed: enough to read what changed, short enough for a CI log
MAX_DIFF_LINES = 300


def _normalise(value: Any, paths: dict[str, str]) -> Any:
    """`value` with run-specific absolute paths replaced by placeholders (`<out>`, `<data>`)."""
    if isinstance(value, dict):
        return {k: _normalise(v, paths) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v, paths) for v in value]
    if isinstance(value, str):
        for path, name in paths.items():
            value = value.replace(path, name)
    return value


def normalised_stories(out: Path, data: Path) -> dict[str, Any]:
    """The run's stories.json without its timestamp, its absolute paths as placeholders."""
    doc = json.loads((out / "stories.json").read_text(encoding="utf-8"))
    doc.pop("generated", None)  # when the run happened, not what it found
    # longest first so a data dir inside the output dir (or the reverse) is replaced whole
    paths = {str(p): f"<{name}>" for name, p in sorted(
        (("out", out.resolve()), ("data", data.resolve())), key=lambda np_: -len(str(np_[1])))}
    normalised: dict[str, Any] = _normalise(doc, paths)
    return normalised


def _dump(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def test_seeds_stories_json_matches_the_golden_file(seeds_run: tuple[Path, Path]) -> None:
    data, out = seeds_run
    got = normalised_stories(out, data)
    if os.environ.get("STORYDESK_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(_dump(got), encoding="utf-8")
    assert GOLDEN.exists(), f"no golden file {GOLDEN}: run with STORYDESK_UPDATE_GOLDEN=1"
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    if got != want:
        # sorted keys on both sides: the diff shows changed values, never a mere key order
        diff = list(difflib.unified_diff(
            json.dumps(want, indent=2, ensure_ascii=False, sort_keys=True).splitlines(),
            json.dumps(got, indent=2, ensure_ascii=False, sort_keys=True).splitlines(),
            fromfile=f"golden ({GOLDEN.name})", tofile="this run", lineterm="", n=2))
        shown = "\n".join(diff[:MAX_DIFF_LINES])
        more = f"\n... {len(diff) - MAX_DIFF_LINES} more diff lines" if len(diff) > MAX_DIFF_LINES else ""
        raise AssertionError(
            "the seeds' stories.json differs from the golden file. If the change is intended, run\n"
            "  STORYDESK_UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/test_golden_seeds.py\n"
            f"and commit {GOLDEN.relative_to(GOLDEN.parents[2])} with it.\n{shown}{more}")


def test_normalising_removes_only_the_timestamp_and_run_paths(tmp_path: Path) -> None:
    # a hand-written stories.json: the timestamp and absolute paths go, everything else stays
    out, data = tmp_path / "out", tmp_path / "data"
    out.mkdir()
    doc = {"schema_version": "1.0", "generated": "2026-01-01T00:00:00+00:00",
           "stories": [{"id": "abc", "title": f"see {out.resolve()}/report.html",
                        "brief": [{"text": "Nine were killed.", "sources": ["x1"]}],
                        "note": f"{data.resolve()}/store.db"}]}
    (out / "stories.json").write_text(json.dumps(doc), encoding="utf-8")
    got = normalised_stories(out, data)
    assert "generated" not in got
    assert got["stories"][0]["title"] == "see <out>/report.html"
    assert got["stories"][0]["note"] == "<data>/store.db"
    assert got["stories"][0]["brief"] == [{"text": "Nine were killed.", "sources": ["x1"]}]
    assert got["schema_version"] == "1.0"
