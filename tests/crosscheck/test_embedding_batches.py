"""Cross-check and the brief compare MiniLM vectors against tuned thresholds and share them through
the per-process cache, so a text's vector must not depend on which texts it was encoded with."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from storydesk import embed as emb


def test_batches_hold_one_length_each_longest_first() -> None:
    lengths = [5, 9, 5, 7, 9, 9, 5]
    parts = list(emb._batches(lengths, batch_size=2))
    assert parts == [[1, 4], [5], [3], [0, 2], [6]]
    assert sorted(i for p in parts for i in p) == list(range(len(lengths)))


@pytest.fixture(scope="module")
def sentences(seeds_dir: Path) -> list[str]:
    out: list[str] = []
    for f in sorted(seeds_dir.glob("*.txt")):
        out.extend(s for s in re.split(r"(?<=[.!?])\s+", f.read_text(encoding="utf-8")) if s.strip())
    return out


def test_a_texts_vector_does_not_depend_on_its_batch(sentences: list[str]) -> None:
    try:
        enc = emb.OnnxEncoder(n_threads=1)
    except Exception as exc:  # no onnxruntime here: the torch fallback batches its own way
        pytest.skip(f"ONNX backend unavailable: {exc}")
    together = enc.encode(sentences)
    alone = np.stack([enc.encode([s])[0] for s in sentences])
    # equal to the bit on the development machine (x86-64, onnxruntime's MLAS kernels); a
    # tolerance far below any threshold's margin keeps the test about batching, not the CPU
    assert np.allclose(together, alone, rtol=0, atol=1e-6)
    # and in another company: reversed, mixed with a long text
    mixed = enc.encode([" ".join(sentences), *reversed(sentences)])[1:][::-1]
    assert np.allclose(together, mixed, rtol=0, atol=1e-6)
