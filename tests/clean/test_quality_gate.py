"""Fast quality gate on a fixed subset of real pages (the full gate is bench/clean_quality.py).

storydesk (parse_html + clean_document) and plain trafilatura run on the same pages; storydesk
must not fall below the floors measured when this test was written, nor below trafilatura.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from storydesk.clean import clean_document
from storydesk.errors import InputError
from storydesk.ingest.html import parse_html
from storydesk.records import Provenance
from storydesk.settings import Settings

N_AEB = 12  # first pages by id: a fixed subset, not chosen by score
N_TEV = 30
# Measured on these subsets by this test (storydesk 0.9837 / 0.9289; trafilatura 2.3.1
# 0.9818 / 0.8819), rounded down to two decimals. Raise them when cleaning improves.
FLOOR_SHINGLE_F1 = 0.98
FLOOR_SEGMENT_F1 = 0.92
# A generous extraction bound, so that a busy CI machine cannot turn a slow page into a fallback
# extraction and move the score (the 2 s default is tested in tests/ingest/test_html.py).
SETTINGS = Settings(extract_timeout_s=10.0)


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text or "")


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    t = _tokens(text)
    return Counter(tuple(t[i : i + 4]) for i in range(max(0, len(t) - 3)))


def _shingle_f1(pairs: list[tuple[str, str]]) -> float:
    precs, recs = [], []
    for truth, pred in pairs:
        t, p = _shingles(truth), _shingles(pred)
        tp, fp, fn = sum((t & p).values()), sum((p - t).values()), sum((t - p).values())
        if fp == 0 and fn == 0:
            precs.append(1.0)
            recs.append(1.0)
            continue
        if tp + fp:
            precs.append(tp / (tp + fp))
        if tp + fn:
            recs.append(tp / (tp + fn))
    p, r = sum(precs) / len(precs), sum(recs) / len(recs)
    return 2 * p * r / (p + r)


def _storydesk(data: bytes, url: str | None) -> str:
    try:
        raw = parse_html(data, Provenance(url or "page", "html"), SETTINGS, url=url)
    except InputError:
        return ""
    return clean_document(raw).text


def _trafilatura(data: bytes, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(data, url=url, include_comments=False) or ""


def test_article_extraction_benchmark_subset(data_root: Path) -> None:
    root = data_root / "article-extraction-benchmark"
    truth = json.loads((root / "ground-truth.json").read_text())
    ids = sorted(truth)[:N_AEB]
    ours, theirs = [], []
    for i in ids:
        data = gzip.decompress((root / "html" / f"{i}.html.gz").read_bytes())
        url = truth[i].get("url")
        ours.append((truth[i]["articleBody"], _storydesk(data, url)))
        theirs.append((truth[i]["articleBody"], _trafilatura(data, url)))
    f_ours, f_theirs = _shingle_f1(ours), _shingle_f1(theirs)
    print(f"shingle F1 storydesk {f_ours:.4f} trafilatura {f_theirs:.4f}")
    assert f_ours >= FLOOR_SHINGLE_F1
    assert f_ours >= f_theirs - 0.005


def _norm(text: str) -> str:
    return " ".join(text.split())


def test_trafilatura_eval_subset(data_root: Path) -> None:
    root = data_root / "trafilatura-eval"
    ev = json.loads((root / "evaldata.json").read_text())
    counts = {"storydesk": Counter(), "trafilatura": Counter()}
    for u in sorted(ev)[:N_TEV]:
        data = gzip.decompress((root / "html" / (ev[u]["file"] + ".gz")).read_bytes())
        url = u if u.startswith("http") else None
        for name, text in (("storydesk", _storydesk(data, url)), ("trafilatura", _trafilatura(data, url))):
            t = _norm(text)
            for seg in ev[u]["with"]:
                counts[name]["tp" if _norm(seg) in t else "fn"] += 1
            for seg in ev[u]["without"]:
                counts[name]["fp" if _norm(seg) in t else "tn"] += 1
    f1 = {k: 2 * c["tp"] / (2 * c["tp"] + c["fp"] + c["fn"]) for k, c in counts.items()}
    print(f"segment F1 {f1}")
    assert f1["storydesk"] >= FLOOR_SEGMENT_F1
    assert f1["storydesk"] >= f1["trafilatura"]


@pytest.fixture(autouse=True)
def _warm_language_models() -> None:
    from storydesk.ingest.html import warm_up

    warm_up()  # once per process; parse_html would do it on its first page anyway
