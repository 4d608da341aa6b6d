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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--write", action="store_true", help="save the model into the package")
    args = ap.parse_args()
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, roc_auc_score

    sets = build(args.data)
    xt, yt = sets["train"]
    xd, yd = sets["dev"]
    print(f"pairs: train {len(yt)} ({yt.mean():.2f} positive), dev {len(yd)} ({yd.mean():.2f} positive)")
    # C=1.0, balanced classes: the model is a ranking of pairs whose thresholds facts.py sets
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(xt, yt)
    for name, (x, y) in (("train (tune)", (xt, yt)), ("dev (check)", (xd, yd))):
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
                    "fitted_on": "ecbplus-mentions number_pairs, split=train (bench/train_matcher.py)",
                    "train_pairs": len(yt),
                },
                indent=1,
            )
            + "\n"
        )
        print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
