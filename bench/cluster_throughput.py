"""Throughput of the clustering stage (articles/s) at growing store sizes, on real news text.

    .venv/bin/python bench/cluster_throughput.py                 # 1k and 10k, sparse and dense
    .venv/bin/python bench/cluster_throughput.py --sizes 1000 10000 100000 --dense-sizes 1000 10000 100000

Two corpora (--corpus):
  news   (default) bench/throughput.py's day of news: stories drawn with Zipf-like popularity
         from NeuS/AllSides, ECB+ and the extraction benchmark, each article one outlet's report
         (a real headline and lead, then sentences from the story's other reports), ~8% wire
         copies, a quarter as HTML pages (tags stripped here, navigation text kept), publication
         times over one day. Every size is a prefix of the same stream, so the sizes differ in
         how many articles there are, not in what kind.
  remix  NeuS/AllSides train+val leads (title + lead, three outlets per event) and ECB+
         documents, in a fixed shuffled order; past the ~9k real articles, further articles are
         remixes of three random real sentences (real vocabulary, distinct texts). The mix changes
         with the size (10k: 90% real, 100k: 91% remix), and a remix belongs to no event, so
         its 100k rows measure how far random sentence triples chain together (sparse: stories of
         over 1,000 articles) as much as scaling; kept to compare with earlier numbers.
Each size streams its articles in batches of 500 into one StoryIndex, as `storydesk run` would
over many runs.

Rows: `sparse` = the TF-IDF/entity path with neighbour search over hashed TF-IDF sketches
(settings.embed=False); `dense` = the default MiniLM path with the vectors precomputed, as the
pipeline runs it (the per-article embed stage, engine/candidates.py, hands clustering its vectors):
only `StoryIndex.add` is timed. Its vectors, cached on disk under /tmp/storydesk-bench-cache by
content and backend: news, every distinct lead embedded (24k of them at 100k articles: reports
of one outlet's text share it); remix, each real article's lead embedded and each remix given the
normalised sum of the vectors of the three real articles it borrows sentences from, not an
embedding of its own text (embedding 100k distinct texts would take hours here). The embed stage's
own speed is timed apart, on 300 leads encoded afresh in this process.
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

import numpy as np

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


def corpus_with_sources(n: int) -> tuple[list[Article], list[tuple[int, ...]]]:
    """`n` articles, and for each the positions (in the list) of the real articles its text comes
    from: itself for a real article, the three whose sentences it borrows for a remix."""
    real = real_articles()
    rng = random.Random(11)
    # shuffled once with a fixed seed, so every size draws the same mix of short leads and
    # long ECB+ documents and the time ratios measure scaling, not a change of corpus
    rng.shuffle(real)
    if n <= len(real):
        return real[:n], [(k,) for k in range(n)]
    sents = [(s, k) for k, a in enumerate(real) for s in re.split(r"(?<=[.!?])\s+", a.text) if len(s.split()) > 6]
    out, src = list(real), [(k,) for k in range(len(real))]
    while len(out) < n:
        picked = rng.sample(sents, 3)
        text = " ".join(s for s, _ in picked)
        out.append(Article(id=content_id("remix", str(len(out)), text), outlet=None, title=None,
                           url=None, published=None, language="en", raw_text=text, text=text))
        src.append(tuple(k for _, k in picked))
    return out, src


def corpus(n: int) -> list[Article]:
    """The first `n` articles of the remix corpus (see the module docstring)."""
    return corpus_with_sources(n)[0]


def news_corpus(n: int) -> list[Article]:
    """The first `n` articles of bench/throughput.py's corpus, built as its cluster row builds them."""
    import throughput

    out = []
    for r in throughput.iter_corpus(n):
        text = r.get("text") or re.sub(r"<[^>]+>", " ", r.get("html", ""))
        out.append(Article(id=content_id(r.get("url"), text), outlet=r.get("outlet"), title=r.get("title"),
                           url=r.get("url"), published=r.get("published"), language="en", raw_text=text,
                           text=text))
    return out


def _embed_cached(texts: list[str]) -> np.ndarray:
    """MiniLM vectors of `texts`, cached on disk by content and backend."""
    from cluster_ecbplus import embed_cached

    return embed_cached(texts, "throughput")


def news_vectors(arts: list[Article]) -> np.ndarray:
    """MiniLM vectors of the articles' leads, each distinct lead embedded once."""
    leads = [lead(a) for a in arts]
    distinct = sorted(set(leads))
    row = {t: r for r, t in enumerate(distinct)}
    vecs = _embed_cached(distinct)
    return np.ascontiguousarray(vecs[[row[t] for t in leads]], dtype=np.float32)


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


def dense_vectors(arts: list[Article], src: list[tuple[int, ...]]) -> np.ndarray:
    """MiniLM vectors for `arts`: each real article's lead embedded (once, cached on disk by
    content and backend), each remix given the normalised sum of its three sources' vectors."""
    need = sorted({k for s in src for k in s})
    real = _embed_cached([lead(arts[k]) for k in need])
    row = {k: r for r, k in enumerate(need)}
    vecs = np.stack([real[[row[k] for k in s]].sum(axis=0) for s in src]).astype(np.float32)
    return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)


def embed_speed(arts: list[Article], n: int = 300) -> tuple[str, int, float, float]:
    """(backend, texts, wall s, CPU s) of the embed stage on the first `n` leads, encoded afresh
    (no vector cache), as the per-article stage runs it in one process."""
    from storydesk.embed import get_model

    enc = get_model()
    texts = [lead(a) for a in arts[:n]]
    enc.encode(texts[:16])  # warm-up
    t, c = time.perf_counter(), time.process_time()
    enc.encode(texts)
    return enc.backend, len(texts), time.perf_counter() - t, time.process_time() - c


def run_dense(arts: list[Article], vecs: np.ndarray) -> tuple[float, float, int]:
    """(wall s, CPU s, stories) of streaming `arts` with their precomputed vectors (as the pipeline
    hands clustering the per-article embed stage's vectors: engine/candidates.py)."""
    idx = StoryIndex.load(None, Settings(embed=True))
    t, c = time.perf_counter(), time.process_time()
    for s in range(0, len(arts), BATCH):
        idx.add(arts[s : s + BATCH], vectors=vecs[s : s + BATCH])
    return time.perf_counter() - t, time.process_time() - c, len(idx.members)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000],
                    help="articles for the sparse rows (none: skip)")
    ap.add_argument("--dense-sizes", type=int, nargs="*", default=[1000, 10000],
                    help="articles for the MiniLM rows (none: skip)")
    ap.add_argument("--corpus", choices=("news", "remix"), default="news",
                    help="news: bench/throughput.py's corpus; remix: real leads, then sentence remixes")
    args = ap.parse_args()
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} at start (shared with other jobs); "
          f"corpus: {args.corpus}")
    print(f"{'path':8} {'articles':>8} {'stories':>8} {'cluster s':>9} {'art/s':>8} "
          f"{'CPU s':>8} {'art/CPUs':>8} {'+RSS MiB':>8} {'state MiB':>9} {'load':>5}")
    times: dict[str, dict[int, float]] = {"sparse": {}, "dense": {}}
    cpus: dict[str, dict[int, float]] = {"sparse": {}, "dense": {}}
    for n in args.sizes:
        dt, cpu, stories, rss, state = run_sparse(news_corpus(n) if args.corpus == "news" else corpus(n))
        times["sparse"][n], cpus["sparse"][n] = dt, cpu
        print(f"{'sparse':8} {n:8d} {stories:8d} {dt:9.2f} {n / dt:8.1f} {cpu:8.2f} {n / cpu:8.1f} "
              f"{rss:8.0f} {state:9.1f} {os.getloadavg()[0]:5.1f}", flush=True)
    speed, first = None, None
    for n in args.dense_sizes:
        if args.corpus == "news":
            arts = news_corpus(n)
            vecs = news_vectors(arts)
        else:
            arts, src = corpus_with_sources(n)
            vecs = dense_vectors(arts, src)
        dt, cpu, stories = run_dense(arts, vecs)
        first = first if first is not None else arts
        times["dense"][n], cpus["dense"][n] = dt, cpu
        print(f"{'dense':8} {n:8d} {stories:8d} {dt:9.2f} {n / dt:8.1f} {cpu:8.2f} {n / cpu:8.1f} {'-':>8} "
              f"{'-':>9} {os.getloadavg()[0]:5.1f}", flush=True)
    # the embed stage is timed after every clustering row, so it cannot disturb them: the one dense
    # 10k row timed right after it read 21.3 CPU-s, against 14.2-17.1 s in runs without it just
    # before (cause not established: the encoder's session has spinning turned off, embed.py)
    if first is not None:
        speed = embed_speed(first)
    if speed is not None:
        backend, k, wall, cpu = speed
        print(f"embed stage ({backend}, one process): {k} leads in {wall:.1f} s = {k / wall:.1f} texts/s wall, "
              f"{k / cpu:.1f} per CPU-s")
    for path in ("sparse", "dense"):
        for a, b in itertools.pairwise(sorted(times[path])):
            print(f"{path}: time({b})/time({a}) = {times[path][b] / times[path][a]:.2f} wall, "
                  f"{cpus[path][b] / cpus[path][a]:.2f} CPU  (linear would be {b / a:.1f})")


if __name__ == "__main__":
    main()
