"""Precision of conflict flags, read by hand: draw a random sample of flags on held-out events.

Usage:
    .venv/bin/python bench/conflict_sample.py draw [--n 60]    # writes bench/results/conflict_sample.jsonl
    .venv/bin/python bench/conflict_sample.py score             # precision of the labelled sample

The committed sample (bench/results/conflict_sample.jsonl) keeps each flag's values and sources
but not the sentences (third-party text stays in ../shared/data); `draw` on the same code
rebuilds them.

`draw` runs `storydesk.crosscheck.crosscheck` (the code the pipeline runs) on every ECB+ dev
event cluster (`split == "dev"` in ecbplus-events) and every NeuS val line (three outlets' leads),
each event as one story, collects every discrepancy it flags, and draws `--n` of them at random
(seed 20261207). Each drawn flag is a line with `label: null` to fill by hand with "real" (the
outlets state incompatible values of one fact of that event) or "false" (different facts,
compatible values, misread numbers), and a `why`. These are check portions: the sample is read
once, at the end, to measure; it never changes code. `score` prints the share labelled real.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crosscheck_gold import _article, detok
from storydesk.crosscheck import crosscheck
from storydesk.records import Article

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "bench" / "results" / "conflict_sample.jsonl"


def events(data: Path, portion: str = "check") -> dict[str, list[Article]]:
    """Each event as one story's articles: ECB+ dev clusters and NeuS val lines (check), or ECB+
    train clusters and NeuS train lines 1-1226 (tune, as crosscheck-gold divides train)."""
    out: dict[str, list[Article]] = defaultdict(list)
    split, source, last = ("dev", "val.source", None) if portion == "check" else ("train", "train.source", 1226)
    with gzip.open(data / "ecbplus-events" / "docs.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            if d.get("split") == split:
                out[f"ecbplus:{d['event_cluster']}"].append(_article(d["doc_id"], detok(d["text"])))
    lines = (data / "neus-allsides" / source).read_text(encoding="utf-8").split("\n")
    for n, line in enumerate(lines, start=1):
        if not line.strip() or (last is not None and n > last):
            continue
        for i, seg in enumerate(line.split(" [SEP] ")):
            m = re.match(r"\s*TITLE=>\s*(.*?)\s*ARTICLE=>\s*(.*)$", seg, re.S)
            title, body = (m.group(1), m.group(2)) if m else ("", seg)
            out[f"neus-{source.split('.')[0]}:{n}"].append(_article(str(i), f"{title}\n{body}".strip()))
    return out


def draw(data: Path, n: int, portion: str = "check") -> None:
    flags = []
    evs = events(data, portion)
    for k, (name, arts) in enumerate(sorted(evs.items())):
        if len(arts) < 2:
            continue
        cc = crosscheck(arts, {a.id: None for a in arts})
        if portion == "tune":
            # tune: every disagreeing figure row, conflicts and possibles, with the matcher's
            # confidence, to choose FactConfig.veto on labels
            for f in cc.facts:
                if f.status in ("conflict", "possible") and f.kind in ("number", "date"):
                    flags.append(
                        {
                            "event": name,
                            "kind": f.kind,
                            "subject": f.subject,
                            "status": f.status,
                            "confidence": f.confidence,
                            "values": [{"value": c.value, "sources": list(c.sources), "text": c.text} for c in f.cells],
                        }
                    )
            continue
        for d in cc.discrepancies:
            flags.append(
                {
                    "event": name,
                    "kind": d.kind,
                    "subject": d.subject,
                    "values": [{"value": v.value, "sources": list(v.sources), "text": v.text} for v in d.values],
                }
            )
        if k % 50 == 0:
            print(f"{k}/{len(evs)} events, {len(flags)} flags", file=sys.stderr)
    print(f"{len(flags)} flags on {len(evs)} events", file=sys.stderr)
    sample = random.Random(20261207).sample(flags, min(n, len(flags)))
    out = OUT if portion == "check" else OUT.with_name("conflict_tune.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for f in sample:
            fh.write(json.dumps({**f, "label": None, "why": ""}, ensure_ascii=False) + "\n")
    print(f"wrote {len(sample)} flags of {len(flags)} to {out}", file=sys.stderr)


def score() -> None:
    rows = [json.loads(line) for line in OUT.open(encoding="utf-8")]
    labelled = [r for r in rows if r["label"] in ("real", "false")]
    real = sum(r["label"] == "real" for r in labelled)
    print(f"{real}/{len(labelled)} flags are real conflicts ({real / max(1, len(labelled)):.2f}); "
          f"{len(rows) - len(labelled)} unlabelled")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=("draw", "score"))
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--portion", choices=("check", "tune"), default="check",
                    help="check: ECB+ dev + NeuS val (measure once); tune: ECB+ train + NeuS train 1-1226, "
                    "every conflict and possible row with its confidence (fit FactConfig.veto)")
    args = ap.parse_args()
    draw(args.data, args.n, args.portion) if args.command == "draw" else score()


if __name__ == "__main__":
    main()
