"""Clustering's candidate generation in parallel: embeddings and MinHash signatures by batch.

The expensive, per-article half of clustering (a MiniLM embedding per article, a MinHash
signature per article) is independent across articles, so it runs on any engine's workers in
batches (`Engine.map_batches`, a map over partitions), while the cheap, order-dependent half
(index lookups, story assignment) stays in the parent. Results come back as one array, row i for
text i, identical whichever engine computed them.

    >>> from storydesk.engine import LocalEngine
    >>> from storydesk.engine.candidates import parallel_embeddings, parallel_minhash
    >>> with LocalEngine(workers=2) as engine:
    ...     vecs = parallel_embeddings(engine, texts)        # (n, 384) float32, unit norm
    ...     sigs = parallel_minhash(engine, texts, num_perm=128, ngram=5)  # (n, 128) uint64
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

import numpy as np

from storydesk.engine.base import Engine

_WORD = re.compile(r"\w+")

# Texts per task: MiniLM encodes in batches of 64 inside a task, so 256 is four model batches,
# enough to amortise shipping the texts, few enough to keep both workers busy on 1k articles.
EMBED_BATCH = 256
# MinHash of a 500-word article takes ~1 ms; 512 per task keeps task overhead under 5%.
MINHASH_BATCH = 512


def embed_batch(texts: list[str]) -> np.ndarray:
    """MiniLM embeddings of `texts` in this process (the model loads once per worker)."""
    from storydesk.embed import embed

    return embed(texts)


def embed_nonempty_batch(texts: list[str]) -> np.ndarray:
    """Like `embed_batch`, but an empty (or blank) text gets a zero row without being embedded."""
    from storydesk.embed import DIM, embed

    out = np.zeros((len(texts), DIM), dtype=np.float32)
    todo = [k for k, t in enumerate(texts) if t.strip()]
    if todo:
        out[todo] = embed([texts[k] for k in todo])
    return out


def shingles(text: str, ngram: int = 5) -> set[bytes]:
    """Word `ngram`-shingles of lower-cased `\\w+` tokens (one shingle of all words if shorter)."""
    words = _WORD.findall(text.lower())
    if len(words) <= ngram:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + ngram]).encode("utf-8") for i in range(len(words) - ngram + 1)}


def minhash_batch(texts: list[str], num_perm: int = 128, ngram: int = 5, seed: int = 1,
                  shingler: Callable[[str], Iterable[bytes]] | None = None) -> np.ndarray:
    """MinHash signatures (datasketch, `num_perm` uint64 hash values per text) of `texts`.

    `shingler` (module-level, picklable) replaces the default word `ngram`-shingles. Signatures
    equal `datasketch.MinHash(num_perm, seed)` updated with the same shingles, so they can be
    loaded into a `MinHashLSH` with `MinHash(num_perm, seed, hashvalues=row)`.
    """
    from datasketch import MinHash

    make = shingler or functools.partial(shingles, ngram=ngram)
    out = np.empty((len(texts), num_perm), dtype=np.uint64)
    for i, text in enumerate(texts):
        m = MinHash(num_perm=num_perm, seed=seed)
        m.update_batch(list(make(text)))
        out[i] = m.hashvalues
    return out


def _stack(parts: Iterable[np.ndarray], width: int, dtype: type) -> np.ndarray:
    arrays = list(parts)
    if not arrays:
        return np.zeros((0, width), dtype=dtype)
    return np.concatenate(arrays, axis=0)


def parallel_embeddings(engine: Engine, texts: Iterable[str], batch_size: int = EMBED_BATCH) -> np.ndarray:
    """Embeddings of `texts` computed on `engine`'s workers: (n, 384) float32, row i for text i."""
    from storydesk.embed import DIM

    return _stack(engine.map_batches(embed_batch, texts, batch_size=batch_size), DIM, np.float32)


def parallel_minhash(engine: Engine, texts: Iterable[str], num_perm: int = 128, ngram: int = 5,
                     seed: int = 1, shingler: Callable[[str], Iterable[bytes]] | None = None,
                     batch_size: int = MINHASH_BATCH) -> np.ndarray:
    """MinHash signatures of `texts` on `engine`'s workers: (n, num_perm) uint64, row i for text i."""
    fn = functools.partial(minhash_batch, num_perm=num_perm, ngram=ngram, seed=seed, shingler=shingler)
    return _stack(engine.map_batches(fn, texts, batch_size=batch_size), num_perm, np.uint64)
