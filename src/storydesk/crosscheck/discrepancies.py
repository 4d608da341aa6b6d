"""Find where the articles of one story give the same fact different values.

Takes a `StoryIndex` (candidate sentences, embeddings, figures) and the aligned claims, and
returns `Discrepancy` records, each listing every value with its articles and exact text.

The one idea: a figure is matched with at most one figure of each other article -- the most
similar sentence stating a comparable figure (same unit, same counted event) -- and only matched
figures are compared. Matching first, comparing second keeps "two children killed" in Iran's
strike from being set against "seven killed" in Pakistan's. No NLI model is needed.

Not flagged (each a trap family of the crosscheck-gold README): killed vs injured, km vs miles and
dollars vs euros (not `comparable`), a range or bound that contains the other value, hedged
round figures that cover the other (`compatible`), an explicit update ("rose to 10") against a
figure it does not claim to update, a subset/superset count ("including the gunman"), ages a year
apart, and figures about different sub-events (the two sentences name different magnitudes or
weekdays).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from storydesk.crosscheck.claims import StoryIndex, attribution_of
from storydesk.crosscheck.numbers import Quantity, comparable, compatible
from storydesk.records import Claim, Discrepancy, DiscrepancyValue, Passage

# Lowest sentence cosine at which two comparable figures are taken to be about one fact.
# Measured on bench/crosscheck_gold.py (dev portion), sweeping 0.35-0.65: lower finds more
# discrepancies but starts setting figures of different sub-events against each other.
MATCH_MIN_SIM = 0.45

_WEEKDAY = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
_SUBJECT = {
    "count:killed": "people killed",
    "count:injured": "people injured",
    "count:arrested": "people arrested",
    "count:missing": "people missing",
    "count:displaced": "people displaced",
    "mag": "magnitude",
    "age": "age",
    "time": "time",
    "duration": "duration",
    "%": "percentage",
    "tally": "vote or score",
    "km": "distance (km)",
    "mi": "distance (miles)",
}

Mention = tuple[int, int]  # (candidate sentence index, quantity index)


def figure_similarity(index: StoryIndex, a: Mention, b: Mention) -> float:
    """Mean of the sentences' and the figures' own contexts' cosine similarity."""
    ctx = float(index.figure_sims[index.figure_row[a], index.figure_row[b]])
    return 0.5 * float(index.sims[a[0], b[0]]) + 0.5 * ctx


def _different_subevent(index: StoryIndex, i: int, j: int, key: str) -> bool:
    """Do the two sentences name different magnitudes or weekdays (so, different events)?"""
    qi = [q for q in index.quantities[i] if q.unit == "mag" and q.key != key]
    qj = [q for q in index.quantities[j] if q.unit == "mag" and q.key != key]
    if qi and qj and not any(compatible(a, b) for a in qi for b in qj):
        return True
    di = {d.lower() for d in _WEEKDAY.findall(index.sentences[i].text)}
    dj = {d.lower() for d in _WEEKDAY.findall(index.sentences[j].text)}
    return bool(di and dj and not di & dj)


def _may_pair(index: StoryIndex, i: int, j: int, a: Quantity, b: Quantity) -> bool:
    if not comparable(a, b):
        return False
    if a.update != b.update:
        return False  # "rose to 10" updates the earlier figure; it does not contradict it
    if a.scoped != b.scoped:
        return False  # "four (including the shooter)" counts a different set than "three"
    return not _different_subevent(index, i, j, a.key)


def match_figures(index: StoryIndex, claim_of: Mapping[int, str]) -> list[tuple[float, Mention, Mention]]:
    """One-to-one matches of comparable figures between every two independent articles."""
    by_root: dict[str, list[Mention]] = {}
    for i, qs in enumerate(index.quantities):
        r = index.root[index.sentences[i].article]
        for k in range(len(qs)):
            by_root.setdefault(r, []).append((i, k))
    roots = sorted(by_root)
    matches: list[tuple[float, Mention, Mention]] = []
    for x in range(len(roots)):
        for y in range(x + 1, len(roots)):
            cands: list[tuple[float, Mention, Mention]] = []
            for ma in by_root[roots[x]]:
                qa = index.quantities[ma[0]][ma[1]]
                for mb in by_root[roots[y]]:
                    qb = index.quantities[mb[0]][mb[1]]
                    sim = figure_similarity(index, ma, mb)
                    if sim < MATCH_MIN_SIM or not _may_pair(index, ma[0], mb[0], qa, qb):
                        continue
                    score = sim
                    if qa.noun and qa.noun == qb.noun:
                        score += 0.1
                    if compatible(qa, qb):
                        score += 0.05
                    if claim_of.get(ma[0]) is not None and claim_of.get(ma[0]) == claim_of.get(mb[0]):
                        score += 0.1
                    cands.append((score, ma, mb))
            cands.sort(key=lambda c: (-c[0], c[1], c[2]))
            used: set[Mention] = set()
            for score, ma, mb in cands:
                if ma in used or mb in used:
                    continue
                used.update((ma, mb))
                matches.append((score, ma, mb))
    return matches


def group_figures(index: StoryIndex, matches: Sequence[tuple[float, Mention, Mention]]) -> list[list[Mention]]:
    """Grow facts from the strongest matches: one figure per article, no weak chaining."""
    parent: dict[Mention, Mention] = {}
    members: dict[Mention, list[Mention]] = {}

    def find(m: Mention) -> Mention:
        if m not in parent:
            parent[m] = m
            members[m] = [m]
        while parent[m] != m:
            parent[m] = parent[parent[m]]
            m = parent[m]
        return m

    for _score, a, b in sorted(matches, key=lambda t: (-t[0], t[1], t[2])):
        ga, gb = find(a), find(b)
        if ga == gb:
            continue
        ma, mb = members[ga], members[gb]
        if {index.sentences[m[0]].article for m in ma} & {index.sentences[m[0]].article for m in mb}:
            continue
        if len(ma) + len(mb) > 2:
            cross = [figure_similarity(index, x, y) for x in ma for y in mb]
            if sum(cross) / len(cross) < MATCH_MIN_SIM:
                continue
        parent[gb] = ga
        members[ga] = ma + mb
        del members[gb]
    return list(members.values())


def _subject(q: Quantity) -> str:
    if q.key in _SUBJECT:
        return _SUBJECT[q.key]
    if q.unit in ("USD", "EUR", "GBP", "JPY", "CNY", "INR", "RUB", "CHF"):
        return f"amount ({q.unit})"
    if q.key.startswith("count:"):
        return q.key[len("count:") :] or "count"
    return q.key


def find_discrepancies(index: StoryIndex, claims: Sequence[tuple[Claim, Sequence[int]]]) -> tuple[Discrepancy, ...]:
    """Number, time and duration disagreements between matched figures of the story."""
    claim_of: dict[int, str] = {}
    for claim, members in claims:
        for k in members:
            claim_of[k] = claim.id
    groups = group_figures(index, match_figures(index, claim_of))
    out: list[Discrepancy] = []
    for members in groups:
        qs = [(m, index.quantities[m[0]][m[1]]) for m in members]
        clash = any(
            not compatible(qa, qb)
            and index.root[index.sentences[ma[0]].article] != index.root[index.sentences[mb[0]].article]
            for x, (ma, qa) in enumerate(qs)
            for (mb, qb) in qs[x + 1 :]
        )
        if not clash:
            continue
        by_label: dict[str, list[tuple[Mention, Quantity]]] = {}
        for m, q in sorted(qs, key=lambda t: (t[1].value, t[1].bound, t[0])):
            by_label.setdefault(q.label(), []).append((m, q))
        values = []
        for label, items in by_label.items():
            passages = tuple(
                Passage(
                    article=index.sentences[m[0]].article,
                    start=index.sentences[m[0]].start,
                    end=index.sentences[m[0]].end,
                    text=index.sentences[m[0]].text,
                )
                for m, _q in items
            )
            sources = tuple(sorted({index.root[p.article] for p in passages}))
            attributed = tuple(sorted({a for a in (attribution_of(p.text) for p in passages) if a}))
            values.append(
                DiscrepancyValue(
                    value=label, text=passages[0].text, sources=sources, passages=passages, attributed_to=attributed
                )
            )
        first_q = qs[0][1]
        kind = "date" if first_q.unit in ("time", "duration") else "number"
        claim_ids = {claim_of.get(m[0]) for m in members} - {None}
        out.append(
            Discrepancy(
                kind=kind,
                subject=_subject(first_q),
                values=tuple(values),
                claim=sorted(claim_ids)[0] if len(claim_ids) == 1 else None,
            )
        )
    out.sort(key=lambda d: (d.kind, d.subject, [v.value for v in d.values]))
    return tuple(out)


__all__ = ["MATCH_MIN_SIM", "figure_similarity", "find_discrepancies", "group_figures", "match_figures"]
