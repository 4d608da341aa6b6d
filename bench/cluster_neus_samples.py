"""NeuS TRAIN samples the size of val, for choosing clustering constants (tune portion only).

    nice .venv/bin/python bench/cluster_neus_samples.py                       # shipped constants
    nice .venv/bin/python bench/cluster_neus_samples.py --set MUTUAL_LOW=0.05 --set TITLED_SLACK=0.05

Why samples: how hard one corpus is depends on its size. All of NeuS train as one corpus (2,452
events, years of US politics) is full of look-alike events, so it scores far lower (shipped:
0.784 / 0.774 pipeline / shuffled) and rewards precision above all, while val is 307 events.
Several train samples of val's size (fixed seeds) measure the regime val is scored in and average
out one sample's luck. Each sample is streamed as one corpus in the pipeline's order and shuffled,
as bench/cluster_neus.py does (same Article records, same cached MiniLM vectors). Val is not read.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import cluster_neus as cn  # noqa: E402
from storydesk.cluster.stories import DENSE_SCORER  # noqa: E402

VAL_EVENTS = 307
SEEDS = (21, 22, 23, 24, 25, 26)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a storydesk.cluster.stories number constant for this run (repeatable)")
    ap.add_argument("--events", type=int, default=VAL_EVENTS, help="events per sample")
    ap.add_argument("--seeds", default=",".join(map(str, SEEDS)), help="sample seeds")
    args = ap.parse_args()
    kw: dict[str, object] = {}
    for item in args.set:
        name, _, value = item.partition("=")
        kw[name] = float(value)
    full = cn.neus("train")
    vecs = cn.vectors(full[0], "train")
    t = time.perf_counter()
    f1: dict[str, list[float]] = {"pipeline": [], "shuffle": []}
    with cn.constants(**kw):
        for seed in (int(s) for s in args.seeds.split(",")):
            arts, gold = cn.neus("train", args.events, seed=seed)
            for order in f1:
                f1[order].append(cn.score(arts, gold, vecs, DENSE_SCORER, order)[2])
    p, s = statistics.mean(f1["pipeline"]), statistics.mean(f1["shuffle"])
    print(f"{kw or 'shipped'}: NeuS train {len(f1['pipeline'])} samples of {args.events} events, B3-F1 "
          f"pipeline {p:.4f} shuffle {s:.4f} mean {(p + s) / 2:.4f} min {min(f1['pipeline'] + f1['shuffle']):.3f} "
          f"({time.perf_counter() - t:.0f}s, {cn.stamp()})")


if __name__ == "__main__":
    main()
