"""Syndicated-copy detection: precision/recall on copies generated from real articles.

    .venv/bin/python bench/syndication.py                 # both paths
    .venv/bin/python bench/syndication.py --path index    # only what the pipeline runs

Two paths over the same generated streams: `copies()` (the syndication module on its own) and
`StoryIndex.add` (what the pipeline runs: the same MinHash/LSH inside the clusterer, in batches of
the pipeline's CLUSTER_CHUNK, where a copy group also decides the story and the original can
change as earlier copies arrive in later batches). For the index path the table also gives how
many found copies share their original's story.

Originals: ECB+ documents (../shared/data/ecbplus-events, all documents of each event, so every
original sits among distinct write-ups of the SAME event) and NeuS/AllSides leads
(../shared/data/neus-allsides val: three outlets' leads per event). For a random third of the
originals we make copies, each with one edit kind: exact, page chrome added, a sentence dropped,
two sentences swapped, a few words reworded, or all of these at once. Everything is shuffled and
fed through `storydesk.cluster.syndication.copies` (streaming MinHash/LSH).

A predicted link (copy -> original) is correct when both are the same source text. Precision over
predicted links, recall over generated copies; distinct same-event articles linked as copies are
the false positives to watch.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from storydesk.cluster.syndication import THRESHOLD, copies, shingles  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
CHROME = [
    "Subscribe to our newsletter for the latest headlines.",
    "Advertisement",
    "Share this article on Facebook Twitter Email",
    "Copyright 2024 The Associated Press. All rights reserved.",
    "Related: Read more stories like this",
]
REWORD = {"said": "stated", "the": "a", "people": "persons", "after": "following", "police": "officers",
          "on": "upon", "killed": "slain", "told": "informed", "Tuesday": "on Tuesday", "was": "had been"}


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def edit(text: str, kind: str, rng: random.Random) -> str:
    s = sentences(text)
    if kind in ("drop", "all") and len(s) > 3:
        del s[rng.randrange(1, len(s))]
    if kind in ("swap", "all") and len(s) > 3:
        i = rng.randrange(1, len(s) - 1)
        s[i], s[i + 1] = s[i + 1], s[i]
    out = " ".join(s)
    if kind in ("reword", "all"):
        words = out.split(" ")
        spots = [k for k, w in enumerate(words) if w in REWORD]
        for k in rng.sample(spots, min(4, len(spots))):
            words[k] = REWORD[words[k]]
        out = " ".join(words)
    if kind in ("chrome", "all"):
        out = f"{rng.choice(CHROME)}\n{out}\n{rng.choice(CHROME)}"
    return out


def ecb_texts() -> list[tuple[str, str]]:
    with gzip.open(DATA / "ecbplus-events" / "docs.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [(d["event_cluster"], d["text"]) for d in map(json.loads, fh)]


def neus_texts() -> list[tuple[str, str]]:
    out = []
    lines = (DATA / "neus-allsides" / "val.source").read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines):
        for part in line.split("[SEP]"):
            body = part.split("ARTICLE=>", 1)[-1].strip()
            out.append((f"neus-{n}", body))
    return out


def index_copies(texts: list[str], batch: int) -> tuple[list[int | None], float]:
    """`copies()`'s answer read from StoryIndex.add (sparse index: copy detection does not use the
    embeddings), streamed in batches of `batch`; and the share of linked copies in their original's story."""
    from storydesk.cluster import StoryIndex
    from storydesk.records import Article
    from storydesk.settings import Settings

    idx = StoryIndex.load(None, Settings(embed=False))
    arts = [Article(id=f"s{k}", outlet=None, title=None, url=None, published=None, language="en",
                    raw_text=t, text=t) for k, t in enumerate(texts)]
    for lo in range(0, len(arts), batch):
        idx.add(arts[lo : lo + batch])
    pred: list[int | None] = []
    together = linked = 0
    for a in arts:
        got = idx.assignment(a.id)
        orig = got.syndicated_from
        pred.append(int(orig[1:]) if orig else None)
        if orig:
            linked += 1
            together += idx.assignment(orig).story == got.story
    return pred, together / linked if linked else 1.0


def run(name: str, originals: list[tuple[str, str]], seed: int = 3, path: str = "copies") -> tuple:
    rng = random.Random(seed)
    items: list[tuple[int, str]] = [(k, t) for k, (_, t) in enumerate(originals)]  # (source, text)
    kinds = ["exact", "chrome", "drop", "swap", "reword", "all"]
    n_copies = {k: 0 for k in kinds}
    copy_kind: dict[int, str] = {}
    for k in rng.sample(range(len(originals)), len(originals) // 3):
        kind = kinds[len(copy_kind) % len(kinds)]
        items.append((k, edit(originals[k][1], kind, rng)))
        copy_kind[len(items) - 1] = kind
        n_copies[kind] += 1
    order = list(range(len(items)))
    rng.shuffle(order)
    stream = [items[i] for i in order]
    t = time.perf_counter()
    same_story = None
    if path == "copies":
        pred = copies([text for _, text in stream])
    else:
        from storydesk.pipeline import CLUSTER_CHUNK

        pred, same_story = index_copies([text for _, text in stream], CLUSTER_CHUNK)
    dt = time.perf_counter() - t
    tp = fp = fp_real = 0
    found = {k: 0 for k in kinds}
    is_copy_pos = {pos for pos, i in enumerate(order) if i in copy_kind}
    for pos, orig in enumerate(pred):
        if orig is None:
            continue
        if stream[orig][0] == stream[pos][0]:
            tp += 1
        else:
            fp += 1
            # ECB+ itself holds wire stories republished by several sites: count the "false"
            # links whose two source texts are near-duplicates by exact shingle Jaccard
            a, b = shingles(stream[orig][1]), shingles(stream[pos][1])
            if len(a & b) / max(1, len(a | b)) >= THRESHOLD:
                fp_real += 1
    # each source with c copies has c true links to find (whichever of the family comes first is the original)
    for pos, orig in enumerate(pred):
        if orig is not None and stream[orig][0] == stream[pos][0]:
            i = order[pos] if order[pos] in copy_kind else order[orig]
            if i in copy_kind:
                found[copy_kind[i]] += 1
    total = sum(n_copies.values())
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / total if total else 1.0
    return name, len(originals), total, prec, rec, fp, fp_real, dt, n_copies, found, is_copy_pos, same_story


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--path", choices=("copies", "index", "both"), default="both",
                    help="syndication.copies() alone, StoryIndex.add (the pipeline's path), or both")
    args = ap.parse_args()
    paths = ("copies", "index") if args.path == "both" else (args.path,)
    corpora = (("ECB+ documents", ecb_texts()), ("NeuS/AllSides val leads", neus_texts()))
    rows = [run(f"{name} [{path}]", texts, path=path) for path in paths for name, texts in corpora]
    print(f"MinHash/LSH threshold {THRESHOLD}")
    print(f"{'corpus':34} {'originals':>9} {'copies':>6} {'P':>6} {'R':>6} {'FP':>4} {'FP-real-dup':>11} "
          f"{'sec':>6} {'same story':>10}")
    for name, n, total, p, r, fp, fp_real, dt, *_, same in rows:
        st = f"{same:10.3f}" if same is not None else f"{'-':>10}"
        print(f"{name:34} {n:9d} {total:6d} {p:6.3f} {r:6.3f} {fp:4d} {fp_real:11d} {dt:6.2f} {st}")
    print("FP-real-dup: 'false' links between two different source texts that are near-duplicates")
    print("already (exact 4-shingle Jaccard >= threshold), i.e. syndication present in the data itself")
    print("\nrecall by edit kind")
    for name, *_, n_copies, found, _, _ in rows:
        print(name + ": " + ", ".join(f"{k} {found[k]}/{n_copies[k]}" for k in n_copies))


if __name__ == "__main__":
    main()
