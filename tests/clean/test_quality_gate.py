"""Cleaning quality gate on the CHECK pages (the full report, tune and check, is bench/clean_quality.py).

storydesk (parse_html + clean_document + outlet templates) and plain trafilatura run on the check
portions of article-extraction-benchmark (17 pages) and trafilatura-eval (104 pages), split as
../shared/data/README.md says; storydesk must not fall below the floors of tests/eval_baseline.json
(group "clean" of tests/eval_gate.py), nor below trafilatura on the same pages.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import ModuleType

import pytest


@pytest.mark.slow
def test_cleaning_on_the_check_pages_holds_its_floors(data_root: Path, gate: ModuleType) -> None:
    measured = gate.measure_clean()
    gate.assert_gate("clean", measured)
    assert measured["clean.check.aeb_shingle_f1"] >= measured["clean.check.aeb_shingle_f1_trafilatura"] - 0.005
    assert measured["clean.check.tev_segment_f1"] >= measured["clean.check.tev_segment_f1_trafilatura"]


def test_portions_are_the_data_readme_split(data_root: Path, gate: ModuleType) -> None:
    cq = gate.bench("clean_quality")
    truth = json.loads((data_root / "article-extraction-benchmark" / "ground-truth.json").read_text())
    check = [i for i in truth if cq.aeb_portion(i) == "check"]
    assert len(check) == 17 and len(truth) == 54  # the README's counts
    assert all(int(hashlib.sha1(i.encode()).hexdigest(), 16) % 3 == 0 for i in check)
    ev = json.loads((data_root / "trafilatura-eval" / "evaldata.json").read_text())
    assert sum(cq.tev_portion(u) == "check" for u in ev) == 104
    # by host: two pages of one site always sit on the same side
    assert cq.tev_portion("https://www.example.org/a/1") == cq.tev_portion("http://www.example.org/b?x=2")
    pages, _ = cq.load_aeb(None, "check")
    assert sorted(p[0] for p in pages) == sorted(check)
