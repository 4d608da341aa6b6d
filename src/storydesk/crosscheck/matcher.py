"""Do two outlets' figures state the same fact? A learned, calibrated pairwise model.

Takes two `Frame`s (from different articles) with what their sentences share, and returns the
probability that both figures measure the same happening. The model is a logistic regression over
a dozen features (`FEATURES`), fitted by `bench/train_matcher.py` on ECB+ cross-document event
coreference: two figures are one fact when the event mentions they hang from belong to one
annotated event chain (`../shared/data/ecbplus-mentions`, train topics; dev topics are the check).
Its coefficients ship as `crosscheck/data/matcher.json`.

The one idea: values never enter the model. Whether two figures are about the same event is
learned from what surrounds them; whether they disagree is then plain interval arithmetic
(`crosscheck.facts`), so a conflict cannot be "learned" from the values that make it a conflict.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from storydesk.annotate import ParsedSentence
from storydesk.crosscheck.frames import Frame
from storydesk.crosscheck.lang import LanguageData

FEATURES = (
    "cosine",  # MiniLM cosine of the two sentences
    "same_measure",  # one measure lemma ("kill" and "kill")
    "measure_similarity",  # MiniLM cosine of the measured things ("injure people" and "hurt")
    "measure_overlap",  # Jaccard of the lemmas from figure to verb
    "same_noun",  # one counted noun ("woman" and "woman")
    "generic_nouns",  # both count "people" or nothing in particular
    "scope_clash",  # both name places in the figure's clause, none in common
    "scope_share",  # a place in common
    "time_clash",  # both name dates in the clause, none in common
    "holder_clash",  # both figures belong to names, none in common
    "entity_overlap",  # Jaccard of the two sentences' named entities
    "word_overlap",  # Jaccard of the two sentences' content lemmas
    "part_mismatch",  # one is an item of a list of counts, the other is not
)


@dataclass(frozen=True, slots=True)
class SentenceView:
    """What the matcher reads of a figure's sentence besides the frame."""

    entities: frozenset[str]
    lemmas: frozenset[str]


def _norm(names: Sequence[str]) -> set[str]:
    return {n.lower().removeprefix("the ").strip() for n in names if n.strip()}


def _jaccard(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def clash(a: Sequence[str], b: Sequence[str]) -> tuple[float, float]:
    """(1, 0) when both sides name places (dates, owners) and none is shared; (0, 1) when one is;
    (0, 0) when a side names none."""
    x, y = _norm(a), _norm(b)
    if not x or not y:
        return 0.0, 0.0
    # "Kerman" and "the city of Kerman" name one place: a shared word is enough
    shared = bool(x & y) or any(p in q or q in p for p in x for q in y)
    return (0.0, 1.0) if shared else (1.0, 0.0)


def features(
    a: Frame, b: Frame, cosine: float, measure_sim: float, sa: SentenceView, sb: SentenceView, lang: LanguageData
) -> list[float]:
    """The feature vector of one pair, in `FEATURES` order (`measure_sim`: see `measure_similarity`)."""
    scope_clash, scope_share = clash(a.scope, b.scope)
    time_clash, _ = clash(a.time, b.time)
    holder_clash, _ = clash(a.holder, b.holder)
    return [
        cosine,
        float(bool(a.measure) and a.measure == b.measure),
        measure_sim,
        _jaccard(set(a.measure_words), set(b.measure_words)),
        float(a.noun == b.noun and a.noun not in lang.generic_nouns),
        float(a.noun in lang.generic_nouns and b.noun in lang.generic_nouns),
        scope_clash,
        scope_share,
        time_clash,
        holder_clash,
        _jaccard(sa.entities, sb.entities),
        _jaccard(sa.lemmas, sb.lemmas),
        float(a.part != b.part),
    ]


@dataclass(frozen=True, slots=True)
class MatcherModel:
    """Logistic-regression weights, in `FEATURES` order."""

    coef: tuple[float, ...]
    intercept: float

    def probability(self, x: Sequence[float]) -> float:
        """P(same fact) for one feature vector."""
        z = self.intercept + sum(w * v for w, v in zip(self.coef, x, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=1)
def load_model() -> MatcherModel:
    """The shipped model (`crosscheck/data/matcher.json`, written by bench/train_matcher.py)."""
    raw = resources.files("storydesk.crosscheck").joinpath("data", "matcher.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    if tuple(data["features"]) != FEATURES:
        raise ValueError("crosscheck/data/matcher.json was fitted on other features: rerun bench/train_matcher.py")
    return MatcherModel(coef=tuple(float(c) for c in data["coef"]), intercept=float(data["intercept"]))




def measure_similarities(frames: Sequence[Frame], use_embeddings: bool = True) -> dict[tuple[str, str], float]:
    """Cosine of every pair of the frames' measured things (`Frame.what`), each embedded once
    (MiniLM); 1.0 for one wording, 0.0 where a side has none or embeddings are off."""
    words = sorted({f.what for f in frames if f.what})
    out: dict[tuple[str, str], float] = {(w, w): 1.0 for w in words}
    if not use_embeddings or len(words) < 2:
        return out
    from storydesk.embed import embed

    vec = embed(words)
    sims = vec @ vec.T
    for i, x in enumerate(words):
        for j, y in enumerate(words):
            out[(x, y)] = float(sims[i, j])
    return out


_NUMERIC_ENTITIES = frozenset({"CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})
_CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ"})


def sentence_view(parsed: ParsedSentence, lang: LanguageData) -> SentenceView:
    """Named entities (never the figures themselves) and content lemmas of a parsed sentence."""
    ents = frozenset(e.text.lower() for e in parsed.entities if e.label not in _NUMERIC_ENTITIES)
    lemmas = frozenset(t.lemma for t in parsed.tokens if t.pos in _CONTENT_POS and t.lemma not in lang.light_words)
    return SentenceView(entities=ents, lemmas=lemmas)


__all__ = [
    "FEATURES",
    "MatcherModel",
    "SentenceView",
    "clash",
    "features",
    "load_model",
    "measure_similarities",
    "sentence_view",
]
