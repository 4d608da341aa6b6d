"""CPU cost of `storydesk run` against plain trafilatura on the same real HTML pages (issue 21).

    .venv/bin/python bench/analysis_cost.py                 # both shared sets: 351 pages
    .venv/bin/python bench/analysis_cost.py --limit 60      # the first 60 pages, for a quick look
    .venv/bin/python bench/analysis_cost.py --profile 80    # cProfile of the run on 80 pages

The pages are the shared trafilatura-eval (297) and article-extraction-benchmark (54) HTML pages,
read in place from ../shared/data (never copied into the repo). Nearly all are unrelated, so a run
over them is almost all one-article stories: the case where analysis should cost no more than the
article's lead.

Each side runs in a fresh child process, one after the other in the same invocation (this box is
shared, so CPU seconds, not wall seconds, are compared):
  storydesk    `storydesk.pipeline.run` (what `storydesk run PATH --out DIR` calls) into a temp
               data dir, with the settings from the environment (default: 1 worker, embeddings on);
               CPU of the process and all its children, the CPU of each stage the run reports
               (from its progress calls) and the run's per-stage wall timings
  trafilatura  `trafilatura.extract` on each page's bytes, default options
Both figures include the side's imports and model loads ("process") and, separately, only the
measured call ("call"). The ratio printed is storydesk call / trafilatura call, and the same for
whole processes.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("STORYDESK_SHARED", ROOT.parent / "shared")) / "data"
SETS = ("trafilatura-eval", "article-extraction-benchmark")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import tree_cpu_s  # noqa: E402  (bench/ is a folder of scripts, not a package)


def pages(limit: int | None) -> list[Path]:
    """The shared HTML pages, in a fixed order (set, then file name)."""
    found = [p for s in SETS for p in sorted((DATA / s / "html").glob("*.html*"))]
    return found[:limit] if limit else found


def _link(files: list[Path], into: Path) -> Path:
    """A directory of symlinks to `files`, so a run reads exactly those pages in place."""
    into.mkdir(parents=True, exist_ok=True)
    for i, f in enumerate(files):
        (into / f"{i:04d}-{f.name}").symlink_to(f)
    return into


class StageCPU:
    """A pipeline `Progress` that records the process tree's CPU seconds spent in each stage."""

    def __init__(self) -> None:
        self.cpu_s: dict[str, float] = {}
        self._stage: str | None = None
        self._since = 0.0

    def stage(self, name: str, total: int | None = None) -> None:
        self.close()
        self._stage, self._since = name, tree_cpu_s()

    def close(self) -> None:
        if self._stage is not None:
            self.cpu_s[self._stage] = round(self.cpu_s.get(self._stage, 0.0) + tree_cpu_s() - self._since, 2)
        self._stage = None

    def advance(self, n: int = 1) -> None:
        pass

    def skipped(self, skip: object) -> None:
        pass


def child_storydesk(files: list[Path], profile: bool) -> dict[str, Any]:
    from storydesk.pipeline import run
    from storydesk.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        src = _link(files, Path(tmp) / "pages")
        settings = Settings.from_env(data_dir=Path(tmp) / "data")
        cpu = tree_cpu_s()
        t = time.perf_counter()
        # timed by process CPU (all threads), not wall: the box is shared
        prof = cProfile.Profile(time.process_time) if profile else None
        if prof:
            prof.enable()
        stages = StageCPU()
        try:
            summary = run([src], Path(tmp) / "out", settings, progress=stages)
            stages.close()
        finally:
            if prof:  # printed even when the run fails, to see where it spent its time
                prof.disable()
                stats = pstats.Stats(prof, stream=sys.stderr)
                stats.sort_stats("cumulative").print_stats(45)
                stats.sort_stats("tottime").print_stats(30)
                stats.sort_stats("cumulative").print_stats(r"storydesk/(crosscheck|brief|cluster|segment|embed)", 40)
        elapsed = time.perf_counter() - t
        call_cpu = tree_cpu_s() - cpu
    return {
        "call_cpu_s": round(call_cpu, 2), "process_cpu_s": round(tree_cpu_s(), 2), "wall_s": round(elapsed, 2),
        "workers": settings.workers, "embed": settings.embed,
        "articles": summary.ingested, "skipped": len(summary.skipped), "stories": summary.stories,
        "timings": {k: round(v, 2) for k, v in summary.timings.items()},
        # CPU from each stage's start to the next's (the first stage's share includes the
        # engine's start and the models it loads)
        "stage_cpu_s": stages.cpu_s,
    }


def child_trafilatura(files: list[Path]) -> dict[str, Any]:
    import trafilatura

    cpu = tree_cpu_s()
    t = time.perf_counter()
    extracted = 0
    for f in files:
        raw = f.read_bytes()
        text = trafilatura.extract(gzip.decompress(raw) if f.suffix == ".gz" else raw)
        extracted += bool(text)
    return {"call_cpu_s": round(tree_cpu_s() - cpu, 2), "process_cpu_s": round(tree_cpu_s(), 2),
            "wall_s": round(time.perf_counter() - t, 2), "extracted": extracted}


def _in_child(side: str, limit: int | None) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", side] + (["--limit", str(limit)] if limit else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"{side} child failed with exit code {out.returncode}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="only the first N pages")
    ap.add_argument("--profile", type=int, default=None, metavar="N",
                    help="cProfile `storydesk run` on the first N pages (to stderr), nothing else")
    ap.add_argument("--child", choices=("storydesk", "trafilatura"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.profile:
        print(json.dumps(child_storydesk(pages(args.profile), profile=True)))
        return
    if args.child == "storydesk":
        print(json.dumps(child_storydesk(pages(args.limit), profile=False)))
        return
    if args.child == "trafilatura":
        print(json.dumps(child_trafilatura(pages(args.limit))))
        return
    n = len(pages(args.limit))
    load = round(os.getloadavg()[0], 2)
    sd = _in_child("storydesk", args.limit)
    tr = _in_child("trafilatura", args.limit)
    result = {
        "pages": n, "load_avg_1m_at_start": load, "storydesk": sd, "trafilatura": tr,
        "ratio_call": round(sd["call_cpu_s"] / max(tr["call_cpu_s"], 1e-9), 2),
        "ratio_process": round(sd["process_cpu_s"] / max(tr["process_cpu_s"], 1e-9), 2),
    }
    print(json.dumps(result, indent=2))
    print(f"{n} pages: storydesk {sd['call_cpu_s']} CPU-s (process {sd['process_cpu_s']}), "
          f"trafilatura {tr['call_cpu_s']} CPU-s (process {tr['process_cpu_s']}); "
          f"ratio {result['ratio_call']}x (process {result['ratio_process']}x)")


if __name__ == "__main__":
    main()
