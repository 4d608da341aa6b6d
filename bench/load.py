"""A bounded load test of `storydesk serve`, on loopback only.

    .venv/bin/python bench/load.py                       # seeds store + 300-story synthetic store
    .venv/bin/python bench/load.py --requests 400 --concurrency 8 --synthetic 1000

Starts the real server (`python -m storydesk serve --host 127.0.0.1 --port <free port>`) as a
subprocess over (1) a store built by `storydesk run` on ../shared/corpus/seeds and (2) a larger
synthetic store (stories assembled from the seed texts, sentence-shuffled so every article is
distinct), then sends N requests from C threads over the page and API routes: the story list,
a story page, an article page, /api/stories, /api/stories/{id}, /api/articles/{id}. Prints
latency p50/p95/p99, throughput and errors per route. Nothing leaves 127.0.0.1.

The machine is shared (2 cores, other work running): the load average is printed with the table.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HOST = "127.0.0.1"  # never another interface: this is a local tool's load test
SEEDS = Path("../shared/corpus/seeds")


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(data_dir: Path, timeout: float = 90.0) -> Iterator[str]:
    """Run `storydesk serve` over `data_dir` on a free loopback port; yield its base URL."""
    port = free_port()
    env = {**os.environ, "STORYDESK_DATA": str(data_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "storydesk", "serve", "--host", HOST, "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            try:
                if httpx.get(base + "/api/stories?limit=1", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not answer in time")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def seed_store(data_dir: Path) -> Path:
    """A store made by the real pipeline on the seed articles."""
    from storydesk.pipeline import run
    from storydesk.settings import Settings

    run([SEEDS], data_dir.parent / "out", Settings(data_dir=data_dir))
    return data_dir


def synthetic_store(data_dir: Path, stories: int, per_story: int = 5, seed: int = 0) -> Path:
    """A store of `stories` stories of `per_story` articles each, made from the seed texts.

    Each article is a seed text with its sentences shuffled (so ids, search and pages differ);
    each story lists its articles with a brief, claims and a timeline from their sentences.
    """
    from storydesk.records import (
        Article,
        Assignment,
        BriefSentence,
        Claim,
        Passage,
        Provenance,
        Story,
        StoryArticle,
        TimelineEvent,
        content_id,
    )
    from storydesk.segment import split_text
    from storydesk.store.sqlite import open_store

    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    all_articles: list[Article] = []
    all_stories: list[Story] = []
    for s in range(stories):
        arts = []
        for k in range(per_story):
            sents = [t for _, _, t in split_text(texts[(s + k) % len(texts)])]
            rng.shuffle(sents)
            text = "\n".join(sents)
            aid = content_id("synthetic", str(s), str(k), text)
            published = f"2024-01-{1 + s % 28:02d}T0{k}:00:00Z"
            arts.append(Article(id=aid, outlet=f"Outlet {k}", title=f"Story {s}: {sents[0][:80]}",
                                url=f"https://outlet-{k}.example/{s}", published=published, language="en",
                                raw_text=text, text=text, provenance=Provenance(source="synthetic", fmt="text")))
        passages = []
        for a in arts:
            start, end, t = split_text(a.text)[0]
            passages.append(Passage(article=a.id, start=start, end=end, text=t))
        claims = tuple(Claim(id=f"c{i}", text=p.text, sources=(p.article,), passages=(p,))
                       for i, p in enumerate(passages))
        all_stories.append(Story(
            id=content_id("story", str(s)), title=arts[0].title or "story",
            articles=tuple(StoryArticle(id=a.id, outlet=a.outlet, title=a.title, url=a.url, published=a.published,
                                        language="en") for a in arts),
            brief=tuple(BriefSentence(text=p.text, sources=(p.article,), passages=(p,)) for p in passages[:3]),
            claims=claims,
            timeline=tuple(TimelineEvent(text=p.text, sources=(p.article,), order=i) for i, p in enumerate(passages)),
            first_seen=arts[0].published, last_seen=arts[-1].published, article_count=len(arts),
            outlet_count=len(arts), independent_sources=len(arts)))
        all_articles += arts
    with open_store(data_dir) as store:
        store.add_articles(all_articles)
        store.set_assignments(Assignment(article=a.id, story=st.id) for st in all_stories for a in st.articles)
        store.put_stories(all_stories)
    return data_dir


@dataclass
class Result:
    """Latencies (seconds) and errors of one route."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(q) - 1]


def targets(base: str, limit: int = 50) -> dict[str, list[str]]:
    """Per route, the URLs to request (ids read from the API itself)."""
    stories = httpx.get(f"{base}/api/stories?limit={limit}", timeout=30).json()
    articles = httpx.get(f"{base}/api/articles?limit={limit * 5}", timeout=30).json()
    sids = [s["id"] for s in stories]
    aids = [a["id"] for a in articles]
    return {
        "/ (story list)": ["/"],
        "/stories/{id}": [f"/stories/{i}" for i in sids],
        "/articles/{id}": [f"/articles/{i}" for i in aids],
        "/api/stories": ["/api/stories"],
        "/api/stories/{id}": [f"/api/stories/{i}" for i in sids],
        "/api/articles/{id}": [f"/api/articles/{i}" for i in aids],
    }


def run_load(base: str, requests: int, concurrency: int, seed: int = 0) -> tuple[dict[str, Result], float]:
    """Send `requests` GETs spread evenly over the routes from `concurrency` threads.

    Returns per-route results and the wall time of the whole run. A request that fails, times out
    or answers other than 200 counts as an error.
    """
    routes = targets(base)
    rng = random.Random(seed)
    names = [n for n in routes if routes[n]]
    plan = [(n, rng.choice(routes[n])) for n in (names * (requests // len(names) + 1))[:requests]]
    rng.shuffle(plan)
    results = {n: Result() for n in names}
    lock = threading.Lock()
    cursor = iter(plan)

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while True:
                with lock:
                    job = next(cursor, None)
                if job is None:
                    return
                name, path = job
                start = time.perf_counter()
                try:
                    ok = client.get(path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                took = time.perf_counter() - start
                with lock:
                    results[name].latencies.append(took)
                    results[name].errors += not ok

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - start


def table(label: str, results: dict[str, Result], wall: float) -> list[str]:
    """Rows of the printed table for one store."""
    rows = []
    everything = Result([x for r in results.values() for x in r.latencies], sum(r.errors for r in results.values()))
    for name, r in [*results.items(), ("all routes", everything)]:
        rate = f"{len(r.latencies) / wall:8.1f}" if name == "all routes" else f"{'':8}"
        rows.append(f"{label:18} {name:20} {len(r.latencies):6d} {r.percentile(50) * 1000:8.1f} "
                    f"{r.percentile(95) * 1000:8.1f} {r.percentile(99) * 1000:8.1f} {rate} {r.errors:6d}")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=600, help="requests per store")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--synthetic", type=int, default=300, help="stories in the synthetic store (0: none)")
    parser.add_argument("--no-seeds", action="store_true", help="skip the store built from the seeds")
    args = parser.parse_args(argv)
    header = (f"{'store':18} {'route':20} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} "
              f"{'errors':>6}")
    lines = [header]
    failed = 0
    load_at_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        stores = []
        if not args.no_seeds:
            t = time.perf_counter()
            stores.append(("seeds (pipeline)", seed_store(Path(tmp) / "seeds" / "data")))
            print(f"built the seeds store in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        if args.synthetic:
            t = time.perf_counter()
            label = f"synthetic {args.synthetic}x5"
            stores.append((label, synthetic_store(Path(tmp) / "synthetic", args.synthetic)))
            print(f"built the synthetic store in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        for label, data in stores:
            with serve(data) as base:
                run_load(base, 30, 2)  # warm-up: imports, templates, SQLite page cache
                results, wall = run_load(base, args.requests, args.concurrency)
            lines += table(label, results, wall)
            failed += sum(r.errors for r in results.values())
    print(f"{args.requests} requests per store from {args.concurrency} threads on {HOST}; load average "
          f"{load_at_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} CPUs")
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
