"""Fit the fact matcher (storydesk.crosscheck.matcher) on ECB+ event coreference; report it on dev.

Usage: .venv/bin/python bench/train_matcher.py [--data DIR] [--write]

Silver labels come from `ecbplus-mentions/number_pairs.jsonl.gz` (sentence pairs of two documents
of one ECB+ event cluster, each with its action mentions and their cross-document chains). Every
figure of each sentence gets its frame from the pipeline's own code (`annotate.parse`,
`numbers.extract_quantities`, `frames.frames_for`); a pair of figures is

- positive when the action mentions their measures hang from share one event chain,
- negative when both measures are annotated actions of different chains,
- left out when either measure is not an annotated action (no label to learn from).

Train topics fit the model (`split == "train"`); dev topics only report it. `--write` saves the
coefficients to src/storydesk/crosscheck/data/matcher.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

import numpy as np

from storydesk.annotate import parse
from storydesk.crosscheck.frames import Frame, frames_for
from storydesk.crosscheck.lang import language_data
from storydesk.crosscheck.matcher import FEATURES, features, measure_similarities, sentence_view
from storydesk.crosscheck.numbers import extract_quantities

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "src" / "storydesk" / "crosscheck" / "data" / "matcher.json"


def _chain_at(actions: list[dict], offset: int) -> str | None:
    for a in actions:
        if a["start"] <= offset < a["end"]:
            return a["chain_id"] or ""
    return None


def build(data: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    with gzip.open(data / "ecbplus-mentions" / "number_pairs.jsonl.gz", "rt") as fh:
        rows = [json.loads(line) for line in fh]
    sents: dict[tuple[str, int], tuple[str, list[dict]]] = {}
    for r in rows:
        for side in ("a", "b"):
            sents[(r[f"doc_id_{side}"], r[f"sentence_{side}"])] = (r[f"text_{side}"], r[f"actions_{side}"])
    keys = sorted(sents)
    texts = [sents[k][0] for k in keys]
    print(f"parsing {len(texts)} sentences", file=sys.stderr)
    parsed = parse(texts)
    from storydesk.embed import embed

    vecs = embed(texts)
    lang = language_data("en")
    assert lang is not None
    pos = {k: i for i, k in enumerate(keys)}
    frames: dict[int, tuple[Frame, ...]] = {}
    views = {}
    for i, (k, p) in enumerate(zip(keys, parsed, strict=True)):
        assert p is not None
        frames[i] = frames_for(p, extract_quantities(texts[i]), k[0], i)
        views[i] = sentence_view(p, lang)
    msim = measure_similarities([f for fs in frames.values() for f in fs])
    out: dict[str, tuple[list[list[float]], list[int]]] = {"train": ([], []), "dev": ([], [])}
    seen: set[tuple[int, int]] = set()
    for r in rows:
        i, j = pos[(r["doc_id_a"], r["sentence_a"])], pos[(r["doc_id_b"], r["sentence_b"])]
        if (i, j) in seen:
            continue
        seen.add((i, j))
        cos = float(vecs[i] @ vecs[j])
        for fa in frames[i]:
            ca = _chain_at(r["actions_a"], fa.measure_at) if fa.measure_at >= 0 else None
            if not ca:
                continue
            for fb in frames[j]:
                if fa.unit != fb.unit:
                    continue  # the engine never compares figures of two units
                cb = _chain_at(r["actions_b"], fb.measure_at) if fb.measure_at >= 0 else None
                if not cb:
                    continue
                x, y = out[r["split"]]
                ms = msim.get((fa.what, fb.what), 0.0)
                x.append(features(fa, fb, cos, ms, views[i], views[j], lang))
                y.append(int(ca == cb))
    return {k: (np.array(x, dtype=float), np.array(y)) for k, (x, y) in out.items()}


def gold_pairs(data: Path) -> tuple[np.ndarray, np.ndarray, int]:
    """Labelled frame pairs from crosscheck-gold's TUNE items (gold.jsonl, gold-more split=tune):
    the figures of a discrepancy's or an agreement's values are one fact (1), a trap's are two
    (0). Each value's quoted text is found in its document's sentence, and the frame whose figure
    sits inside the quote stands for it. Returns features, labels and the items used."""
    sys.path.insert(0, str(ROOT / "bench"))
    from crosscheck_gold import detok, load_gold, load_stories
    from storydesk.embed import embed
    from storydesk.segment import sentences

    lang = language_data("en")
    assert lang is not None
    items = [g for g in load_gold(data, "gold.jsonl") + load_gold(data, "gold-more.jsonl", "tune")
             if g["type"] in ("number", "date")]
    stories = load_stories(data, items)
    x: list[list[float]] = []
    y: list[int] = []
    used = 0
    for g in items:
        arts = {a.id: a for a in stories[(g["set"], str(g["cluster"]))]}
        found = []  # (doc, value index, sentence text, frame)
        for vi, v in enumerate(g["values"]):
            quote = detok(" ".join(v["text"].split()))
            for doc in v["docs"][:1]:
                art = arts.get(doc)
                sent = next((t for t in sentences(art) if quote in t.text), None) if art else None
                if sent is None:
                    continue
                (p,) = parse([sent.text])
                at = sent.text.index(quote)
                fs = [f for f in frames_for(p, extract_quantities(sent.text), doc, 0)
                      if f.start >= at and f.end <= at + len(quote)]
                if fs and p is not None:
                    found.append((doc, vi, sent.text, fs[0], p))
        pairs = [(a, b) for i, a in enumerate(found) for b in found[i + 1 :] if a[0] != b[0]
                 and (a[1] != b[1] or g["kind"] == "agreement")]
        if not pairs:
            continue
        used += 1
        texts = sorted({t for _d, _v, t, _f, _p in found})
        vec = dict(zip(texts, embed(texts), strict=True))
        msim = measure_similarities([f for *_r, f, _p in found])
        for a, b in pairs:
            fa, fb = a[3], b[3]
            x.append(features(fa, fb, float(vec[a[2]] @ vec[b[2]]), msim.get((fa.what, fb.what), 0.0),
                              sentence_view(a[4], lang), sentence_view(b[4], lang), lang))
            y.append(0 if g["kind"] == "trap" else 1)
    return np.array(x, dtype=float), np.array(y), used


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--write", action="store_true", help="save the model into the package")
    # 0 by default, measured: crosscheck-gold's tune pairs are near chance for these features
    # (AUC 0.60 in sample: its traps are built to look like one fact), and fitting on them
    # lowered ECB+ dev AUC (0.853 at 0, 0.846 at weight 1, 0.827 at 5)
    ap.add_argument("--gold-weight", type=float, default=0.0,
                    help="weight of each crosscheck-gold tune pair in the fit (0: reported, not fitted)")
    args = ap.parse_args()
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, roc_auc_score

    sets = build(args.data)
    xt, yt = sets["train"]
    xd, yd = sets["dev"]
    xg, yg, used = gold_pairs(args.data)
    print(f"pairs: train {len(yt)} ({yt.mean():.2f} positive), dev {len(yd)} ({yd.mean():.2f} positive); "
          f"crosscheck-gold tune {len(yg)} ({yg.mean():.2f} positive) from {used} items")
    # C=1.0, balanced classes: the model is a ranking of pairs whose thresholds facts.py sets.
    # The gold pairs are labelled by hand, the ECB+ ones are silver: each gold pair weighs
    # --gold-weight silver ones.
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
    if args.gold_weight > 0:
        weights = np.concatenate([np.ones(len(yt)), np.full(len(yg), args.gold_weight)])
        model.fit(np.vstack([xt, xg]), np.concatenate([yt, yg]), sample_weight=weights)
    else:
        model.fit(xt, yt)
    for name, (x, y) in (("train (tune)", (xt, yt)), ("crosscheck-gold tune", (xg, yg)), ("dev (check)", (xd, yd))):
        p = model.predict_proba(x)[:, 1]
        line = f"{name}: AUC {roc_auc_score(y, p):.3f}, average precision {average_precision_score(y, p):.3f}"
        for t in (0.5, 0.7, 0.8, 0.9):
            sel = p >= t
            prec = y[sel].mean() if sel.any() else float("nan")
            line += f"; P@{t} {prec:.2f} (recall {(sel & (y == 1)).sum() / max(1, y.sum()):.2f})"
        print(line)
    for f, c in zip(FEATURES, model.coef_[0], strict=True):
        print(f"  {f:16s} {c:+.3f}")
    if args.write:
        OUT.write_text(
            json.dumps(
                {
                    "features": list(FEATURES),
                    "coef": [round(float(c), 5) for c in model.coef_[0]],
                    "intercept": round(float(model.intercept_[0]), 5),
                    "fitted_on": "ecbplus-mentions number_pairs split=train"
                    + (f" + crosscheck-gold tune x{args.gold_weight}" if args.gold_weight > 0 else "")
                    + " (bench/train_matcher.py)",
                    "train_pairs": len(yt),
                    "gold_pairs": len(yg) if args.gold_weight > 0 else 0,
                },
                indent=1,
            )
            + "\n"
        )
        print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
