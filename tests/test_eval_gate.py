"""The evaluation gate (tests/eval_gate.py) in CI: check-portion scores may not fall below the
floors of tests/eval_baseline.json. The cleaning group runs in tests/clean/test_quality_gate.py.

Each gate test measures with the bench that owns the number (the same code its CLI prints);
a failure lists every metric with its value and its floor.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType

import pytest


@pytest.mark.slow
def test_crosscheck_gold_check_items_hold_their_floors(shared_dir: Path, gate: ModuleType) -> None:
    gate.assert_gate("crosscheck", gate.measure_crosscheck())


@pytest.mark.slow
def test_ecbplus_dev_clustering_holds_its_floors(shared_dir: Path, gate: ModuleType) -> None:
    gate.assert_gate("ecbplus", gate.measure_ecbplus())


def test_the_baseline_gates_every_group_on_check_numbers_only(gate: ModuleType) -> None:
    doc = json.loads(gate.BASELINE.read_text(encoding="utf-8"))
    metrics = [*doc["floors"], *doc["ceilings"]]
    assert {m.split(".")[0] for m in metrics} == set(gate.GROUPS)
    # a gated number comes from a check portion (ECB+'s is called dev), never from tune
    assert all(m.split(".")[1] in ("check", "dev") for m in metrics), metrics
    assert all(0.0 <= v <= 1.0 for v in [*doc["floors"].values(), *doc["ceilings"].values()])


def test_a_failing_gate_names_metric_value_and_floor(gate: ModuleType) -> None:
    baseline = {"floors": {"crosscheck.check.per_event.agreements_found": 0.6,
                           "crosscheck.check.one_corpus.agreements_found": 0.6},
                "ceilings": {"crosscheck.check.per_event.traps_flagged": 0.2}}
    measured = {"crosscheck.check.per_event.agreements_found": 0.5,
                "crosscheck.check.per_event.traps_flagged": 0.3}
    lines = gate.failures(measured, baseline, "crosscheck")
    assert "crosscheck.check.per_event.agreements_found: value 0.5000 < floor 0.600" in lines
    assert "crosscheck.check.per_event.traps_flagged: value 0.3000 > ceiling 0.200" in lines
    # a gated metric that was not measured fails instead of passing by omission
    assert "crosscheck.check.one_corpus.agreements_found: not measured (floor 0.600)" in lines
    assert gate.failures(measured, baseline, "clean") == []
    with pytest.raises(AssertionError, match=re.escape("agreements_found: value 0.5000 < floor 0.600")):
        gate.assert_gate("crosscheck", measured, baseline)


def test_values_at_their_floor_pass(gate: ModuleType) -> None:
    baseline = {"floors": {"ecbplus.dev.bcubed_f1": 0.954}, "ceilings": {"crosscheck.check.x.traps_flagged": 0.2}}
    measured = {"ecbplus.dev.bcubed_f1": 0.9543, "crosscheck.check.x.traps_flagged": 0.2}
    assert gate.failures(measured, baseline, "ecbplus") == []
    assert gate.failures(measured, baseline, "crosscheck") == []


def test_floors_only_rise_and_ceilings_only_fall(gate: ModuleType) -> None:
    baseline = {"note": "kept", "floors": {"clean.check.a_f1": 0.95, "clean.check.b_f1": 0.9},
                "ceilings": {"crosscheck.check.per_event.traps_flagged": 0.2}}
    measured = {"clean.check.a_f1": 0.93, "clean.check.b_f1": 0.91789,
                "crosscheck.check.per_event.traps_flagged": 0.1, "crosscheck.check.one_corpus.traps_flagged": 0.1251,
                "clean.check.c_f1_trafilatura": 0.97, "ecbplus.dev.bcubed_f1": 0.95439}
    new = gate.raised(measured, baseline)
    assert new["note"] == "kept"
    assert new["floors"]["clean.check.a_f1"] == 0.95  # a worse value never lowers a floor
    assert new["floors"]["clean.check.b_f1"] == 0.917  # rounded down: the same run passes again
    assert new["floors"]["ecbplus.dev.bcubed_f1"] == 0.954
    assert new["ceilings"]["crosscheck.check.per_event.traps_flagged"] == 0.1
    assert new["ceilings"]["crosscheck.check.one_corpus.traps_flagged"] == 0.126  # rounded up
    assert "clean.check.c_f1_trafilatura" not in new["floors"]  # another system's score: reported only
    assert gate.failures(measured, new, "clean") == ["clean.check.a_f1: value 0.9300 < floor 0.950"]
