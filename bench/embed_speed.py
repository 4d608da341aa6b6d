"""MiniLM embedding speed (texts/s) and agreement per backend: torch, onnxruntime fp32, onnxruntime int8.

    nice .venv/bin/python bench/embed_speed.py                 # 1 and 2 threads, 400 texts of each kind
    nice .venv/bin/python bench/embed_speed.py --threads 1 --n 200

Texts, from ../shared/data/neus-allsides (train): `leads` = `features.lead(article)` of NeuS articles
(title + lead, at most 320 characters: what clustering embeds, ~300 characters on average), and
`sentences` = single sentences of those articles, 40-160 characters (what the cross-check claim
index and the brief embed). Each backend encodes the texts directly (storydesk.embed's vector
cache is bypassed) after a short warm-up; wall time and this process's CPU time are both shown,
because the machine is shared. `cos` = mean cosine to the torch vectors of the same texts.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from cluster_throughput import real_articles  # noqa: E402
from storydesk import embed as emb  # noqa: E402
from storydesk.cluster.features import lead  # noqa: E402


def texts(n: int) -> dict[str, list[str]]:
    """`n` leads and `n` sentences of NeuS articles, in file order (no sampling: reproducible)."""
    arts = [a for a in real_articles() if a.title]  # NeuS articles have titles, ECB+ documents do not
    leads = [lead(a) for a in arts[:n]]
    sents: list[str] = []
    for a in arts:
        sents.extend(s for s in re.split(r"(?<=[.!?])\s+", a.text) if 40 <= len(s) <= 160)
        if len(sents) >= n:
            break
    return {"leads": leads, "sentences": sents[:n]}


def encoder(backend: str, threads: int) -> emb.Encoder:
    """A fresh encoder of `backend` using `threads` math threads."""
    if backend == "torch":
        import torch

        torch.set_num_threads(threads)
        return emb.TorchEncoder()
    return emb.OnnxEncoder(int8=backend == "onnx-int8", n_threads=threads)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--n", type=int, default=400, help="texts of each kind")
    ap.add_argument("--backends", nargs="+", default=["torch", "onnx", "onnx-int8"])
    args = ap.parse_args()
    data = texts(args.n)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start (shared); "
          f"{args.n} texts of each kind, mean {np.mean([len(t) for t in data['leads']]):.0f} / "
          f"{np.mean([len(t) for t in data['sentences']]):.0f} characters")
    print(f"{'backend':10} {'threads':>7} {'texts':>9} {'texts/s':>8} {'per CPU-s':>9} {'cos':>7} {'load':>5}")
    ref: dict[str, np.ndarray] = {}
    for threads in args.threads:
        for backend in args.backends:
            enc = encoder(backend, threads)
            enc.encode(data["sentences"][:16])  # warm-up: first-call allocations, lazy init
            for kind, tx in data.items():
                t, c = time.perf_counter(), time.process_time()
                v = enc.encode(tx)
                dt, cpu = time.perf_counter() - t, time.process_time() - c
                if backend == "torch" and kind not in ref:
                    ref[kind] = v
                cos = f"{float(np.mean(np.sum(v * ref[kind], axis=1))):.5f}" if kind in ref else "-"
                print(f"{backend:10} {threads:7d} {kind:>9} {len(tx) / dt:8.1f} {len(tx) / cpu:9.1f} {cos:>7} "
                      f"{os.getloadavg()[0]:5.1f}", flush=True)


if __name__ == "__main__":
    main()
