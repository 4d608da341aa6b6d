"""Same-event clustering on ECB+ (../shared/data/ecbplus-events): B-cubed P/R/F1 vs `event_cluster`.

    .venv/bin/python bench/cluster_ecbplus.py          # score the shipped scorers
    .venv/bin/python bench/cluster_ecbplus.py --fit    # refit the pair model + threshold on train
    .venv/bin/python bench/cluster_ecbplus.py --sweep-link   # CLUSTER_SLACK x SIZE_PENALTY on train
    .venv/bin/python bench/cluster_ecbplus.py --batches train  # one batch + batches of 32 only (dense)

Each ECB+ topic holds two look-alike events, so topic-level merges are the error to watch. The
storydesk clusterer gets the documents shuffled with a fixed seed, as a feed would deliver them,
in one `add()` (the whole split is one batch, clustered as a whole) and, in the orders table, also
in batches of SMALL_BATCH (a store fed in small runs: each batch clusters itself and then joins
the stories already stored); thresholds are tuned on split=train only and the headline number is
split=dev. In the same
run, a TF-IDF + average-link agglomerative baseline gets its distance threshold tuned on train and
is scored on dev. Documents carry no title or time here: text only.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from storydesk.cluster.features import lead  # noqa: E402
from storydesk.cluster.stories import DENSE_SCORER, NEIGHBOURS, SPARSE_SCORER, Scorer, StoryIndex  # noqa: E402
from storydesk.records import Article  # noqa: E402
from storydesk.settings import Settings  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "ecbplus-events" / "docs.jsonl.gz"
CACHE = Path("/tmp/storydesk-bench-cache")
# Stream orders for the order-sensitivity table. The old one-by-one greedy assignment depended on
# arrival order (dev B3-F1 0.83-0.95 over 10 shuffles); a batch is now clustered as a whole, so one
# batch should give one number whatever the order, and small batches show what order still does.
ORDERS = 10
SMALL_BATCH = 32


def load_docs() -> list[dict]:
    with gzip.open(DATA, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def to_article(d: dict) -> Article:
    return Article(id=d["doc_id"], outlet=None, title=None, url=d.get("url"), published=None,
                   language="en", raw_text=d["text"], text=d["text"])


def backend() -> str:
    """The embedding backend the product uses here (torch, onnxruntime, onnxruntime-int8): cached
    vectors are kept per backend, since their vectors differ slightly."""
    from storydesk.embed import get_model

    return getattr(get_model(), "backend", "torch")


def embeddings(arts: list[Article]) -> np.ndarray:
    """MiniLM vectors of each article's lead, cached on disk by content (the model is slow here)."""
    return embed_cached([lead(a) for a in arts], "ecb")


def embed_cached(texts: list[str], prefix: str) -> np.ndarray:
    """MiniLM vectors of `texts`, cached on disk under CACHE by `prefix`, content and backend."""
    key = hashlib.sha256("\x1f".join(texts).encode()).hexdigest()[:16]
    path = CACHE / f"{prefix}-{backend()}-{key}.npy"
    if path.exists():
        return np.load(path)
    from storydesk.embed import embed

    vecs = embed(texts)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vecs)
    return vecs


def bcubed(pred: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall, F1 over the items of `gold`."""
    pc: dict[str, set[str]] = {}
    gc: dict[str, set[str]] = {}
    for k in gold:
        pc.setdefault(pred[k], set()).add(k)
        gc.setdefault(gold[k], set()).add(k)
    p = r = 0.0
    for k in gold:
        inter = len(pc[pred[k]] & gc[gold[k]])
        p += inter / len(pc[pred[k]])
        r += inter / len(gc[gold[k]])
    p /= len(gold)
    r /= len(gold)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def stream(docs: list[dict], vecs: dict[str, np.ndarray] | None, scorer: Scorer, seed: int = 7,
           batches: int = 1) -> dict[str, str]:
    order = list(docs)
    random.Random(seed).shuffle(order)
    idx = StoryIndex.load(None, Settings(embed=vecs is not None), scorer=scorer)
    step = max(1, -(-len(order) // batches))
    for s in range(0, len(order), step):
        part = [to_article(d) for d in order[s : s + step]]
        v = np.stack([vecs[a.id] for a in part]) if vecs is not None else None
        idx.add(part, vectors=v)
    return {a: idx.assignment(a).story for a in idx.ids}


def dev_bcubed(dense: bool = True, cache: bool = False, batches: bool = False) -> dict[str, float]:
    """B-cubed P/R/F1 of the shipped scorer on split=dev, shuffled (seed 7) in ONE batch.

    The headline number of this bench, for other code (tests/eval_gate.py). `dense`: the
    MiniLM+sparse scorer on the leads' vectors (the product's default), else sparse only.
    `cache` reads and writes the vectors under CACHE; a gate computes them afresh, so a changed
    model or lead can never be scored on stale vectors. `batches` adds the mean and the lowest
    F1 over ORDERS shuffles streamed in batches of SMALL_BATCH.
    """
    dev = [d for d in load_docs() if d["split"] == "dev"]
    vecs = None
    if dense:
        arts = [to_article(d) for d in dev]
        if cache:
            mat = embeddings(arts)
        else:
            from storydesk.embed import embed

            mat = embed([lead(a) for a in arts])
        vecs = dict(zip([a.id for a in arts], mat, strict=True))
    gold = {d["doc_id"]: d["event_cluster"] for d in dev}
    pred = stream(dev, vecs, DENSE_SCORER if dense else SPARSE_SCORER)
    p, r, f = bcubed(pred, gold)
    out = {"precision": p, "recall": r, "f1": f, "docs": len(dev), "stories": len(set(pred.values())),
           "events": len(set(gold.values()))}
    if batches:
        # the same documents in ORDERS shuffles, streamed in batches of SMALL_BATCH (a store fed
        # in small runs), as the --batches table measures them
        f1s = [bcubed(stream(dev, vecs, DENSE_SCORER if dense else SPARSE_SCORER, seed=s,
                             batches=-(-len(dev) // SMALL_BATCH)), gold)[2] for s in range(1, ORDERS + 1)]
        out |= {"batches_mean_f1": float(np.mean(f1s)), "batches_min_f1": float(min(f1s))}
    return out


def fit(docs: list[dict], vecs: dict[str, np.ndarray] | None) -> Scorer:
    """Logistic pair model on train neighbourhoods, then the threshold with the best train F1."""
    from sklearn.linear_model import LogisticRegression

    never = Scorer(coef=(0.0,) * 6, bias=-50.0, threshold=1.0)
    idx = StoryIndex.load(None, Settings(embed=vecs is not None), scorer=never)
    arts = [to_article(d) for d in docs]
    idx.add(arts, vectors=np.stack([vecs[a.id] for a in arts]) if vecs is not None else None)
    gold = {d["doc_id"]: d["event_cluster"] for d in docs}
    X, y = [], []
    for i, aid in enumerate(idx.ids):
        for j, cos in idx._vec.search(idx._vec.data[i], NEIGHBOURS + 1):
            if j != i:
                X.append(idx.pair_features(i, j, cos))
                y.append(int(gold[aid] == gold[idx.ids[j]]))
    lr = LogisticRegression(C=10.0, max_iter=2000).fit(np.array(X), np.array(y))
    coef = tuple(round(float(c), 3) for c in lr.coef_[0])
    if vecs is None:
        coef = (0.0, *coef[1:])
    bias = round(float(lr.intercept_[0]), 3)
    print(f"pairs {len(y)} (positive {sum(y)}), coef {coef}, bias {bias}")
    best = (0.0, 0.5)
    for th in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        sc = Scorer(coef=coef, bias=bias, threshold=round(float(th), 2))  # type: ignore[arg-type]
        f1 = bcubed(stream(docs, vecs, sc), gold)[2]
        print(f"  threshold {th:.2f}: train B3 F1 {f1:.4f}")
        if f1 > best[0]:
            best = (f1, round(float(th), 2))
    return Scorer(coef=coef, bias=bias, threshold=best[1])  # type: ignore[arg-type]


def sweep_link(train: list[dict], vecs: dict[str, np.ndarray] | None) -> None:
    """Train B3-F1 of the cluster-merge rule's two constants (stories.CLUSTER_SLACK, SIZE_PENALTY)."""
    import storydesk.cluster.stories as st

    gold = {d["doc_id"]: d["event_cluster"] for d in train}
    kept = st.CLUSTER_SLACK, st.SIZE_PENALTY
    for name, sc, v in (("dense", DENSE_SCORER, vecs), ("sparse", SPARSE_SCORER, None)):
        if name == "dense" and vecs is None:
            continue
        for slack in (0.1, 0.15, 0.2, 0.25, 0.3):
            row = []
            for pen in (0.1, 0.15, 0.2):
                st.CLUSTER_SLACK, st.SIZE_PENALTY = slack, pen
                row.append(f"penalty {pen:.2f}: {bcubed(stream(train, v, sc), gold)[2]:.4f}")
            print(f"{name} slack {slack:.2f}  " + "  ".join(row), flush=True)
    st.CLUSTER_SLACK, st.SIZE_PENALTY = kept


def baseline(train: list[dict], dev: list[dict]) -> tuple[float, tuple[float, float, float]]:
    """TF-IDF + average-link agglomerative clustering; distance threshold tuned on train."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    def run(docs: list[dict], th: float) -> dict[str, str]:
        X = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(
            [d["text"] for d in docs]).toarray()
        lab = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                      distance_threshold=th).fit_predict(X)
        return {d["doc_id"]: str(c) for d, c in zip(docs, lab, strict=True)}

    gold_tr = {d["doc_id"]: d["event_cluster"] for d in train}
    best = max((bcubed(run(train, th), gold_tr)[2], th) for th in np.arange(0.5, 1.0, 0.02))
    gold_dev = {d["doc_id"]: d["event_cluster"] for d in dev}
    return float(best[1]), bcubed(run(dev, float(best[1])), gold_dev)


def neus_articles() -> tuple[list[Article], dict[str, str]]:
    """NeuS/AllSides val as one corpus: 307 events x 3 outlets' title + lead; gold = line number."""
    path = ROOT.parent / "shared" / "data" / "neus-allsides" / "val.source"
    arts, gold = [], {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        for k, part in enumerate(line.split("[SEP]")):
            title, _, body = part.partition("ARTICLE=>")
            title = title.replace("TITLE=>", "").strip().rstrip(".")
            a = Article(id=f"neus-{n}-{k}", outlet=None, title=title, url=None, published=None,
                        language="en", raw_text=body.strip(), text=body.strip())
            arts.append(a)
            gold[a.id] = str(n)
    return arts, gold


def neus_rows(scorers: dict[str, tuple[Scorer, dict | None]]) -> list[tuple]:
    arts, gold = neus_articles()
    order = list(arts)
    random.Random(7).shuffle(order)
    rows = []
    for name, (sc, v) in scorers.items():
        idx = StoryIndex.load(None, Settings(embed=v is not None), scorer=sc)
        vecs = embeddings(order) if v is not None else None
        t = time.perf_counter()
        idx.add(order, vectors=vecs)
        dt = time.perf_counter() - t
        pred = {a: idx.assignment(a).story for a in idx.ids}
        p, r, f = bcubed(pred, gold)
        rows.append((name, "neus-val", p, r, f, len(set(pred.values())), len(set(gold.values())), dt))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fit", action="store_true", help="refit the pair models and thresholds on train")
    ap.add_argument("--no-dense", action="store_true", help="skip the MiniLM scorer (no embedding)")
    ap.add_argument("--sweep-link", action="store_true",
                    help="train B3-F1 over CLUSTER_SLACK x SIZE_PENALTY with the shipped scorers, then exit")
    ap.add_argument("--batches", choices=("train", "dev"),
                    help="only this split, dense scorer: seed 7 in one batch, then the mean/min B3-F1 over "
                         f"{ORDERS} shuffles streamed in batches of {SMALL_BATCH}, then exit")
    args = ap.parse_args()

    docs = load_docs()
    splits = {"train": [d for d in docs if d["split"] == "train"],
              "dev": [d for d in docs if d["split"] == "dev"], "all": docs}
    t0 = time.perf_counter()
    vecs = None
    if not args.no_dense:
        arts = [to_article(d) for d in docs]
        vecs = dict(zip([a.id for a in arts], embeddings(arts), strict=True))
    print(f"{len(docs)} docs, {len({d['event_cluster'] for d in docs})} events; "
          f"embeddings ready in {time.perf_counter() - t0:.1f}s")

    if args.sweep_link:
        sweep_link(splits["train"], vecs)
        return
    if args.batches:
        part = splits[args.batches]
        gold = {d["doc_id"]: d["event_cluster"] for d in part}
        t = time.perf_counter()
        p, r, f = bcubed(stream(part, vecs, DENSE_SCORER), gold)
        print(f"{args.batches}/1 (seed 7): P {p:.3f} R {r:.3f} F1 {f:.3f}")
        f1s = [bcubed(stream(part, vecs, DENSE_SCORER, seed=s, batches=-(-len(part) // SMALL_BATCH)), gold)[2]
               for s in range(1, ORDERS + 1)]
        print(f"{args.batches}/{SMALL_BATCH}s (seeds 1-{ORDERS}): mean {np.mean(f1s):.3f} min {min(f1s):.3f} "
              f"max {max(f1s):.3f}  ({time.perf_counter() - t:.1f}s)")
        return
    scorers: dict[str, tuple[Scorer, dict | None]] = {}
    if args.fit:
        if vecs is not None:
            scorers["storydesk (MiniLM+sparse)"] = (fit(splits["train"], vecs), vecs)
        scorers["storydesk (sparse only)"] = (fit(splits["train"], None), None)
        for name, (sc, _) in scorers.items():
            print(f"{name}: {sc}")
    else:
        if vecs is not None:
            scorers["storydesk (MiniLM+sparse)"] = (DENSE_SCORER, vecs)
        scorers["storydesk (sparse only)"] = (SPARSE_SCORER, None)

    rows = []
    for name, (sc, v) in scorers.items():
        for split in ("train", "dev", "all"):
            gold = {d["doc_id"]: d["event_cluster"] for d in splits[split]}
            t = time.perf_counter()
            pred = stream(splits[split], v, sc)
            dt = time.perf_counter() - t
            p, r, f = bcubed(pred, gold)
            rows.append((name, split, p, r, f, len(set(pred.values())), len(set(gold.values())), dt))
    # the same dev documents in ORDERS other shuffles, in one batch and in batches of SMALL_BATCH
    orders = []
    for name, (sc, v) in scorers.items():
        for split in ("train", "dev"):
            gold = {d["doc_id"]: d["event_cluster"] for d in splits[split]}
            for batches, label in ((1, "1"), (-(-len(splits[split]) // SMALL_BATCH), f"{SMALL_BATCH}s")):
                f1s = [bcubed(stream(splits[split], v, sc, seed=s, batches=batches), gold)[2]
                       for s in range(1, ORDERS + 1)]
                orders.append((name, f"{split}/{label}", float(np.mean(f1s)), min(f1s), max(f1s)))
    rows.extend(neus_rows(scorers))
    th, (p, r, f) = baseline(splits["train"], splits["dev"])
    rows.append((f"TF-IDF avg-link (th {th:.2f} on train)", "dev", p, r, f, 0, 0, 0.0))

    print(f"\n{'method':38} {'split':6} {'B3-P':>6} {'B3-R':>6} {'B3-F1':>6} {'pred':>5} {'gold':>5} {'sec':>6}")
    for name, split, p, r, f, npred, ngold, dt in rows:
        print(f"{name:38} {split:6} {p:6.3f} {r:6.3f} {f:6.3f} {npred:5d} {ngold:5d} {dt:6.2f}")
    print(f"\nB3-F1 over {ORDERS} stream orders (shuffle seeds 1-{ORDERS}; the table above is seed 7 alone);"
          f" split/1 = one batch, split/{SMALL_BATCH}s = batches of {SMALL_BATCH}")
    print(f"{'method':38} {'split':9} {'mean':>6} {'min':>6} {'max':>6}")
    for name, split, mean, lo, hi in orders:
        print(f"{name:38} {split:9} {mean:6.3f} {lo:6.3f} {hi:6.3f}")
    # the main error: both events of one topic merged into one predicted cluster
    for name, (sc, v) in scorers.items():
        pred = stream(splits["dev"], v, sc)
        topic_of = {d["doc_id"]: (d["topic"], d["subtopic"]) for d in splits["dev"]}
        merged: Counter[str] = Counter()
        for s in set(pred.values()):
            subs = {topic_of[a] for a in pred if pred[a] == s}
            if len({t for t, _ in subs}) == 1 and len(subs) == 2:
                merged[s] += 1
        print(f"{name}: dev clusters mixing both events of a topic: {len(merged)}")


if __name__ == "__main__":
    main()
