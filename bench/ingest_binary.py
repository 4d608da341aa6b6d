"""Binary detection: text inputs wrongly called binary, binary files rightly called binary.

    .venv/bin/python bench/ingest_binary.py [--binaries 600] [-v]

Text inputs (must never be called binary): the HTML pages of ../shared/data/trafilatura-eval and
news-html-newspaper4k, the feed samples of feeds-feedparser-tests and feeds-rss-parser, and the
seed articles. Binary inputs (should be refused): a fixed random sample of compiled modules, images,
fonts, archives and model files found under .venv (the installed packages). Each input's first
64 KiB goes to `decode.looks_binary` and to `sniff.sniff` (which also knows magic numbers; a gzip
magic counts as caught, since the gzip reader then refuses what it unpacks). Prints a table.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
from pathlib import Path

from storydesk.ingest.decode import looks_binary
from storydesk.ingest.sniff import sniff

DATA = Path("../shared/data")
SEEDS = Path("../shared/corpus/seeds")
VENV = Path(".venv")
HEAD = 65_536
BINARY_SUFFIXES = frozenset({".so", ".pyc", ".png", ".jpg", ".gif", ".ico", ".bin", ".mo", ".npy", ".whl", ".zip",
                             ".pdf", ".ttf", ".woff", ".woff2", ".onnx", ".safetensors"})


def text_inputs() -> list[tuple[str, bytes]]:
    """(name, first 64 KiB) of every text input."""
    out: list[tuple[str, bytes]] = []
    for folder in (DATA / "trafilatura-eval" / "html", DATA / "news-html-newspaper4k" / "html"):
        out += [(str(p), gzip.decompress(p.read_bytes())[:HEAD]) for p in sorted(folder.glob("*.gz"))]
    out += [(str(p), p.read_bytes()[:HEAD]) for p in sorted((DATA / "feeds-feedparser-tests").rglob("*.xml"))]
    out += [(str(p), p.read_bytes()[:HEAD]) for p in sorted((DATA / "feeds-rss-parser").iterdir())
            if p.is_file() and p.suffix != ".md"]
    out += [(str(p), p.read_bytes()[:HEAD]) for p in sorted(SEEDS.glob("*.txt"))]
    return out


def binary_inputs(n: int) -> list[tuple[str, bytes]]:
    """(name, first 64 KiB) of a fixed random sample of n binary files under .venv."""
    found = sorted(p for p in VENV.rglob("*") if p.suffix in BINARY_SUFFIXES and p.is_file())
    sample = random.Random(0).sample(found, min(n, len(found)))
    out = []
    for p in sample:
        with p.open("rb") as fh:
            head = fh.read(HEAD)
        if head:  # an empty file is "empty", not binary
            out.append((str(p), head))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binaries", type=int, default=600, help="binary files sampled from .venv")
    parser.add_argument("-v", action="store_true", help="list the inputs misjudged")
    args = parser.parse_args()
    texts = text_inputs()
    bins = binary_inputs(args.binaries)
    text_lb = [name for name, data in texts if looks_binary(data)]
    text_sn = [name for name, data in texts if sniff(data, "x") == "binary"]
    bin_lb = [name for name, data in bins if not looks_binary(data)]
    bin_sn = [name for name, data in bins if sniff(data, "x") not in ("binary", "gzip")]
    print(f"load average {os.getloadavg()[0]:.1f}; {len(texts)} text inputs, {len(bins)} binary files")
    print(f"{'detector':14} {'text called binary':>19} {'binary caught':>14} {'recall':>7}")
    for name, false_pos, missed in (("looks_binary", text_lb, bin_lb), ("sniff", text_sn, bin_sn)):
        caught = len(bins) - len(missed)
        print(f"{name:14} {len(false_pos):19d} {caught:14d} {caught / max(len(bins), 1):7.3f}")
    if args.v:
        for name in text_sn:
            print("text called binary:", name)
        for name in bin_sn:
            print("binary missed by sniff:", name)


if __name__ == "__main__":
    main()
