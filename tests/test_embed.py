"""The packaged MiniLM embedder: offline load, unit vectors, and the per-process vector cache."""

from __future__ import annotations

import numpy as np
import pytest

from storydesk import embed as emb


def test_vectors_are_unit_length_and_meaningful() -> None:
    v = emb.embed(["Pakistan struck militant hideouts in Iran.", "Pakistan hit militant bases inside Iran.",
                   "The bakery sells sourdough bread on Sundays."])
    assert v.shape == (3, emb.DIM) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > 0.6 > v[0] @ v[2]


def test_cache_encodes_each_text_once_and_returns_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    model = emb.get_model()
    seen: list[str] = []
    real = model.encode

    def counting(texts, **kw):  # type: ignore[no-untyped-def]
        seen.extend(texts)
        return real(texts, **kw)

    monkeypatch.setattr(model, "encode", counting)
    texts = ["A flood closed the Linz river bridge.", "Trams cross the bridge again from Monday.",
             "A flood closed the Linz river bridge."]
    first = emb.embed(texts)
    assert seen == texts[:2]  # the repeated text is encoded once
    again = emb.embed(texts[::-1])
    assert seen == texts[:2]  # nothing new to encode
    assert np.array_equal(again, first[::-1])
    first[0] = 0.0  # callers get copies: changing one cannot poison the cache
    assert np.allclose(np.linalg.norm(emb.embed(texts[:1]), axis=1), 1.0, atol=1e-4)
    # cached vectors are the model's own, to float precision
    direct = real(texts[:2], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    assert np.allclose(emb.embed(texts[:2]), direct, atol=1e-5)


def test_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emb, "CACHE_MAX", 3)
    texts = [f"Council meeting number {i} approved the budget." for i in range(6)]
    out = emb.embed(texts)
    assert out.shape == (6, emb.DIM)  # all returned although only 3 stay cached
    assert len(emb._CACHE) <= 3
    assert texts[-1] in emb._CACHE and texts[0] not in emb._CACHE
