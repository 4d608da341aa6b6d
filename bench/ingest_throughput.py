"""Ingest throughput and memory per input format.

    .venv/bin/python bench/ingest_throughput.py              # default sizes (about a minute idle)
    .venv/bin/python bench/ingest_throughput.py --scale 4    # 4x the inputs

Builds inputs in a temporary folder from real news texts (../shared/data/ecbplus-events) and reads the
real feed samples (../shared/data/feeds-rss-parser), then drains `iter_inputs` over each with the
default Settings: a folder tree of .txt files, a JSON Lines file (plain and gzipped, streamed), a
gzipped WARC of HTML responses (trafilatura extraction dominates) and the feeds. Prints documents,
skips, MB read, seconds, docs/s, MB/s and the growth of the process's peak RSS per input, with the
load average (the machine is shared, so wall times are pessimistic).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import resource
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storydesk.ingest import iter_inputs
from storydesk.records import RawDocument
from storydesk.settings import Settings

# Real, distinct news texts: 772 ECB+ documents (1.4 MB). Cycling a handful of texts instead would
# gzip to over 100x (all within zlib's 32 KB window), which the compression-bomb guard rightly
# refuses; real news JSONL gzips ~3.4x.
DOCS = Path("../shared/data/ecbplus-events/docs.jsonl.gz")
FEEDS = Path("../shared/data/feeds-rss-parser")


@dataclass(frozen=True)
class Row:
    name: str
    docs: int
    skips: int
    mb: float
    seconds: float
    rss_growth_mb: float


def peak_rss_mb() -> float:
    """The process's peak resident set so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name: str, paths: Sequence[Path], nbytes: int, settings: Settings) -> Row:
    """Drain iter_inputs over `paths`, counting documents and skips."""
    before = peak_rss_mb()
    start = time.perf_counter()
    docs = skips = 0
    for item in iter_inputs(list(paths), settings):
        if isinstance(item, RawDocument):
            docs += 1
        else:
            skips += 1
    seconds = time.perf_counter() - start
    return Row(name, docs, skips, nbytes / 1e6, seconds, peak_rss_mb() - before)


def text_tree(root: Path, texts: list[str], n: int) -> int:
    for i in range(n):
        sub = root / f"{i // 100:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{i}.txt").write_text(f"Story {i} heading here\n\n" + texts[i % len(texts)], encoding="utf-8")
    return sum(p.stat().st_size for p in root.rglob("*.txt"))


def jsonl_file(path: Path, texts: list[str], n: int) -> int:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            record = {"url": f"https://x.example/{i}", "title": f"T{i}", "published": "2024-01-18T08:00:00Z",
                      "text": texts[i % len(texts)]}
            fh.write(json.dumps(record) + "\n")
    return path.stat().st_size


def warc_file(path: Path, texts: list[str], n: int) -> int:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i in range(n):
            body = "".join(f"<p>{line}</p>" for line in texts[i % len(texts)].splitlines() if line.strip())
            page = (f'<!DOCTYPE html><html lang="en"><head><title>Story {i}</title></head>'
                    f"<body><article>{body}</article></body></html>")
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(f"https://x.example/{i}", "response",
                                               payload=io.BytesIO(page.encode()), http_headers=http)
            writer.write_record(record)
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every input count")
    args = parser.parse_args()
    n_text, n_jsonl, n_warc = (max(1, int(k * args.scale)) for k in (500, 10_000, 60))
    with gzip.open(DOCS, "rt", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    settings = Settings()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        nbytes = text_tree(tmp / "text", texts, n_text)
        rows.append(measure(f"text folder ({n_text:,} files)", [tmp / "text"], nbytes, settings))
        jsonl = tmp / "big.jsonl"
        nbytes = jsonl_file(jsonl, texts, n_jsonl)
        rows.append(measure(f"jsonl ({n_jsonl:,} lines)", [jsonl], nbytes, settings))
        jsonl_gz = tmp / "big.jsonl.gz"
        jsonl_gz.write_bytes(gzip.compress(jsonl.read_bytes()))
        rows.append(measure(f"jsonl.gz ({n_jsonl:,} lines)", [jsonl_gz], nbytes, settings))
        warc = tmp / "crawl.warc.gz"
        nbytes = warc_file(warc, texts, n_warc)
        rows.append(measure(f"warc.gz ({n_warc} HTML pages)", [warc], nbytes, settings))
    feeds = sorted(p for p in FEEDS.iterdir() if p.suffix in (".rss", ".atom"))
    rows.append(measure(f"rss-parser feeds ({len(feeds)} files)", feeds, sum(p.stat().st_size for p in feeds),
                        settings))
    print(f"load average {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} CPUs")
    print(f"{'input':32} {'docs':>7} {'skips':>6} {'MB':>7} {'sec':>7} {'docs/s':>8} {'MB/s':>7} {'+maxRSS MB':>10}")
    for r in rows:
        rate = r.docs / r.seconds if r.seconds else 0.0
        speed = r.mb / r.seconds if r.seconds else 0.0
        print(f"{r.name:32} {r.docs:7d} {r.skips:6d} {r.mb:7.1f} {r.seconds:7.2f} {rate:8.0f} {speed:7.2f} "
              f"{r.rss_growth_mb:10.0f}")
    print(f"peak RSS of the whole run: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
