"""Nearest-neighbour search over article vectors for event clustering.

`Vectors` keeps every article's vector (MiniLM title + lead, or the hashed TF-IDF sketch when
embeddings are off) in a growable float32 matrix and, unless the exact path is asked for, a
usearch HNSW index over the searchable rows, so a new article's neighbours cost ~ log n.
"""

from __future__ import annotations

import numpy as np

# Candidates fetched beyond k for exact re-scoring (`Vectors.ann_batch`): recall@20 on 10k i8
# sketches 0.932 fetching 20, 0.943 fetching 30 or 40, at the same search time (+/- noise); on the
# MiniLM vectors of the 9,049 real leads of that corpus 0.969 fetching 20, 0.994 fetching 30
# (f32 index fetching 20: 0.995 at 2.7x the usearch CPU time).
FETCH_MARGIN = 10
EXPANSION_SEARCH = 40


class Vectors:
    """Growable float32 matrix plus an optional usearch index over its rows.

    Rows appended during a batch wait in `pending` and are searched exactly (a small matmul);
    `flush()` hands them to usearch in one call at the end of the batch, because one `add`
    call per row cost ~0.4 ms of wrapper overhead each (bench/cluster_throughput.py profile).
    """

    def __init__(self, dim: int, exact: bool) -> None:
        self.dim = dim
        self.exact = exact
        self.data = np.zeros((64, dim), dtype=np.float32)
        self.n = 0
        self.indexed = np.zeros(64, dtype=bool)
        self.pending: list[int] = []
        self._ann = None
        if not exact:
            from usearch.index import Index

            # i8 (cosine on unit vectors): the index only picks candidates; `ann_batch` re-scores them
            # with exact float32 cosines from `data`, so the pair model reads the same cosines as on
            # the exact path. Measured on the sketches of the bench/cluster_throughput.py corpus
            # (search 20 then add, per batch of 500; usearch CPU s; recall@20 vs exact for 300
            # real-article queries): f32 10k 6.7 s (0.948), 30k 41.0 s (0.935); i8 fetching 30 and
            # re-scored 10k 2.7 s (0.943), 30k 12.2 s (0.939), 100k 89 s (0.933). Cheaper graphs lost
            # too much recall at 100k: expansion_add 32 60 s (0.812), connectivity 8 59 s (0.792).
            # expansion_add 64 (default 128): on 10k sketches recall@30 0.95 vs 0.97, adds 0.5 vs
            # 0.75 ms. Index.reserve() is not exposed in usearch 2.26's Python API (add grows it).
            # expansion_search 40 (default 64; at least the k + FETCH_MARGIN = 30 fetched): on the
            # 31.7k indexed sketches of the 40k bench corpus, streamed in batches of 500, usearch
            # search CPU 10k -> 30k rows 0.82 -> 5.06 s (64) vs 0.65 -> 3.15 s (40), recall@20 of
            # 300 remix queries after re-scoring 0.759 vs 0.751 (/tmp usearch sweep, 2026-11-23).
            self._ann = Index(ndim=dim, metric="cos", dtype="i8", expansion_add=64,
                              expansion_search=EXPANSION_SEARCH)

    def append(self, vec: np.ndarray, searchable: bool) -> int:
        if self.n == len(self.data):
            self.data = np.concatenate([self.data, np.zeros_like(self.data)])
            self.indexed = np.concatenate([self.indexed, np.zeros_like(self.indexed)])
        pos = self.n
        self.data[pos] = vec
        self.indexed[pos] = searchable
        self.n += 1
        if searchable and self._ann is not None:
            self.pending.append(pos)
        return pos

    def unindex(self, rows: set[int]) -> None:
        """Take pending `rows` out of the neighbour index before `flush()` (they stay in `data`:
        vectors for centroids, never returned by a search)."""
        if rows:
            self.indexed[list(rows)] = False
            self.pending = [r for r in self.pending if r not in rows]

    def flush(self) -> None:
        """Add the pending rows to the ANN index."""
        if self._ann is not None and self.pending:
            keys = np.asarray(self.pending, dtype=np.uint64)
            self._ann.add(keys, self.data[keys.astype(np.int64)], threads=1)
        self.pending = []

    def ann_batch(self, vecs: np.ndarray, k: int) -> list[list[tuple[int, float]]] | None:
        """usearch hits (row, cosine) among the indexed rows for each of `vecs`, in one call.

        The index does not change during a batch (rows wait in `pending` until `flush()`), so a
        batch's queries can all go to usearch at once: one call instead of one per article
        (bench/cluster_throughput.py profile). None on the exact path.
        """
        if self._ann is None:
            return None
        if not len(self._ann) or not len(vecs):
            return [[] for _ in range(len(vecs))]
        q = np.ascontiguousarray(vecs, dtype=np.float32)
        # a few more candidates than asked: the i8 ranking is approximate near the k-th place, and
        # exact re-scoring keeps the best k of them (the search cost is set by expansion_search,
        # not by the count, while the count stays below it)
        m = self._ann.search(q, min(k + FETCH_MARGIN, len(self._ann)), threads=1)
        # one query comes back as `Matches` (1-D, already trimmed), several as `BatchMatches`
        # (2-D, padded, with `counts`)
        keys = np.atleast_2d(np.asarray(m.keys)).astype(np.int64)
        counts = np.atleast_1d(m.counts) if hasattr(m, "counts") else np.array([keys.shape[1]])
        valid = np.arange(keys.shape[1])[None, :] < counts[:, None]
        keys = np.where(valid, keys, 0)
        # exact cosines from the stored float32 rows, one gather + one batched dot product
        sims = np.einsum("qd,qkd->qk", q, self.data[keys])
        sims[~valid] = -np.inf
        # best first, ties to the lower row, all queries in one sort; lists built from tolist()
        # (a per-element int()/float() loop cost ~40 us per query: cProfile of the 30k bench)
        order = np.lexsort((keys, -sims), axis=-1)
        keys_l = np.take_along_axis(keys, order, axis=1).tolist()
        sims_l = np.take_along_axis(sims, order, axis=1).tolist()
        return [list(zip(keys_l[r][: min(k, int(counts[r]))], sims_l[r][: min(k, int(counts[r]))], strict=True))
                for r in range(len(q))]

    def search(self, vec: np.ndarray, k: int, ann_hits: list[tuple[int, float]] | None = None
               ) -> list[tuple[int, float]]:
        """(row, cosine) of up to k nearest searchable rows, nearest first (ties: lower row).

        `ann_hits`: this vector's usearch hits from `ann_batch()`, searched here when None.
        """
        if self._ann is None:
            rows = np.flatnonzero(self.indexed[: self.n])
            if not len(rows):
                return []
            sims = self.data[rows] @ vec
            top = np.argsort(-sims, kind="stable")[:k]
            return [(int(rows[i]), float(sims[i])) for i in top]
        if ann_hits is None:
            ann_hits = self.ann_batch(vec[None, :], k)[0]  # type: ignore[index]
        found = list(ann_hits)
        if self.pending:
            # pending rows are the last rows appended (a contiguous block): a slice, not a copy
            lo = self.pending[0]
            sims = self.data[lo : self.n] @ vec
            sims[~self.indexed[lo : self.n]] = -np.inf
            kk = min(k, len(self.pending))
            best = np.argpartition(-sims, kk - 1)[:kk] if len(sims) > kk else np.arange(len(sims))
            found.extend((lo + int(b), float(sims[b])) for b in best if sims[b] > -np.inf)
            found.sort(key=lambda rs: (-rs[1], rs[0]))
        return found[:k]
