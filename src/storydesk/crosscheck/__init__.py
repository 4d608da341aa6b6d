"""Cross-check one story: what its outlets agree on, where they disagree, and who says what.

`crosscheck(articles, syndicated, settings)` takes the articles of ONE story (cleaned), and for
each the id of the article it copies (or None), and returns a `CrossCheck`: aligned claims,
discrepancies (numbers, times, durations, names, where a victim died), quotes, entities, timeline
and exclusive facts.

Sentences are split once (`storydesk.segment`) and handed to every part; candidate sentences are
embedded once (`claims.build_index`). Entities, quotes and the timeline come from their own
modules (`entities.py`, `quotes.py`, `timeline.py`); while one of them is missing the matching
field is empty rather than the whole stage failing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from storydesk.crosscheck.claims import StoryIndex, align, build_index, figure_claims, make_claims, root_of
from storydesk.crosscheck.discrepancies import (
    agreeing_parts,
    death_place_discrepancies,
    figure_facts,
    find_discrepancies,
    name_discrepancies,
)
from storydesk.crosscheck.exclusive import find_exclusives
from storydesk.crosscheck.facts import (
    fact_records,
    identical_figures,
    other_facts,
    quote_facts,
    read_frames,
    vet_groups,
)
from storydesk.crosscheck.lead import LeadScope, leads
from storydesk.crosscheck.numbers import Quantity, comparable, compatible, extract_quantities
from storydesk.records import Article, Claim, CrossCheck, Discrepancy, Exclusive, Fact, Sentence
from storydesk.segment import sentences as split_sentences
from storydesk.settings import Settings


def _optional(module: str, name: str) -> Callable[..., Any] | None:
    """A function of a sibling module, or None while that module does not exist yet."""
    try:
        mod = importlib.import_module(f"storydesk.crosscheck.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"storydesk.crosscheck.{module}":
            raise  # the module exists but one of its imports is missing: a real error
        return None
    fn = getattr(mod, name, None)
    return fn if callable(fn) else None


def crosscheck(
    articles: Sequence[Article],
    syndicated: Mapping[str, str | None],
    settings: Settings | None = None,
    lead: LeadScope | None = None,
) -> CrossCheck:
    """Cross-check the articles of one story.

    Args:
        articles: the story's cleaned articles.
        syndicated: article id -> id of the article it copies, or None. A copy's passages are
            kept, but it never counts as a second source.
        settings: `Settings.embed=False` aligns on word overlap instead of MiniLM embeddings.
        lead: how much of each article a story with ONE independent outlet is read on (its
            entities, quotes and timeline come from its articles' leads); default `LeadScope()`.

    Returns:
        A `CrossCheck` whose claims list multi-source facts first.
    """
    settings = settings or Settings()
    sents: dict[str, tuple[Sentence, ...]] = {a.id: split_sentences(a) for a in articles}
    claims: list[tuple[Claim, list[int]]] = []
    discrepancies: tuple[Discrepancy, ...] = ()
    exclusive: tuple[Exclusive, ...] = ()
    facts: list[Fact] = []
    index: StoryIndex | None = None
    # Everything the index serves compares independent outlets: a claim needs two roots, a figure
    # is matched only across roots, an exclusive needs another outlet, and a misspelt name or
    # swapped initials only count between outlets. A story told by one outlet (with or without
    # copies of it: most stories of a day) would build, embed and align its sentences for
    # nothing, all pairs of its copies' sentences included (the 134-copy story of the 1,000-article
    # bench/throughput.py corpus).
    described: Sequence[Article] = articles
    described_sents: Mapping[str, Sequence[Sentence]] = sents
    if len({root_of(syndicated, a.id) for a in articles}) >= 2:
        index = build_index(articles, sents, syndicated, use_embeddings=settings.embed)
        groups = align(index)
        claims = make_claims(index, groups)
        clashing, agreeing = figure_facts(index, claims)
        agreeing = identical_figures(index, clashing, agreeing)
        agreed = None if clashing else {m[0] for g in agreeing for m in g}
        frames = read_frames(index, {a.id: a.language for a in articles}, agreed)
        vetted = vet_groups(index, clashing, agreeing, frames, use_embeddings=settings.embed)
        conflicts = [g.members for g in vetted if g.status == "conflict"]
        claims += figure_claims(index, [*agreeing, *agreeing_parts(index, clashing)], claims)
        discrepancies = find_discrepancies(index, claims, conflicts) + death_place_discrepancies(index)
        facts = fact_records(index, frames, vetted, articles)
        exclusive = find_exclusives(index, groups)
    else:
        # One outlet, so nothing to compare: entities, quotes and timeline only describe the
        # story, and its lead says who, what, where and when. Reading every sentence with the NER
        # model was most of a run's CPU on real pages, nearly all of them lone stories (issue 21).
        described, described_sents = leads(articles, sents, lead or LeadScope())
    parts: dict[str, Any] = {}
    for field, module, name, kwargs in (
        ("entities", "entities", "extract_entities", {}),
        ("quotes", "quotes", "extract_quotes", {}),
        ("timeline", "timeline", "build_timeline", {"use_embeddings": settings.embed}),
    ):
        fn = _optional(module, name)
        parts[field] = tuple(fn(described, described_sents, **kwargs)) if fn else ()
    if index is not None:
        discrepancies += name_discrepancies(index, parts["entities"])
        facts += quote_facts(parts["quotes"], articles, index.root)
        facts += other_facts([c for c, _ in claims], discrepancies, exclusive, articles, index.root)
    return CrossCheck(
        claims=tuple(c for c, _ in claims),
        discrepancies=discrepancies,
        quotes=parts["quotes"],
        entities=parts["entities"],
        timeline=parts["timeline"],
        exclusive=exclusive,
        facts=tuple(facts),
    )


__all__ = ["Quantity", "comparable", "compatible", "crosscheck", "extract_quantities"]
