"""Cross-check quality on the hand-labelled crosscheck-gold items (developer portion).

Usage: .venv/bin/python bench/crosscheck_gold.py [--data DIR] [--gold gold.jsonl|gold-more.jsonl]
           [--split all|tune|check] [--no-embed] [--mode stories|corpus|both] [-v]

    .venv/bin/python bench/crosscheck_gold.py --gold gold-more.jsonl --split tune --mode both
    .venv/bin/python bench/crosscheck_gold.py --gold gold-more.jsonl --split check --mode both

Items: `--gold` picks the file (gold.jsonl, default: 47 items, all tune; gold-more.jsonl: 69 tune +
36 check items by their `split` field) and `--split` the portion. Check items are run and
reported, never read to change code: `-v` lists misses of tune items only. Every labelled event
becomes one story: for ECB+ the documents of its `event_cluster` in ecbplus-events (doc_id =
article id); for NeuS the three outlet segments of its 1-based line of `val.source` (set "neus",
gold.jsonl) or `train.source` (set "neus-train", gold-more.jsonl), article ids "0", "1", "2".
`storydesk.crosscheck.crosscheck` runs on each story and the items are scored:

- discrepancies found: a flagged discrepancy holds every gold value (numbers compared as numbers,
  text otherwise), each with at least the gold documents among its sources;
- traps flagged (lower is better): one flagged discrepancy holds both trap values as different
  values;
- agreements found: one claim whose sources include every gold document and whose passages
  contain each document's quoted text;
- flags per story: discrepancies flagged per story (all of them, labelled or not).

With --mode corpus (or both), all events are also run as ONE corpus through `storydesk.pipeline.run`
(ingest, clean, cluster, cross-check) and the same scores are printed for the stories it finds
(an event is scored on every story holding one of its articles).

`evaluate()` returns those numbers for other code (tests/eval_gate.py gates the check portion).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from storydesk.crosscheck import crosscheck
from storydesk.records import Article, CrossCheck
from storydesk.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


# ECB+ texts are re-joined corpus tokens ("5. 9", "20, 000", "U. S.", "1: 53 p. m."). A
# sentence splitter cuts "magnitude of 5. 9." in two, so the bench re-joins the tokens the way
# a news page writes them -- in the documents and, identically, in the gold quotes it matches.
_DETOK = [
    (re.compile(r"(\d)\. (\d)"), r"\1.\2"),
    (re.compile(r"(\d), (\d{3})\b"), r"\1,\2"),
    (re.compile(r"(\d): (\d{2})\b"), r"\1:\2"),
    (re.compile(r"\b([A-Z])\. ([A-Z])\."), r"\1.\2."),
    (re.compile(r"\b([ap])\. m\."), r"\1.m."),
    (re.compile(r"(\d) - (?=[a-z])"), r"\1-"),
    (re.compile(r"\b(year|month|week|day) - old\b"), r"\1-old"),
    (re.compile(r" ([’'])\s?s\b"), r"\1s"),
]


def detok(text: str) -> str:
    for pat, rep in _DETOK:
        text = pat.sub(rep, text)
    return text


def norm(text: str) -> str:
    return " ".join(detok(" ".join(text.split())).split()).lower()


_NUM = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(million|billion|trillion|m\b|bn\b)?", re.I)
_SCALE = {"million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}


def numbers_in(value: str) -> list[float]:
    """Numbers of a normalised value: "$1.2 trillion" -> [1.2e12], "52-48" -> [52, 48]."""
    head = value.split("(")[0]
    out = []
    for m in _NUM.finditer(head):
        try:
            v = float(m.group(1).replace(",", ""))
        except ValueError:
            continue
        out.append(v * _SCALE.get((m.group(2) or "").lower(), 1.0))
    return out


def value_matches(gold: str, found: str) -> bool:
    g, f = numbers_in(gold), numbers_in(found)
    if g and f:
        if ":" in gold and ":" in found:  # times "13:53"
            return gold.split()[-1] == found.split()[-1]
        return abs(g[0] - f[0]) <= 1e-6 * max(1.0, abs(g[0]))
    return norm(gold) in norm(found) or norm(found) in norm(gold)


GOLD_FILES = ("gold.jsonl", "gold-more.jsonl")
SPLITS = ("all", "tune", "check")
# which NeuS file a set's `cluster` line numbers refer to
_NEUS_SOURCE = {"neus": "val.source", "neus-train": "train.source"}


def load_gold(data: Path, gold_file: str = "gold.jsonl", split: str = "all") -> list[dict]:
    """The labelled items of `gold_file` in `split` (gold.jsonl has no split field: all tune)."""
    if gold_file not in GOLD_FILES:
        raise ValueError(f"unknown gold file {gold_file!r} (one of {', '.join(GOLD_FILES)})")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} (one of {', '.join(SPLITS)})")
    with (data / "crosscheck-gold" / gold_file).open(encoding="utf-8") as fh:
        items = [json.loads(line) for line in fh if line.strip()]
    return [g for g in items if split == "all" or g.get("split", "tune") == split]


def load_stories(data: Path, gold: Sequence[dict] | None = None) -> dict[tuple[str, str], list[Article]]:
    """The articles of every event that `gold` (default: all of gold.jsonl) labels."""
    if gold is None:
        gold = load_gold(data)
    wanted = {(g["set"], str(g["cluster"])) for g in gold}
    stories: dict[tuple[str, str], list[Article]] = defaultdict(list)
    ecb_clusters = {c for s, c in wanted if s == "ecbplus"}
    with gzip.open(data / "ecbplus-events" / "docs.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            if d["event_cluster"] in ecb_clusters:
                stories[("ecbplus", d["event_cluster"])].append(_article(d["doc_id"], detok(d["text"])))
    for neus_set, source in _NEUS_SOURCE.items():
        numbers = sorted({c for s, c in wanted if s == neus_set}, key=int)
        if not numbers:
            continue
        lines = (data / "neus-allsides" / source).read_text(encoding="utf-8").split("\n")
        for c in numbers:
            for i, seg in enumerate(lines[int(c) - 1].split(" [SEP] ")):
                m = re.match(r"\s*TITLE=>\s*(.*?)\s*ARTICLE=>\s*(.*)$", seg, re.S)
                title, body = (m.group(1), m.group(2)) if m else ("", seg)
                stories[(neus_set, c)].append(_article(str(i), f"{title}\n{body}".strip()))
    unknown = {s for s, _ in wanted} - {"ecbplus", *_NEUS_SOURCE}
    if unknown:
        raise ValueError(f"gold items of unknown sets: {sorted(unknown)}")
    return stories


def _article(aid: str, text: str) -> Article:
    return Article(id=aid, outlet=aid, title=None, url=None, published=None, language="en",
                   raw_text=text, text=text)


def score(gold: list[dict], results: dict[tuple[str, str], CrossCheck], verbose: bool) -> dict[str, float]:
    found = {"discrepancy": [0, 0], "trap": [0, 0], "agreement": [0, 0]}
    for g in gold:
        key = (g["set"], str(g["cluster"]))
        cc = results.get(key)
        kind = g["kind"]
        found[kind][1] += 1
        ok = False
        if cc is not None:
            if kind == "discrepancy":
                groups: dict[str, set[str]] = defaultdict(set)
                for v in g["values"]:
                    groups[v["value"]] |= set(v["docs"])
                ok = any(
                    all(any(value_matches(val, dv.value) and docs <= set(dv.sources)
                            for dv in d.values) for val, docs in groups.items())
                    for d in cc.discrepancies
                )
            elif kind == "trap":
                v1, v2 = g["values"][0], g["values"][1]

                def hit(dv, v):
                    return set(v["docs"]) <= set(dv.sources) and (
                        value_matches(v["value"], dv.value)
                        or any(norm(v["text"]) in norm(p.text) for p in dv.passages))

                ok = any(
                    any(hit(a, v1) and hit(b, v2) for a in d.values for b in d.values if a is not b)
                    for d in cc.discrepancies
                )
            else:
                docs = {doc for v in g["values"] for doc in v["docs"]}
                ok = any(
                    docs <= set(c.sources)
                    and all(any(p.article in v["docs"] and (norm(v["text"]) in norm(p.text)
                                                           or norm(p.text) in norm(v["text"]))
                                for p in c.passages) for v in g["values"])
                    for c in cc.claims
                )
        found[kind][0] += ok
        # check items are run and reported, never read: their misses are not listed
        if verbose and ok != (kind != "trap") and g.get("split", "tune") != "check":
            print(f"  MISS {kind:11} {key[0]} {key[1]:12} {g['subject']}", file=sys.stderr)
            for v in g["values"]:
                print(f"       {v['value']!r:30} {v['docs']} :: {v['text'][:70]}", file=sys.stderr)
            if verbose and cc is not None and kind == "discrepancy":
                for d in cc.discrepancies:
                    vals = "; ".join(f"{v.value} {list(v.sources)}" for v in d.values)
                    print(f"       flagged: {d.subject}: {vals}", file=sys.stderr)
    flags = sum(len(cc.discrepancies) for cc in results.values()) / max(1, len(results))
    return {
        "discrepancies found": found["discrepancy"][0] / max(1, found["discrepancy"][1]),
        "traps flagged": found["trap"][0] / max(1, found["trap"][1]),
        "agreements found": found["agreement"][0] / max(1, found["agreement"][1]),
        "flags per story": flags,
        "_counts": found,  # type: ignore[dict-item]
    }


def _remap(x: Any, ids: dict[str, str]) -> Any:
    """Replace every article id inside a JSON value by its gold document name."""
    if isinstance(x, str):
        return ids.get(x, x)
    if isinstance(x, list):
        return [_remap(v, ids) for v in x]
    if isinstance(x, dict):
        return {k: _remap(v, ids) for k, v in x.items()}
    return x


def run_corpus(
    stories: dict[tuple[str, str], list[Article]], settings: Settings
) -> tuple[dict[tuple[str, str], CrossCheck], dict[tuple[str, str], tuple[int, int]], list[list[str]]]:
    """All labelled events as ONE corpus through `storydesk.pipeline.run` (ingest, clean,
    cluster, cross-check): each event is scored on the stories that hold its articles, with
    article ids mapped back to the gold's document names.

    A syndicated copy counts once in the product (its original is the source); for scoring,
    the copies of each source are added back, since the gold lists every document that states
    a value. Also returns, per event, (stories holding its articles, articles marked as copies),
    and the events of every story that holds more than one.
    """
    import dataclasses
    import tempfile

    from storydesk.pipeline import run
    from storydesk.records import Story

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "gold.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for (kind, cluster), arts in sorted(stories.items()):
                for a in arts:
                    fh.write(json.dumps({"url": f"https://gold.invalid/{kind}/{cluster}/{a.id}",
                                         "outlet": f"{kind}-{cluster}-{a.id}", "text": a.text}) + "\n")
        run([src], Path(tmp) / "out", settings.replace(data_dir=Path(tmp) / "data"))
        found = json.loads((Path(tmp) / "out" / "stories.json").read_text(encoding="utf-8"))["stories"]
    results: dict[tuple[str, str], CrossCheck] = {}
    split: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    mixed: list[list[str]] = []
    for st in found:
        doc_of = {a["id"]: a["url"].rsplit("/", 3)[1:] for a in st["articles"] if a.get("url")}
        ids = {aid: d[2] for aid, d in doc_of.items()}
        copies: dict[str, set[str]] = defaultdict(set)
        for a in st["articles"]:
            if a.get("syndicated_from") and a["id"] in ids:
                copies[ids.get(a["syndicated_from"], a["syndicated_from"])].add(ids[a["id"]])
                split[(doc_of[a["id"]][0], doc_of[a["id"]][1])][1] += 1

        def widen(sources: tuple[str, ...], copies: dict[str, set[str]] = copies) -> tuple[str, ...]:
            return tuple(sorted(set(sources).union(*(copies.get(x, set()) for x in sources))))

        story = Story.from_dict(_remap({k: v for k, v in st.items() if k != "articles"} | {"articles": []}, ids))
        claims = tuple(dataclasses.replace(c, sources=widen(c.sources)) for c in story.claims)
        discs = tuple(
            dataclasses.replace(d, values=tuple(dataclasses.replace(v, sources=widen(v.sources)) for v in d.values))
            for d in story.discrepancies
        )
        keys = {(d[0], d[1]) for d in doc_of.values()}
        if len(keys) > 1:
            mixed.append(sorted(f"{k[0]}:{k[1]}" for k in keys))
        for key in keys:
            prev = results.get(key, CrossCheck())
            results[key] = CrossCheck(claims=prev.claims + claims, discrepancies=prev.discrepancies + discs)
            split[key][0] += 1
    return results, {k: (v[0], v[1]) for k, v in split.items()}, mixed


def print_table(title: str, s: dict) -> None:
    counts = s.pop("_counts")
    targets = {"discrepancies found": ">= 0.8", "traps flagged": "<= 0.1", "agreements found": ">= 0.8",
               "flags per story": ""}
    print(title)
    print(f"{'measure':24} {'value':>7} {'items':>9}  target")
    for name, value in s.items():
        kind = {"discrepancies found": "discrepancy", "traps flagged": "trap",
                "agreements found": "agreement"}.get(name)
        n = f"{counts[kind][0]}/{counts[kind][1]}" if kind else ""
        print(f"{name:24} {value:7.2f} {n:>9}  {targets[name]}")


def evaluate(data: Path = DATA, gold_file: str = "gold.jsonl", split: str = "all", mode: str = "both",
             embed: bool = True, verbose: bool = False) -> dict[str, Any]:
    """Score `split` of `gold_file`: {"items", "stories", "articles"} and, per mode run
    ("stories": each labelled event as one story; "corpus": all its events as ONE corpus through
    `storydesk.pipeline.run`), {"discrepancies found", "traps flagged", "agreements found",
    "flags per story", "_counts": {kind: [found, labelled]}, "seconds"}; corpus adds "spread",
    "copies" and "mixed" (events over several stories, syndicated copies, stories of several events).
    """
    if mode not in ("stories", "corpus", "both"):
        raise ValueError(f"unknown mode {mode!r}")
    gold = load_gold(data, gold_file, split)
    if not gold:
        raise ValueError(f"no items in split {split!r} of {gold_file}")
    stories = load_stories(data, gold)
    settings = Settings(embed=embed)
    out: dict[str, Any] = {"items": len(gold), "stories": len(stories),
                           "articles": sum(len(a) for a in stories.values())}
    if mode in ("stories", "both"):
        t0 = time.perf_counter()
        results = {key: crosscheck(arts, {}, settings) for key, arts in sorted(stories.items())}
        out["stories_mode"] = score(gold, results, verbose) | {"seconds": time.perf_counter() - t0}
    if mode in ("corpus", "both"):
        t0 = time.perf_counter()
        corpus, spread, mixed = run_corpus(stories, settings)
        out["corpus_mode"] = score(gold, corpus, verbose) | {
            "seconds": time.perf_counter() - t0,
            "spread": {f"{k[0]}:{k[1]}": n for k, (n, _c) in sorted(spread.items()) if n > 1},
            "copies": sum(c for _n, c in spread.values()),
            "mixed": mixed,
        }
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    ap.add_argument("--gold", choices=GOLD_FILES, default="gold.jsonl",
                    help="labelled items: gold.jsonl (47, all tune; default) or gold-more.jsonl (69 tune + 36 check)")
    ap.add_argument("--split", choices=SPLITS, default="all",
                    help="items of this portion (field `split`; gold.jsonl is all tune); default all")
    ap.add_argument("--no-embed", action="store_true", help="align on words, not MiniLM")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss of a tune item on stderr")
    ap.add_argument("--mode", choices=("stories", "corpus", "both"), default="stories",
                    help="stories: each labelled event as one story (default); corpus: all events as "
                         "ONE corpus through storydesk.pipeline.run; both")
    args = ap.parse_args()
    res = evaluate(args.data, args.gold, args.split, args.mode, embed=not args.no_embed, verbose=args.verbose)
    what = f"crosscheck-gold {args.gold} split={args.split}"
    load = f"load {os.getloadavg()[0]:.1f}"
    if "stories_mode" in res:
        s = res["stories_mode"]
        print_table(f"{what}, each event as one story: {res['items']} items, {res['stories']} stories, "
                    f"{res['articles']} articles, {s.pop('seconds'):.1f}s, {load}", s)
    if "corpus_mode" in res:
        c = res["corpus_mode"]
        if "stories_mode" in res:
            print()
        spread, copies, mixed = c.pop("spread"), c.pop("copies"), c.pop("mixed")
        print_table(f"{what}, all events as ONE corpus through storydesk.pipeline.run: "
                    f"{res['items']} items, {res['articles']} articles, {c.pop('seconds'):.1f}s, {load}", c)
        print(f"events spread over several stories: {len(spread)}/{res['stories']} "
              f"{' '.join(f'{k}={n}' for k, n in spread.items())}")
        print(f"articles marked as syndicated copies: {copies}")
        print(f"stories holding several events: {len(mixed)} {' '.join('+'.join(m) for m in mixed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
