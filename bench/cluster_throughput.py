"""Throughput of the clustering stage (articles/s) at growing store sizes, on real news text.

    .venv/bin/python bench/cluster_throughput.py                 # 1k and 10k
    .venv/bin/python bench/cluster_throughput.py --sizes 1000 10000 100000

Articles: NeuS/AllSides train+val leads (title + lead, three outlets per event) and ECB+
documents from ../shared/data, in that order; past the ~9k real articles, further articles are
remixes of three random real sentences (real vocabulary, distinct texts). Each size streams its
articles in batches of 500 into one StoryIndex, as `storydesk run` would over many runs.

Rows: `sparse` = the TF-IDF/entity path with neighbour search over hashed TF-IDF sketches
(settings.embed=False); `dense` = the default MiniLM path, whose time is split into embedding
(the model) and clustering (everything else), measured on the first 1k articles only because
the embedder runs at tens of texts/s on this shared 2-core machine.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from storydesk.cluster.features import lead  # noqa: E402
from storydesk.cluster.stories import StoryIndex  # noqa: E402
from storydesk.records import Article, content_id  # noqa: E402
from storydesk.settings import Settings  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
BATCH = 500


def real_articles() -> list[Article]:
    out = []
    for split in ("train", "val"):
        lines = (DATA / "neus-allsides" / f"{split}.source").read_text(encoding="utf-8").splitlines()
        for line in lines:
            for part in line.split("[SEP]"):
                title, _, body = part.partition("ARTICLE=>")
                title = title.replace("TITLE=>", "").strip().rstrip(".")
                out.append((title, body.strip()))
    with gzip.open(DATA / "ecbplus-events" / "docs.jsonl.gz", "rt", encoding="utf-8") as fh:
        out.extend((None, d["text"]) for d in map(json.loads, fh))
    return [Article(id=content_id(str(k), t, b), outlet=None, title=t, url=None, published=None,
                    language="en", raw_text=b, text=b) for k, (t, b) in enumerate(out)]


def corpus(n: int) -> list[Article]:
    real = real_articles()
    rng = random.Random(11)
    # shuffled once with a fixed seed, so every size draws the same mix of short leads and
    # long ECB+ documents and the time ratios measure scaling, not a change of corpus
    rng.shuffle(real)
    if n <= len(real):
        return real[:n]
    sents = [s for a in real for s in re.split(r"(?<=[.!?])\s+", a.text) if len(s.split()) > 6]
    out = list(real)
    while len(out) < n:
        text = " ".join(rng.sample(sents, 3))
        out.append(Article(id=content_id("remix", str(len(out)), text), outlet=None, title=None,
                           url=None, published=None, language="en", raw_text=text, text=text))
    return out


def run_sparse(arts: list[Article]) -> tuple[float, float, int, float, float]:
    """(wall seconds, CPU seconds, stories, resident memory growth MiB, saved state MiB) of streaming `arts`."""
    import gc

    import psutil

    gc.collect()
    rss0 = psutil.Process().memory_info().rss
    idx = StoryIndex.load(None, Settings(embed=False))
    t, c = time.perf_counter(), time.process_time()
    for s in range(0, len(arts), BATCH):
        idx.add(arts[s : s + BATCH])
    dt, cpu = time.perf_counter() - t, time.process_time() - c
    rss = (psutil.Process().memory_info().rss - rss0) / 2**20
    state = len(idx.dump()) / 2**20
    return dt, cpu, len(idx.members), rss, state


def run_dense(arts: list[Article]) -> tuple[float, float, float, float, int]:
    """(embed wall s, embed CPU s, cluster wall s, cluster CPU s, stories); CPU = this process's
    user+system time over all its threads (torch uses both cores)."""
    from storydesk.embed import embed, get_model

    get_model()
    t, c = time.perf_counter(), time.process_time()
    vecs = embed([lead(a) for a in arts])
    t_embed, c_embed = time.perf_counter() - t, time.process_time() - c
    idx = StoryIndex.load(None, Settings(embed=True))
    t, c = time.perf_counter(), time.process_time()
    for s in range(0, len(arts), BATCH):
        idx.add(arts[s : s + BATCH], vectors=vecs[s : s + BATCH])
    return t_embed, c_embed, time.perf_counter() - t, time.process_time() - c, len(idx.members)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--dense-size", type=int, default=1000, help="articles for the MiniLM row (0: skip)")
    args = ap.parse_args()
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} at start (shared with other jobs)")
    print(f"{'path':8} {'articles':>8} {'stories':>8} {'embed s':>8} {'cluster s':>9} {'art/s':>8} "
          f"{'CPU s':>8} {'art/CPUs':>8} {'+RSS MiB':>8} {'state MiB':>9} {'load':>5}")
    times, cpus = {}, {}
    for n in args.sizes:
        arts = corpus(n)
        dt, cpu, stories, rss, state = run_sparse(arts)
        times[n], cpus[n] = dt, cpu
        print(f"{'sparse':8} {n:8d} {stories:8d} {'-':>8} {dt:9.2f} {n / dt:8.1f} {cpu:8.2f} {n / cpu:8.1f} "
              f"{rss:8.0f} {state:9.1f} {os.getloadavg()[0]:5.1f}", flush=True)
    if args.dense_size:
        arts = corpus(args.dense_size)
        te, ce, tc, cc, stories = run_dense(arts)
        n = len(arts)
        print(f"{'dense':8} {n:8d} {stories:8d} {te:8.2f} {tc:9.2f} {n / tc:8.1f} {cc:8.2f} {n / cc:8.1f} {'-':>8} "
              f"{'-':>9} {os.getloadavg()[0]:5.1f}")
        print(f"dense with embedding: {n / (te + tc):.1f} art/s wall, embedding {ce:.1f} CPU s "
              f"({n / ce:.1f} leads per CPU-s; torch runs on both cores)")
    sizes = sorted(times)
    for a, b in itertools.pairwise(sizes):
        print(f"time({b})/time({a}) = {times[b] / times[a]:.2f} wall, {cpus[b] / cpus[a]:.2f} CPU  "
              f"(linear would be {b / a:.1f})")


if __name__ == "__main__":
    main()
