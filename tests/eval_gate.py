"""Evaluation gate on the CHECK portions of ../shared/data (its README, "Tune and check").

Check portions are run and reported, never read to change code; this gate only stops a change
that makes them worse. Floors (higher is better) only rise and ceilings (lower is better) only
fall: tests/eval_baseline.json holds today's values rounded down (up for a ceiling) to 3 decimals.

    .venv/bin/python tests/eval_gate.py                 # measure every group, exit 1 below a floor
    .venv/bin/python tests/eval_gate.py --only crosscheck ecbplus
    .venv/bin/python tests/eval_gate.py --raise-floors  # record values that beat the baseline

Groups (each measured by the bench that owns it, the same code and numbers as its CLI):
- crosscheck: the 36 `"split": "check"` items of crosscheck-gold/gold-more.jsonl, scored by
  bench/crosscheck_gold.py, each event as one story and all events as one corpus;
- clean: the check pages of article-extraction-benchmark and trafilatura-eval, by
  bench/clean_quality.py (its pytest form is tests/clean/test_quality_gate.py);
- ecbplus: ECB+ dev same-event clustering, B-cubed, in one batch and (mean and lowest of 10
  shuffles) in batches of 32, by bench/cluster_ecbplus.py.

Under pytest: tests/test_eval_gate.py (crosscheck, ecbplus) and tests/clean/test_quality_gate.py.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASELINE = Path(__file__).with_name("eval_baseline.json")
GROUPS = ("crosscheck", "clean", "ecbplus")
DECIMALS = 3
# lower is better: the share of look-alike traps flagged as discrepancies
CEILING_SUFFIXES = ("traps_flagged",)
# printed beside ours, never gated: another system's score on the same pages
REPORTED_SUFFIXES = ("_trafilatura",)


def bench(name: str) -> ModuleType:
    """bench/<name>.py as a module (bench/ is scripts, not a package), loaded once."""
    key = f"storydesk_bench_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, ROOT / "bench" / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


# --------------------------------------------------------------------------- measuring


def measure_crosscheck() -> dict[str, float]:
    """crosscheck-gold check items: found/flagged shares, per event and as one corpus."""
    res = bench("crosscheck_gold").evaluate(gold_file="gold-more.jsonl", split="check", mode="both")
    out: dict[str, float] = {}
    for mode, key in (("per_event", "stories_mode"), ("one_corpus", "corpus_mode")):
        s = res[key]
        out[f"crosscheck.check.{mode}.discrepancies_found"] = s["discrepancies found"]
        out[f"crosscheck.check.{mode}.agreements_found"] = s["agreements found"]
        out[f"crosscheck.check.{mode}.traps_flagged"] = s["traps flagged"]
    return out


def measure_clean() -> dict[str, float]:
    """storydesk's cleaning on the check pages: shingle P/R/F1 (AEB), segment P/R/F1 (trafilatura-eval),
    and plain trafilatura's F1 on the same pages (reported, and storydesk must not fall below it)."""
    cq = bench("clean_quality")
    cq.warm_up()
    scores = cq.measure_portion("check")["scores"]
    return {f"clean.check.{k}": v for k, v in scores.items()}


def measure_ecbplus() -> dict[str, float]:
    """ECB+ dev clustering, B-cubed of the shipped MiniLM+sparse scorer, one batch."""
    r = bench("cluster_ecbplus").dev_bcubed(dense=True, batches=True)
    out = {f"ecbplus.dev.bcubed_{k}": float(r[k]) for k in ("precision", "recall", "f1")}
    # streamed in batches of 32 (issue 22): an early split must heal
    out |= {f"ecbplus.dev.{k}": float(r[k]) for k in ("batches_mean_f1", "batches_min_f1")}
    return out


MEASURE = {"crosscheck": measure_crosscheck, "clean": measure_clean, "ecbplus": measure_ecbplus}


# --------------------------------------------------------------------------- gating


def load_baseline(path: Path = BASELINE) -> dict[str, Any]:
    if not path.exists():
        return {"floors": {}, "ceilings": {}}
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    doc.setdefault("floors", {})
    doc.setdefault("ceilings", {})
    return doc


def failures(measured: dict[str, float], baseline: dict[str, Any], group: str) -> list[str]:
    """One line per gated metric of `group` that got worse: metric, value, floor (or ceiling).

    A metric of the baseline that was not measured fails too: a gate must not pass by omission.
    """
    out = []
    for kind, worse in (("floors", lambda v, b: v < b), ("ceilings", lambda v, b: v > b)):
        for metric, bound in sorted(baseline[kind].items()):
            if not metric.startswith(f"{group}."):
                continue
            if metric not in measured:
                out.append(f"{metric}: not measured ({kind[:-1]} {bound:.3f})")
            elif worse(measured[metric], bound):
                out.append(f"{metric}: value {measured[metric]:.4f} {'<' if kind == 'floors' else '>'} "
                           f"{kind[:-1]} {bound:.3f}")
    return out


def report(measured: dict[str, float], baseline: dict[str, Any]) -> str:
    """The measured values beside their floors / ceilings, one metric a line."""
    lines = []
    for metric, value in sorted(measured.items()):
        if metric in baseline["floors"]:
            bound = f">= {baseline['floors'][metric]:.3f}"
        elif metric in baseline["ceilings"]:
            bound = f"<= {baseline['ceilings'][metric]:.3f}"
        else:
            bound = "(reported)"
        lines.append(f"  {metric:52} {value:7.4f}  {bound}")
    return "\n".join(lines)


def assert_gate(group: str, measured: dict[str, float], baseline: dict[str, Any] | None = None) -> None:
    """Print the group's numbers; raise AssertionError listing every metric below its floor."""
    baseline = baseline if baseline is not None else load_baseline()
    print(f"eval gate, {group}:\n{report(measured, baseline)}")
    failed = failures(measured, baseline, group)
    if failed:
        raise AssertionError(f"eval gate {group} failed ({BASELINE.name}):\n  " + "\n  ".join(failed))


def direction(metric: str) -> str | None:
    """"ceilings" for a metric where lower is better, None for one only reported, else "floors"."""
    if metric.endswith(REPORTED_SUFFIXES):
        return None
    return "ceilings" if metric.endswith(CEILING_SUFFIXES) else "floors"


def raised(measured: dict[str, float], baseline: dict[str, Any]) -> dict[str, Any]:
    """The baseline with each gated metric moved to today's value where that is better (a new
    metric is added): floors rounded down and ceilings rounded up to DECIMALS, so a rerun of the
    same code passes."""
    scale = 10**DECIMALS
    new = {**baseline, "floors": dict(baseline["floors"]), "ceilings": dict(baseline["ceilings"])}
    for metric, value in sorted(measured.items()):
        kind = direction(metric)
        if kind == "ceilings":
            bound = math.ceil(value * scale - 1e-9) / scale
            new[kind][metric] = min(new[kind].get(metric, math.inf), bound)
        elif kind == "floors":
            bound = math.floor(value * scale + 1e-9) / scale
            new[kind][metric] = max(new[kind].get(metric, -math.inf), bound)
    new["floors"] = dict(sorted(new["floors"].items()))
    new["ceilings"] = dict(sorted(new["ceilings"].items()))
    return new


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="+", choices=GROUPS, default=list(GROUPS), help="groups to measure")
    ap.add_argument("--raise-floors", action="store_true",
                    help="write better values into the baseline (floors up, ceilings down; never the reverse)")
    args = ap.parse_args(argv)
    baseline = load_baseline()
    failed: list[str] = []
    measured: dict[str, float] = {}
    for group in args.only:
        t0 = time.perf_counter()
        got = MEASURE[group]()
        measured |= got
        print(f"{group} ({time.perf_counter() - t0:.0f} s):\n{report(got, baseline)}", flush=True)
        failed += failures(got, baseline, group)
    if args.raise_floors:
        BASELINE.write_text(json.dumps(raised(measured, baseline), indent=2) + "\n", encoding="utf-8")
        print(f"baseline written: {BASELINE}")
    if failed:
        print("EVAL GATE FAILED:\n  " + "\n  ".join(failed))
        return 1
    print("eval gate passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
