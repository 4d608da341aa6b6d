"""Throughput of storydesk at N articles: per stage, end to end, peak memory, store size.

    .venv/bin/python bench/throughput.py --sizes 1000,10000 --workers 2
    .venv/bin/python bench/throughput.py --sizes 1000 --engines local,dask --cluster-sizes 10000,100000

The corpus is built from public text read in place from ../shared/data (never copied into the
repo): NeuS/AllSides story leads (three outlets' reports of one story), ECB+ documents (66 events,
several reports each) and the article-extraction-benchmark bodies. Stories are drawn with a
Zipf-like popularity (a few big stories, a long tail); each article is one outlet's report of its
story (that report's headline and lead, then sentences from the story's other reports in a new
order), ~8% are verbatim wire copies under another outlet, ~20% carry page chrome (newsletter
prompts, related links, captions) for cleaning to remove, and `--html-fraction` of them come as
HTML pages with navigation and footer rather than text. Articles are spread over one day.

Every measurement runs in a fresh child process, so peak RSS (psutil, the process and all its
children, sampled every 0.1 s) belongs to that measurement alone:
  stages   each per-article stage alone on min(N, --stage-sample) articles: ingest, clean,
           segment, embed (title + lead), store insert
  ingest   the streaming half of a run (pipeline.ingest: read, clean, store in batches), whose
           memory should stay flat in N
  e2e      storydesk.pipeline.run end to end (ingest, cluster, cross-check, brief, reports)
  cluster  StoryIndex.add alone over N pre-built articles, for time(100k) / time(10k)
Results go to bench/results/throughput.json and a table on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import html as htmlmod
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("STORYDESK_SHARED", ROOT.parent / "shared")) / "data"
RESULTS = ROOT / "bench" / "results" / "throughput.json"
SHARD = 5000  # articles per JSONL file: the corpus is a directory, as a day's dump would be

CHROME = [
    "Sign up for our daily newsletter to get the top stories in your inbox.",
    "Support independent journalism: donate today.",
    "Read more: {other}",
    "Related: {other}",
    "What do you think? Leave a comment below.",
    "Photo: {outlet} / File",
    "Follow us on X and Facebook for the latest updates.",
    "Copyright {year} {outlet}. All rights reserved.",
]


# --------------------------------------------------------------------------- corpus


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?\"”’'])\s+(?=[A-Z“\"‘'])", text.strip())
    return [p.strip() for p in parts if len(p.strip()) > 2]


def _load_stories() -> list[list[tuple[str, list[str]]]]:
    """Stories as lists of reports, each (headline, sentences), from the shared data sets."""
    stories: list[list[tuple[str, list[str]]]] = []
    # NeuS: one line = one story told by three outlets (left / centre / right)
    for split in ("train", "val"):
        path = DATA / "neus-allsides" / f"{split}.source"
        for line in path.read_text(encoding="utf-8").splitlines():
            reports = []
            for part in line.split("[SEP]"):
                m = re.match(r"\s*TITLE=>\s*(.*?)\s*ARTICLE=>\s*(.*)", part, re.S)
                if m and m.group(2).strip():
                    title = m.group(1).strip().rstrip(".")
                    reports.append((title, _sentences(m.group(2))))
            if reports:
                stories.append(reports)
    # ECB+: documents grouped by their gold event; the first line reads as the headline
    events: dict[str, list[tuple[str, list[str]]]] = {}
    with gzip.open(DATA / "ecbplus-events" / "docs.jsonl.gz", "rt", encoding="utf-8") as f:
        for raw in f:
            doc = json.loads(raw)
            lines = [ln.strip() for ln in doc["text"].splitlines() if ln.strip()]
            if len(lines) < 3:
                continue
            events.setdefault(doc["event_cluster"], []).append((lines[0][:160], lines[1:]))
    stories += list(events.values())
    # article-extraction-benchmark: single reports with full bodies (long articles)
    truth = json.loads((DATA / "article-extraction-benchmark" / "ground-truth.json").read_text("utf-8"))
    for item in truth.values():
        body = [p.strip() for p in item["articleBody"].split("\n") if p.strip()]
        if len(body) >= 3:
            stories.append([(_sentences(body[0])[0][:160], body[1:])])
    return stories


def _html_page(title: str, paragraphs: list[str], outlet: str, other: str) -> str:
    esc = htmlmod.escape
    body = "\n".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(title)} | {esc(outlet)}</title>"
        f"</head><body><header><nav><a href='/'>Home</a> <a href='/world'>World</a> "
        f"<a href='/politics'>Politics</a> <a href='/business'>Business</a></nav></header>"
        f"<main><article><h1>{esc(title)}</h1>{body}</article>"
        f"<aside><h2>Most read</h2><ul><li><a href='/x'>{esc(other)}</a></li></ul></aside></main>"
        f"<footer><p>© {esc(outlet)}. All rights reserved.</p><a href='/privacy'>Privacy</a></footer>"
        f"</body></html>"
    )


def iter_corpus(n: int, seed: int = 7, html_fraction: float = 0.25) -> Iterator[dict[str, Any]]:
    """`n` article records (JSONL objects), deterministic for a seed."""
    rng = random.Random(seed)
    stories = _load_stories()
    rng.shuffle(stories)
    # Zipf-like popularity (s = 1.1): a few stories take many reports, most get one or two. Stories
    # with full-length reports (ECB+, extraction benchmark) weigh 8x, so that the mean article
    # length (~300 words) is nearer a real day's news than NeuS's short leads alone (~170).
    weights = [
        (8.0 if sum(len(s) for _, s in story) > 12 else 1.0) / (rank + 1) ** 1.1
        for rank, story in enumerate(stories)
    ]
    outlets = [f"news{i:03d}.example" for i in range(80)]
    day = datetime(2024, 1, 17, tzinfo=UTC)
    story_start = [day + timedelta(minutes=rng.randrange(0, 20 * 60)) for _ in stories]
    recent: list[dict[str, Any]] = []
    cumulative: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    for k in range(n):
        outlet = rng.choice(outlets)
        if recent and rng.random() < 0.08:  # a wire copy published again by another outlet
            src = rng.choice(recent)
            rec = dict(src, outlet=outlet, url=f"https://{outlet}/wire/{k}")
            rec.pop("html", None)
            rec["text"] = src["_text"]
        else:
            s = rng.choices(range(len(stories)), cum_weights=cumulative)[0]
            reports = stories[s]
            title, lead = rng.choice(reports)
            pool = [sent for t, sents in reports for sent in sents if sents is not lead]
            extra = rng.sample(pool, min(len(pool), rng.randint(2, 12)))
            sents = lead[:1] + lead[1:] + extra if lead else extra
            # paragraphs of 1-3 sentences, as news sites set them
            paras: list[str] = []
            i = 0
            while i < len(sents):
                step = rng.randint(1, 3)
                paras.append(" ".join(sents[i : i + step]))
                i += step
            other = stories[rng.randrange(len(stories))][0][0]
            if rng.random() < 0.2:
                line = rng.choice(CHROME).format(other=other, outlet=outlet, year=2024)
                paras.insert(rng.randint(1, len(paras)) if rng.random() < 0.5 else len(paras), line)
            published = story_start[s] + timedelta(minutes=rng.randrange(0, 4 * 60))
            rec = {
                "url": f"https://{outlet}/{published:%Y/%m/%d}/story-{s}-{k}",
                "outlet": outlet,
                "title": title,
                "published": published.isoformat().replace("+00:00", "Z"),
                "_text": "\n\n".join(paras),
            }
            if rng.random() < html_fraction:
                rec["html"] = _html_page(title, paras, outlet, other)
            else:
                rec["text"] = rec["_text"]
        recent.append(rec)
        if len(recent) > 500:
            recent.pop(0)
        yield {key: v for key, v in rec.items() if key != "_text"}


def build_corpus(n: int, root: Path, seed: int = 7, html_fraction: float = 0.25) -> Path:
    """Write (or reuse) the corpus of `n` articles as JSONL shards under `root`; return its folder."""
    folder = root / f"corpus-{n}-s{seed}-h{int(html_fraction * 100)}"
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    out = None
    words = 0
    for k, rec in enumerate(iter_corpus(n, seed, html_fraction)):
        if k % SHARD == 0:
            if out:
                out.close()
            out = (folder / f"day-{k // SHARD:03d}.jsonl").open("w", encoding="utf-8")
        words += len((rec.get("text") or rec.get("html") or "").split())
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")  # type: ignore[union-attr]
    if out:
        out.close()
    done.write_text(json.dumps({"n": n, "mean_words": words / max(n, 1)}))
    return folder


# --------------------------------------------------------------------------- measuring (child side)


class PeakRSS:
    """Samples RSS of this process plus all its children every 0.1 s; `peak_mb` is the maximum."""

    def __init__(self) -> None:
        import psutil

        self._proc = psutil.Process()
        self.peak = 0
        self.sampler_cpu_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        total = 0
        procs = [self._proc]
        with contextlib.suppress(Exception):
            procs += self._proc.children(recursive=True)
        for p in procs:
            with contextlib.suppress(Exception):  # a child that exited between listing and reading
                total += p.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self.sampler_cpu_s = time.thread_time()  # this thread's own CPU, left out of the run's
            self._stop.wait(0.1)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())

    @property
    def peak_mb(self) -> float:
        return round(self.peak / 2**20, 1)


def tree_cpu_s() -> float:
    """CPU seconds (user + system) used so far by this process and every descendant, live or reaped.

    getrusage(RUSAGE_CHILDREN) alone misses pool workers: their parent (the forkserver) reaps
    them but outlives the measurement, so their time sits in the forkserver's children times.
    Call it after the engine is closed so that the workers have exited.
    """
    import resource

    import psutil

    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # reaped children and what they reaped
    total = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    for p in psutil.Process().children(recursive=True):
        with contextlib.suppress(Exception):
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
    return total


def _commit() -> str:
    """The commit measured: $STORYDESK_BENCH_COMMIT (for a copy outside git), else git's HEAD
    (with "+dirty" when src/ differs from it), else "unknown"."""
    if os.environ.get("STORYDESK_BENCH_COMMIT"):
        return os.environ["STORYDESK_BENCH_COMMIT"]
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def _dir_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 2)


def _settings(data_dir: Path, engine: str, workers: int) -> Any:
    from storydesk.settings import Settings

    return Settings.from_env(data_dir=data_dir, engine=engine, workers=workers)


def child_ingest(corpus: Path, engine: str, workers: int, tmp: Path) -> dict[str, Any]:
    from storydesk.pipeline import ingest
    from storydesk.store import open_store

    settings = _settings(tmp / "store", engine, workers)
    cpu = tree_cpu_s()
    with PeakRSS() as mem, open_store(settings.data_dir) as store:
        t = time.perf_counter()
        res = ingest([corpus], settings, store)
        elapsed = time.perf_counter() - t
    return {"cpu_s": round(tree_cpu_s() - cpu - mem.sampler_cpu_s, 1), "load_avg_1m": round(os.getloadavg()[0], 2),
            "workers": workers, "commit": _commit(), "articles": len(res.seen), "new": len(res.new),
            "skipped": len(res.skipped),
            "seconds": round(elapsed, 2), "peak_rss_mb": mem.peak_mb, "store_mb": _dir_mb(settings.data_dir)}


def child_e2e(corpus: Path, engine: str, workers: int, tmp: Path) -> dict[str, Any]:
    from storydesk.pipeline import run

    settings = _settings(tmp / "store", engine, workers)
    load_start = round(os.getloadavg()[0], 2)
    cpu = tree_cpu_s()
    with PeakRSS() as mem:
        t = time.perf_counter()
        summary = run([corpus], tmp / "out", settings)
        elapsed = time.perf_counter() - t
    return {"cpu_s": round(tree_cpu_s() - cpu - mem.sampler_cpu_s, 1), "web_ms": _web_queries(settings.data_dir),
            "workers": workers, "engine": engine, "commit": _commit(),
            "load_avg_1m_at_start": load_start,
            "articles": summary.ingested, "skipped": len(summary.skipped), "stories": summary.stories,
            "seconds": round(elapsed, 2), "timings": {k: round(v, 2) for k, v in summary.timings.items()},
            "peak_rss_mb": mem.peak_mb, "store_mb": _dir_mb(settings.data_dir),
            "load_avg_1m": round(os.getloadavg()[0], 2)}


def _web_queries(data_dir: Path) -> dict[str, Any]:
    """Milliseconds of the store calls behind the web app's pages, on the store a run just built."""
    from storydesk.store import open_store

    out: dict[str, Any] = {}
    with open_store(data_dir, readonly=True) as store:
        out["stories"] = store.count_stories()
        first = store.list_stories(limit=1)
        word = (first[0]["title"].split() or ["news"])[0] if first else "news"
        outlet = (store.outlets() or [None])[0]
        calls = {
            "list page (100 newest)": lambda: store.list_stories(limit=100),
            "all stories": lambda: store.list_stories(),
            "search (title word)": lambda: store.list_stories(query=word, limit=100),
            "outlet filter": lambda: store.list_stories(outlet=outlet, limit=100),
            "one story": lambda: store.get_story(first[0]["id"]) if first else None,
        }
        for name, call in calls.items():
            t = time.perf_counter()
            call()
            out[name] = round((time.perf_counter() - t) * 1000, 1)
    return out


def child_stages(corpus: Path, engine: str, workers: int, tmp: Path, sample: int) -> dict[str, Any]:
    """Each per-article stage alone, on the first `sample` articles, on one engine."""
    import functools
    import itertools

    from storydesk.cluster.features import lead
    from storydesk.engine import get_engine, warm_up
    from storydesk.engine.candidates import parallel_embeddings
    from storydesk.ingest import iter_inputs
    from storydesk.pipeline import clean_one
    from storydesk.records import Article, RawDocument
    from storydesk.segment import sentences
    from storydesk.store import open_store

    settings = _settings(tmp / "store", engine, workers)
    out: dict[str, Any] = {}
    t = time.perf_counter()
    docs = [d for d in itertools.islice(iter_inputs([corpus], settings), sample) if isinstance(d, RawDocument)]
    out["ingest"] = (len(docs), time.perf_counter() - t)
    t = time.perf_counter()
    eng = get_engine(settings, initializer=functools.partial(warm_up, embed=True))
    try:
        # start every worker and load its models (spaCy, lingua, MiniLM) before timing the stages
        list(eng.map_batches(len, range(4 * workers), batch_size=1))
        out["(start workers, load models)"] = (0, time.perf_counter() - t)
        t = time.perf_counter()
        clean = functools.partial(clean_one, settings=settings)
        arts = [a for a in eng.map(clean, docs) if isinstance(a, Article)]
        out["clean"] = (len(docs), time.perf_counter() - t)
        t = time.perf_counter()
        n_sent = sum(len(s) for s in eng.map(sentences, arts))
        out["segment"] = (len(arts), time.perf_counter() - t)
        t = time.perf_counter()
        vecs = parallel_embeddings(eng, [lead(a) for a in arts])
        out["embed (title+lead)"] = (len(arts), time.perf_counter() - t)
    finally:
        eng.close()
    with open_store(settings.data_dir) as store:
        t = time.perf_counter()
        store.add_articles(arts)
        out["store insert"] = (len(arts), time.perf_counter() - t)
    return {"stages": {k: {"articles": n, "seconds": round(s, 3), "per_s": round(n / s, 1) if n else None}
                       for k, (n, s) in out.items()},
            "sentences": n_sent, "vectors": list(vecs.shape)}


def child_cluster(corpus: Path, tmp: Path, dense: bool) -> dict[str, Any]:
    """StoryIndex.add over every article of the corpus, built without cleaning (text as given).

    With dense=False the index uses the TF-IDF sketch (no MiniLM), so the time is the index and
    scoring alone; with dense=True embeddings are computed first and passed in, and not timed.
    """
    import numpy as np

    from storydesk.cluster import StoryIndex
    from storydesk.cluster.features import lead
    from storydesk.records import Article, Provenance, content_id
    from storydesk.settings import Settings

    arts = []
    for path in sorted(corpus.glob("*.jsonl")):
        for i, line in enumerate(path.open(encoding="utf-8")):
            r = json.loads(line)
            text = r.get("text") or re.sub(r"<[^>]+>", " ", r.get("html", ""))
            arts.append(Article(
                id=content_id(r.get("url"), text), outlet=r.get("outlet"), title=r.get("title"),
                url=r.get("url"), published=r.get("published"), language="en", raw_text=text, text=text,
                provenance=Provenance(source=path.name, fmt="jsonl", locator=f"line {i + 1}"),
            ))
    settings = Settings(data_dir=tmp, embed=dense)
    index = StoryIndex.load(None, settings)
    vectors = None
    if dense:
        from storydesk.embed import embed

        vectors = embed([lead(a) for a in arts])
    with PeakRSS() as mem:
        t = time.perf_counter()
        n_assign = 0
        for i in range(0, len(arts), 1000):
            chunk_vecs = None if vectors is None else np.ascontiguousarray(vectors[i : i + 1000])
            n_assign += len(index.add(arts[i : i + 1000], chunk_vecs) if dense else index.add(arts[i : i + 1000]))
        elapsed = time.perf_counter() - t
    stories = len({a.story for a in index.assignments().values()})
    return {"articles": len(arts), "assigned": n_assign, "stories": stories, "seconds": round(elapsed, 2),
            "per_s": round(len(arts) / elapsed, 1), "peak_rss_mb": mem.peak_mb, "dense": dense}


# --------------------------------------------------------------------------- driver


def _key(n: int, engine: str, workers: int) -> str:
    """A result's name: "N/engine", with "/wK" when it ran on K != 2 workers (2 is the issue's setup)."""
    return f"{n}/{engine}" if workers == 2 else f"{n}/{engine}/w{workers}"


def run_child(args: list[str], timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        return {"error": lines[-1] if lines else "failed", "traceback": lines[-12:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _machine() -> dict[str, Any]:
    import psutil

    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "load_avg_1m_at_start": round(os.getloadavg()[0], 2), "commit": _commit()}


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.1f}"
    return str(v)


def print_table(title: str, header: list[str], rows: list[list[Any]]) -> None:
    print(f"\n{title}")
    cells = [header, *[[_fmt(c) for c in r] for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for j, r in enumerate(cells):
        print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
        if j == 0:
            print("  ".join("-" * w for w in widths))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000", help="corpus sizes for the end-to-end run, e.g. 1000,10000")
    ap.add_argument("--ingest-sizes", default=None, help="sizes for the streaming-ingest memory run "
                    "(default: --sizes)")
    ap.add_argument("--cluster-sizes", default="", help="sizes for clustering alone, e.g. 10000,100000")
    ap.add_argument("--cluster-dense", action="store_true", help="cluster with MiniLM vectors (slow to "
                    "precompute at 100k) instead of the TF-IDF sketch")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--engines", default="local,dask", help="engines compared on the stages run")
    ap.add_argument("--stage-sample", type=int, default=500, help="articles per stage in the stages run")
    ap.add_argument("--skip", default="", help="runs to leave out: stages,ingest,e2e")
    ap.add_argument("--html-fraction", type=float, default=0.25)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--corpus-dir", type=Path, default=Path(tempfile.gettempdir()) / "storydesk-bench")
    ap.add_argument("--timeout", type=float, default=900, help="seconds allowed per measurement")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--merge", action="store_true", help="keep the other runs already in --out "
                    "(each run replaces only the entries it measured)")
    ap.add_argument("--report-only", action="store_true", help="print the tables of the results in --out "
                    "without measuring anything")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()

    if a.report_only:
        saved = json.loads(a.out.read_text(encoding="utf-8"))
        report(saved, [e for e in a.engines.split(",") if e])
        return

    if a.child:
        mode, corpus, engine, workers, tmp = a.child[:5]
        tmpd = Path(tmp)
        if mode == "ingest":
            res = child_ingest(Path(corpus), engine, int(workers), tmpd)
        elif mode == "e2e":
            res = child_e2e(Path(corpus), engine, int(workers), tmpd)
        elif mode == "stages":
            res = child_stages(Path(corpus), engine, int(workers), tmpd, int(a.child[5]))
        else:
            res = child_cluster(Path(corpus), tmpd, dense=a.child[5] == "dense")
        print(json.dumps(res))
        return

    sizes = [int(s) for s in a.sizes.split(",") if s]
    ingest_sizes = [int(s) for s in (a.ingest_sizes or a.sizes).split(",") if s]
    cluster_sizes = [int(s) for s in a.cluster_sizes.split(",") if s]
    engines = [e for e in a.engines.split(",") if e]
    skip = set(a.skip.split(","))
    results: dict[str, Any] = {"machine": _machine(), "workers": a.workers, "html_fraction": a.html_fraction,
                               "started": datetime.now(UTC).isoformat(timespec="seconds"), "corpus": {},
                               "stages": {}, "ingest": {}, "e2e": {}, "cluster": {}}

    def corpus(n: int) -> Path:
        t = time.perf_counter()
        folder = build_corpus(n, a.corpus_dir, a.seed, a.html_fraction)
        meta = json.loads((folder / ".complete").read_text())
        results["corpus"][str(n)] = {"mean_words": round(meta["mean_words"], 1),
                                     "build_s": round(time.perf_counter() - t, 2)}
        return folder

    with tempfile.TemporaryDirectory(prefix="sd-bench-") as tmp_root:
        def tmp(name: str) -> str:
            d = Path(tmp_root) / name
            d.mkdir(parents=True, exist_ok=True)
            return str(d)

        if "stages" not in skip:
            folder = corpus(max(sizes[0], a.stage_sample))
            for eng in engines:
                print(f"[stages {eng}]", file=sys.stderr, flush=True)
                results["stages"][eng] = run_child(
                    ["stages", str(folder), eng, str(a.workers), tmp(f"stages-{eng}"), str(a.stage_sample)],
                    a.timeout)
        if "ingest" not in skip:
            for n in ingest_sizes:
                print(f"[ingest {n}]", file=sys.stderr, flush=True)
                results["ingest"][str(n)] = run_child(
                    ["ingest", str(corpus(n)), "local", str(a.workers), tmp(f"ingest-{n}")], a.timeout)
        if "e2e" not in skip:
            for n in sizes:
                for eng in engines if n == sizes[0] else engines[:1]:
                    print(f"[e2e {n} {eng}]", file=sys.stderr, flush=True)
                    results["e2e"][_key(n, eng, a.workers)] = run_child(
                        ["e2e", str(corpus(n)), eng, str(a.workers), tmp(f"e2e-{n}-{eng}")], a.timeout)
        for n in cluster_sizes:
            print(f"[cluster {n}]", file=sys.stderr, flush=True)
            results["cluster"][str(n)] = run_child(
                ["cluster", str(corpus(n)), "local", "1", tmp(f"cluster-{n}"),
                 "dense" if a.cluster_dense else "sketch"], a.timeout)

    if a.merge and a.out.exists():
        old = json.loads(a.out.read_text(encoding="utf-8"))
        for key in ("stages", "ingest", "e2e", "cluster", "corpus"):
            results[key] = {**old.get(key, {}), **results[key]}
        results["runs"] = [*old.get("runs", [old.get("machine")]), results["machine"]]
    report(results, engines)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {a.out}")


def report(results: dict[str, Any], engines: list[str]) -> None:
    m = results["machine"]
    print(f"machine: {m['cores']} cores, {m['memory_gb']} GB, {m['platform']}, python {m['python']}, "
          f"load {m['load_avg_1m_at_start']} at start; workers={results['workers']}, "
          f"html fraction {results['html_fraction']}")
    if results["stages"]:
        names: list[str] = []
        for r in results["stages"].values():
            names += [k for k in r.get("stages", {}) if k not in names]
        def cell(e: str, name: str) -> Any:
            r = results["stages"][e].get("stages", {}).get(name, {})
            return r.get("per_s") if r.get("articles") else f"{r.get('seconds', '-')} s"

        rows = [[name, *[cell(e, name) for e in engines]] for name in names]
        print_table("per-stage throughput (articles/s, each stage alone, warm workers)",
                    ["stage", *engines], rows)
        for e in engines:
            if "error" in results["stages"][e]:
                print(f"  {e}: {results['stages'][e]['error']}")
    if results["ingest"]:
        rows = []
        for n, r in results["ingest"].items():
            rate = r["articles"] / r["seconds"] if r.get("seconds") else None
            rows.append([n, r.get("articles"), r.get("seconds"), rate, r.get("cpu_s"), r.get("peak_rss_mb"),
                         r.get("store_mb"), r.get("load_avg_1m"), r.get("error", "")])
        print_table("streaming ingest (read + clean + store), local engine",
                    ["N", "articles", "seconds", "articles/s", "CPU s", "peak RSS MB", "store MB", "load 1m",
                     "error"], rows)
    if results["e2e"]:
        rows = []
        for key, r in results["e2e"].items():
            t = r.get("timings", {})
            n = r.get("articles") or 0

            def rate(sec: Any, n: int = n) -> Any:
                return n / sec if sec and n else None

            cpu = r.get("cpu_s")
            workers = r.get("workers", results["workers"])
            rows.append([key, n, r.get("stories"), r.get("seconds"), rate(r.get("seconds")),
                         rate(cpu / workers) if cpu else None, rate(t.get("ingest")),
                         rate(t.get("cluster")), rate(t.get("analyse")), rate(t.get("report")),
                         r.get("peak_rss_mb"), r.get("store_mb"), r.get("load_avg_1m"), r.get("commit", "-"),
                         r.get("error", "")])
        print("\n'art/s by CPU' = N / (CPU seconds of the run and its workers / workers): the rate on "
              "that many cores were they not shared; every other rate is wall-clock under the load shown")
        print_table("end to end (storydesk.pipeline.run): articles/s overall and per stage",
                    ["N/engine", "articles", "stories", "seconds", "e2e art/s", "art/s by CPU", "ingest+clean",
                     "cluster",
                     "xcheck+brief", "reports", "peak RSS MB", "store MB", "load 1m", "commit", "error"], rows)
        web = {k: r["web_ms"] for k, r in results["e2e"].items() if r.get("web_ms")}
        if web:
            names = [n for n in next(iter(web.values())) if n != "stories"]
            print_table("web app's store calls on the store the run built (ms)",
                        ["N/engine", "stories", *names], [[k, w.get("stories"), *[w.get(n) for n in names]]
                                                          for k, w in web.items()])
        local = {k.split("/")[0]: v for k, v in results["e2e"].items() if k.endswith("/local")}
        for k, v in results["e2e"].items():
            n, eng = k.split("/")[:2]
            if eng != "local" and k.count("/") == 1 and n in local and v.get("seconds") and local[n].get("seconds"):
                ratio = v["seconds"] / local[n]["seconds"]
                results.setdefault("ratios", {})[f"{eng}/local e2e time at {n}"] = round(ratio, 3)
                print(f"  {eng} / local wall time at N={n}: {ratio:.2f} (target <= 1.20)")
                if v.get("cpu_s") and local[n].get("cpu_s"):
                    cpu_ratio = v["cpu_s"] / local[n]["cpu_s"]
                    results["ratios"][f"{eng}/local e2e CPU at {n}"] = round(cpu_ratio, 3)
                    print(f"  {eng} / local CPU seconds at N={n}: {cpu_ratio:.2f} (the load-independent ratio)")
    if results["cluster"]:
        rows = [[n, r.get("articles"), r.get("stories"), r.get("seconds"), r.get("per_s"), r.get("peak_rss_mb"),
                 r.get("error", "")] for n, r in results["cluster"].items()]
        print_table("clustering alone (StoryIndex.add)", ["N", "articles", "stories", "seconds", "articles/s",
                                                          "peak RSS MB", "error"], rows)
        c = results["cluster"]
        if c.get("100000", {}).get("seconds") and c.get("10000", {}).get("seconds"):
            ratio = c["100000"]["seconds"] / c["10000"]["seconds"]
            results.setdefault("ratios", {})["cluster time(100k)/time(10k)"] = round(ratio, 2)
            print(f"  time(100k)/time(10k) = {ratio:.2f} (target <= 12)")


if __name__ == "__main__":
    main()
