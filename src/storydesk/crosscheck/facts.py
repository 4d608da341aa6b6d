"""The fact table of one story: one row per fact, one cell per independent outlet.

Takes the story's candidate sentences (`claims.StoryIndex`) and its figures grouped into facts by
the figure rules (`discrepancies.figure_facts`), parses only the sentences that state figures
(`storydesk.annotate`), reads a `Frame` per figure (`frames.py`: what it counts, of whom, where,
when, on whose word) and lets the learned matcher (`matcher.py`) vet every disagreement:

- `agree` / `compatible`: the outlets' values are the same / their intervals overlap;
- `conflict`: two outlets' intervals cannot both hold, and the matcher finds the pair one fact
  (no clash of unit, counted group, place, date or owner, and P(same fact) >= `FactConfig.veto`);
- `possible`: they cannot both hold, but the matcher does not find them one fact (shown apart,
  never called a conflict: a false alarm costs a user more than a miss);
- `update`: every disagreeing pair has a figure marked as a revision ("rose to", "two more").

`fact_records` turns the groups into `Fact` rows, conflicts first; aligned claims and exclusive
sentences join the table as "other" rows (`crosscheck.crosscheck`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from storydesk.annotate import parse
from storydesk.crosscheck.claims import StoryIndex
from storydesk.crosscheck.discrepancies import figure_subject
from storydesk.crosscheck.frames import Frame, frames_for
from storydesk.crosscheck.lang import language_data
from storydesk.crosscheck.matcher import (
    SentenceView,
    clash,
    features,
    load_model,
    measure_similarities,
    sentence_view,
)
from storydesk.crosscheck.numbers import Quantity, compatible
from storydesk.records import Article, Claim, Discrepancy, Exclusive, Fact, FactCell, Passage, Quote, content_id

Mention = tuple[int, int]  # (candidate sentence index, figure index)


@dataclass(frozen=True, slots=True)
class FactConfig:
    """Thresholds of the fact engine.

    `veto`: a disagreeing pair of figures the matcher gives less than this probability of being
    one fact is not called a conflict (the row becomes "possible"). Chosen on crosscheck-gold's
    tune items (bench/crosscheck_gold.py --split tune): at the model's own boundary, 0.5, the
    vetting lost 6 of gold.jsonl's 19 discrepancies and 3 of gold-more's 5 found; at 0.2 it
    loses 3-4 and 1 while still cutting flags per story by ~30% on gold-more tune.
    """

    veto: float = 0.2
    # A figure this specific (significant digits, trailing zeros dropped: 235,000 -> 3; 3,869 -> 4)
    # rarely comes up twice in one story by chance, so two outlets that give exactly it, in
    # sentences the figure rules did not match, state one fact (`identical_figures`). Two-digit
    # figures ("24", "60", "$200 million") recur across facts of one story and need more evidence.
    specific_digits: int = 3
    # units whose figure is an attribute of one holder (a person's age): see `vet_groups.owned`
    owned_units: frozenset[str] = frozenset({"age"})
    # two outlets' wordings of one quote at or above this word-sequence similarity that still
    # differ in a word are an altered quote; below it they may be two sentences of one speech
    # (0.8 is the bar quotes.py already uses to call two wordings one quote)
    altered: float = 0.8


@dataclass(slots=True)
class FactGroup:
    """Figures of one fact (as (sentence, figure) mentions), and the row's status."""

    members: list[Mention]
    status: str
    confidence: float | None = None


def significant_digits(value: float) -> int:
    """Digits of a figure without its trailing zeros or point: 235000 -> 3, 20.6 -> 3, 7 -> 1."""
    digits = f"{abs(value):.6f}".rstrip("0").rstrip(".").replace(".", "").lstrip("0")
    return len(digits.rstrip("0")) if digits else 0


def identical_figures(
    index: StoryIndex,
    clashing: Sequence[Sequence[Mention]],
    agreeing: Sequence[Sequence[Mention]],
    config: FactConfig | None = None,
) -> list[list[Mention]]:
    """The agreeing groups, widened by the outlets that give one exact, specific figure.

    The figure rules match two figures by the words around them, so "Employers added 235,000 jobs"
    and "the economy adding just 235,000 positions" stay apart; the same 235,000 from two outlets
    of one story is itself the evidence. Only unhedged figures of the same unit with at least
    `specific_digits` significant digits count (years never reach here: the number parser leaves
    dates to the timeline), never a mention of a group that disagrees. An agreeing group of one
    such value takes the value's other mentions; they form a new group when two or more outlets
    give the value (each outlet's first mention is its cell in the fact table, every mention a
    passage of the claim).
    """
    config = config or FactConfig()
    in_clash = {m for g in clashing for m in g}
    in_agree = {m for g in agreeing for m in g}

    def key(q: Quantity) -> tuple[float, str, float | None]:
        return (q.value, q.unit, q.second)

    by_value: dict[tuple[float, str, float | None], list[Mention]] = {}
    for i, qs in enumerate(index.quantities):
        for k, q in enumerate(qs):
            m = (i, k)
            if m in in_clash or m in in_agree or q.bound not in ("exact", "tally") or q.unit in ("time", "duration"):
                continue
            if significant_digits(q.value) >= config.specific_digits:
                by_value.setdefault(key(q), []).append(m)

    def root(m: Mention) -> str:
        return index.root[index.sentences[m[0]].article]

    out: list[list[Mention]] = []
    for group in agreeing:
        vals = [index.quantities[m[0]][m[1]] for m in group]
        keys = {key(q) for q in vals}
        widened = list(group)
        if len(keys) == 1 and all(q.bound in ("exact", "tally") for q in vals):
            widened += by_value.pop(next(iter(keys)), [])
        out.append(sorted(widened))
    for members in by_value.values():
        if len({root(m) for m in members}) >= 2:
            out.append(sorted(members))
    return out


def read_frames(
    index: StoryIndex, languages: Mapping[str, str | None], only: Collection[int] | None = None
) -> dict[Mention, Frame]:
    """Parse the sentences with figures (those of `only`, when given) and read a frame per figure.

    A story whose figures all agree needs the frames of its grouped sentences alone (who said
    each value); vetting a disagreement reads every figure of the outlets involved.
    """
    todo = [i for i, qs in enumerate(index.quantities) if qs and (only is None or i in only)]
    by_lang: dict[str | None, list[int]] = {}
    for i in todo:
        by_lang.setdefault(languages.get(index.sentences[i].article), []).append(i)
    frames: dict[Mention, Frame] = {}
    for lang, idx in by_lang.items():
        parsed = parse([index.sentences[i].text for i in idx], lang)
        for i, p in zip(idx, parsed, strict=True):
            if p is None:
                continue
            index.parses[i] = p
            for k, f in enumerate(frames_for(p, index.quantities[i], index.sentences[i].article, i, lang)):
                frames[(i, k)] = f
    return frames


def hard_different(a: Frame, b: Frame) -> bool:
    """Pairs that are two facts whatever the model says: another unit, a forecast or rate against
    an outcome, an item of a list of counts against a figure that is not one ("three women and
    four children" against "nine people"), two different named groups ("women" and "children"),
    or clauses that name different places, dates or owners."""
    if a.language != b.language:
        return True  # no word list reads across languages: never a conflict by them
    generic = _generic(a)
    if a.unit != b.unit or a.marked != b.marked or a.part != b.part:
        return True
    if a.noun and b.noun and a.noun != b.noun and a.noun not in generic and b.noun not in generic:
        return True
    return any(clash(x, y)[0] for x, y in ((a.scope, b.scope), (a.time, b.time), (a.holder, b.holder)))


def _same_kind(a: Frame, b: Frame, owned_units: Collection[str]) -> bool:
    """Figures of one named counted thing or one unit (not an owned unit: each person has an age)."""
    if a.noun and a.noun == b.noun and a.noun not in _generic(a):
        return True
    return bool(a.unit) and a.unit == b.unit and a.unit not in owned_units


def _generic(frame: Frame) -> frozenset[str]:
    """The nouns that name no particular group ("people", "victims") in the frame's language."""
    lang = language_data(frame.language)
    return lang.generic_nouns if lang else frozenset()


class PairScorer:
    """The matcher's P(same fact) for pairs of one story's frames, sharing one embedding pass."""

    def __init__(self, index: StoryIndex, frames: Mapping[Mention, Frame], use_embeddings: bool = True) -> None:
        self.index = index
        self.frames = frames
        self.model = load_model()
        self.msim = measure_similarities(list(frames.values()), use_embeddings)
        self.views: dict[int, SentenceView] = {}
        for (i, _k), f in frames.items():
            lang = language_data(f.language)
            if i not in self.views and i in index.parses and lang is not None:
                self.views[i] = sentence_view(index.parses[i], lang)

    def __call__(self, ma: Mention, mb: Mention) -> float | None:
        """P(same fact), 0.0 for a hard difference, None when a side has no frame."""
        fa, fb = self.frames.get(ma), self.frames.get(mb)
        lang = language_data(fa.language) if fa is not None else None
        if fa is None or fb is None or lang is None or ma[0] not in self.views or mb[0] not in self.views:
            return None
        if hard_different(fa, fb):
            return 0.0
        ms = self.msim.get((fa.what, fb.what), 0.0)
        x = features(fa, fb, float(self.index.sims[ma[0], mb[0]]), ms, self.views[ma[0]], self.views[mb[0]], lang)
        return self.model.probability(x)


def vet_groups(
    index: StoryIndex,
    clashing: Sequence[Sequence[Mention]],
    agreeing: Sequence[Sequence[Mention]],
    frames: Mapping[Mention, Frame],
    config: FactConfig | None = None,
    use_embeddings: bool = True,
) -> list[FactGroup]:
    """Statuses for the story's figure groups: a disagreeing group is a conflict only while one of
    its disagreeing pairs of two outlets is one fact by the matcher; else it is only "possible"
    ("update" when every disagreeing pair has a figure marked as a revision)."""
    config = config or FactConfig()
    if clashing:  # the scorer embeds every frame's measured thing: only a disagreement needs it
        score = PairScorer(index, frames, use_embeddings)
    by_root: dict[str, list[Mention]] = {}
    for m in frames:
        by_root.setdefault(index.root[index.sentences[m[0]].article], []).append(m)

    def also_states(root: str, other: Mention) -> bool:
        """Does outlet `root` itself give `other`'s value for the same thing somewhere? Then its
        other figure is of another span, player or moment ("eight passes for 66 yards" in an
        article that also gives the season's 440 yards), not a contradiction of `other`."""
        fo, qo = frames.get(other), index.quantities[other[0]][other[1]]
        if fo is None:
            return False
        return any(
            (g := frames[m]).unit == fo.unit
            and g.noun == fo.noun
            and (g.measure == fo.measure or not g.measure or not fo.measure)
            and index.quantities[m[0]][m[1]].value == qo.value  # the very value, not a hedged one
            for m in by_root.get(root, ())
        )

    def several(root: str, own: Mention, other: Mention) -> bool:
        """Does outlet `root` itself give another value, one `own` cannot share, for the same
        measured thing, one that `other` could as well be about? Then the kind of figure has
        several facts in this story (each player's touchdowns, each year's total) and which one
        the other outlet means is not known: no conflict can be called on it. A value that
        `other` cannot be about (another place, date or owner: "nine killed in Pakistan" beside
        "84 killed in Kerman") leaves the pair one fact. Of one kind are figures of one measure,
        or of one named counted thing (touchdowns), or of one unit (%, $, points): a unit names
        what is measured, whatever verb the sentence uses ("fell 4% on Monday and 6% over the
        week")."""
        fo, qo, fx = frames.get(own), index.quantities[own[0]][own[1]], frames.get(other)
        if fo is None or fx is None:
            return False
        return any(
            m != own
            and (g := frames[m]).unit == fo.unit
            and g.noun == fo.noun
            and (g.measure == fo.measure or _same_kind(g, fo, config.owned_units))
            and not compatible(index.quantities[m[0]][m[1]], qo)
            and not hard_different(g, fx)
            for m in by_root.get(root, ())
        )

    def owned(a: Mention, b: Mention) -> bool:
        """A figure that belongs to one person or thing (an age) is one fact across outlets only
        when both name the same holder: two ages with no shared name are two people's."""
        fa, fb = frames.get(a), frames.get(b)
        if fa is None or fb is None or config.owned_units.isdisjoint({fa.unit, fb.unit}):
            return True
        return clash(fa.holder, fb.holder)[1] > 0  # one shared name, as `clash` reads names

    out: list[FactGroup] = []
    for members in agreeing:
        labels = {index.quantities[m[0]][m[1]].label() for m in members}
        out.append(FactGroup(list(members), "agree" if len(labels) == 1 else "compatible"))
    for members in clashing:
        root = {m: index.root[index.sentences[m[0]].article] for m in members}
        qs = {m: index.quantities[m[0]][m[1]] for m in members}
        pairs = [
            (a, b)
            for x, a in enumerate(members)
            for b in members[x + 1 :]
            if root[a] != root[b]
            and not compatible(qs[a], qs[b])
            and not also_states(root[a], b)
            and not also_states(root[b], a)
            and not several(root[a], a, b)
            and not several(root[b], b, a)
            and owned(a, b)
        ]
        probs = [score(a, b) for a, b in pairs]
        known = [p for p in probs if p is not None]
        best = max(known) if known else None
        if pairs and all(qs[a].update or qs[b].update for a, b in pairs):
            status = "update"
        elif not pairs:
            status = "possible"  # each side also gives the other's value: no contradiction left
        elif best is None or best >= config.veto:
            status = "conflict"  # no parse (no model for the language) keeps the figure rules' word
        else:
            status = "possible"
        out.append(FactGroup(list(members), status, None if best is None else round(best, 3)))
    return out


def subject_of(index: StoryIndex, frames: Mapping[Mention, Frame], members: Sequence[Mention]) -> str:
    """What a fact is about, in words: the counted thing and what happened to it.

    The figure rules' wording ("people killed", "amount (USD)") reads as a reader writes and is
    the one the discrepancies list uses, so it comes first; the frames' lemmas only name what
    those rules leave bare.
    """
    fs = [frames[m] for m in members if m in frames]
    q = index.quantities[members[0][0]][members[0][1]]
    if q.noun and q.predicate and not q.unit:
        return f"{q.noun} {q.predicate}"  # "children killed", as the sentence words it
    worded = figure_subject(q)
    if not fs or worded not in ("count", ""):
        return worded
    measures = [x.measure for x in fs if x.measure]
    nouns = [x.noun for x in fs if x.noun and x.noun != "%"]
    measure = max(sorted(set(measures)), key=measures.count) if measures else ""
    noun = max(sorted(set(nouns)), key=nouns.count) if nouns else ""
    unit = {"time": "time", "duration": "duration", "age": "age", "mag": "magnitude", "%": "share"}.get(
        fs[0].unit, fs[0].unit
    )
    words = [w for w in (noun, measure) if w]
    head = " ".join(words) if words else "figure"
    return f"{head} ({unit})" if unit else head


def _cell(
    by_id: Mapping[str, Article],
    root: Mapping[str, str],
    aid: str,
    value: str,
    text: str,
    passages: Sequence[Passage] = (),
    attributed_to: str = "",
) -> FactCell:
    """Outlet `aid`'s cell: named by its original's outlet, with every copy of it as a source."""
    rid = root.get(aid, aid)
    art = by_id.get(rid) or by_id.get(aid)
    return FactCell(
        outlet=art.outlet if art and art.outlet else rid,
        sources=tuple(sorted(a for a, r in root.items() if r == rid)) or (aid,),
        value=value,
        text=text,
        published=art.published if art else None,
        passages=tuple(passages),
        attributed_to=attributed_to,
    )


def _first_per_outlet(passages: Sequence[Passage], root: Mapping[str, str]) -> list[Passage]:
    """Each independent outlet's first passage, in the order of the outlets' ids."""
    firsts: dict[str, Passage] = {}
    for p in passages:
        firsts.setdefault(root.get(p.article, p.article), p)
    return [p for _r, p in sorted(firsts.items())]


def fact_records(
    index: StoryIndex,
    frames: Mapping[Mention, Frame],
    groups: Sequence[FactGroup],
    articles: Sequence[Article],
) -> list[Fact]:
    """`Fact` rows (one cell per independent outlet) for the groups, conflicts first."""
    by_id = {a.id: a for a in articles}
    rows: list[tuple[int, Fact]] = []
    order = {"conflict": 0, "update": 1, "possible": 2, "compatible": 3, "agree": 4, "single": 5}
    for g in groups:
        cells = []
        first: dict[str, Mention] = {}
        for m in sorted(g.members):  # an outlet's cell is its first statement of the fact
            first.setdefault(index.root[index.sentences[m[0]].article], m)
        for _rid, m in sorted(first.items()):
            s = index.sentences[m[0]]
            cells.append(
                _cell(
                    by_id,
                    index.root,
                    s.article,
                    index.quantities[m[0]][m[1]].label(),
                    s.text,
                    (Passage(article=s.article, start=s.start, end=s.end, text=s.text),),
                    frames[m].attribution if m in frames else "",
                )
            )
        qs = [index.quantities[m[0]][m[1]] for m in g.members]
        kind = "date" if qs[0].unit in ("time", "duration") else "number"
        fid = content_id(*(f"{c.passages[0].article}:{c.passages[0].start}:{c.value}" for c in cells), length=12)
        fact = Fact(
            id=f"f-{fid}",
            kind=kind,
            subject=subject_of(index, frames, g.members),
            status=g.status if len(cells) > 1 else "single",  # copies of one outlet agree with nobody
            cells=tuple(cells),
            confidence=g.confidence,
        )
        rows.append((order.get(g.status, 9), fact))
    rows.sort(key=lambda t: (t[0], -len(t[1].cells), t[1].subject))
    return [f for _o, f in rows]


def other_facts(
    claims: Sequence[Claim],
    discrepancies: Sequence[Discrepancy],
    exclusive: Sequence[Exclusive],
    articles: Sequence[Article],
    root: Mapping[str, str],
) -> list[Fact]:
    """Rows for what is not a figure: aligned claims ("other", agree), name and place
    disagreements (their kind, conflict) and exclusive sentences ("other", single)."""
    by_id = {a.id: a for a in articles}

    def cell(aid: str, value: str, text: str, passages: Sequence[Passage] = ()) -> FactCell:
        return _cell(by_id, root, aid, value, text, passages)

    out: list[Fact] = []
    for d in discrepancies:
        if d.kind in ("number", "date"):
            continue  # figures have their rows already
        cells = [cell(src, v.value, v.text, v.passages[:1]) for v in d.values for src in v.sources[:1]]
        fid = content_id(d.kind, d.subject, *(c.value for c in cells), length=12)
        out.append(Fact(id=f"f-{fid}", kind=d.kind, subject=d.subject, status="conflict", cells=tuple(cells)))
    for c in claims:
        cells = [cell(p.article, p.text, p.text, (p,)) for p in _first_per_outlet(c.passages, root)]
        out.append(Fact(id=f"f-{c.id[:12]}", kind="other", subject=c.text, status="agree", cells=tuple(cells)))
    for e in exclusive:
        passages = (e.passage,) if e.passage else ()
        fid = content_id("single", e.source, e.text, length=12)
        out.append(
            Fact(
                id=f"f-{fid}",
                kind="other",
                subject=e.text,
                status="single",
                cells=(cell(e.source, e.text, e.text, passages),),
            )
        )
    return out


def _words(text: str) -> list[str]:
    return re.findall(r"[\w']+", unicodedata.normalize("NFKC", text).lower().replace("’", "'"))


def quote_status(wordings: Sequence[str], config: FactConfig | None = None) -> str:
    """How outlets' wordings of one quote compare, word for word.

    "agree" when each is the same words as the longest or a run of them (an outlet may quote
    less); "conflict" when they are one quote (`SequenceMatcher` ratio >= `altered`) yet a
    word is changed, added or dropped inside it: an altered quote; "possible" otherwise.
    """
    config = config or FactConfig()
    seqs = [_words(w) for w in wordings]
    longest = max(seqs, key=len)
    joined = " ".join(longest)
    if all(f" {' '.join(x)} " in f" {joined} " for x in seqs):
        return "agree"
    worst = min(difflib.SequenceMatcher(None, x, longest, autojunk=False).ratio() for x in seqs)
    return "conflict" if worst >= config.altered else "possible"


def quote_facts(
    quotes: Sequence[Quote], articles: Sequence[Article], root: Mapping[str, str], config: FactConfig | None = None
) -> list[Fact]:
    """A "quote" row for every quote two or more independent outlets carry: each outlet's exact
    wording in its cell, the row a conflict when one outlet's words differ (an altered quote)."""
    by_id = {a.id: a for a in articles}
    out: list[Fact] = []
    for q in quotes:
        firsts = _first_per_outlet(q.passages, root)
        if len(firsts) < 2:
            continue
        cells = [_cell(by_id, root, p.article, p.text, p.text, (p,), q.speaker) for p in firsts]
        fid = content_id("quote", *(c.value for c in cells), length=12)
        status = quote_status([c.value for c in cells], config)
        subject = f"quote of {q.speaker}"
        out.append(Fact(id=f"f-{fid}", kind="quote", subject=subject, status=status, cells=tuple(cells)))
    return out


__all__ = [
    "FactConfig",
    "FactGroup",
    "PairScorer",
    "fact_records",
    "hard_different",
    "identical_figures",
    "other_facts",
    "quote_facts",
    "quote_status",
    "read_frames",
    "significant_digits",
    "subject_of",
    "vet_groups",
]
