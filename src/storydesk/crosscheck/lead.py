"""The lead of an article: what a story told by one outlet is analysed on.

In: a story's articles and their sentences (`storydesk.segment.sentences`). Out: the same articles
with `text` cut after their lead, and only the lead's sentences. Offsets stay valid: a lead is a
prefix of the article's text, so every passage found in it points into the full article too.

The one idea: a story with a single independent outlet (an article alone, or with wire copies of
it; nearly every story of a day's long tail) has nothing to cross-check, so its entities, quotes
and timeline only describe it, and news puts the who, what, where and when in its lead (the
inverted pyramid). Reading every sentence of such an article with the NER model was 189 of a
run's ~290 CPU-s on 820 real pages (issue 21); reading its lead costs a bounded few sentences.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from storydesk.records import Article, Sentence


@dataclass(frozen=True, slots=True)
class LeadScope:
    """How much of an article counts as its lead.

    The lead is the shortest run of leading sentences that holds `words` words, and never more than
    `max_sentences` sentences. 120 words is the default brief (`Settings.brief_words`), and the
    brief of a one-outlet story is taken from its opening (`brief.extractive` weighs position),
    so the entities, quotes and dates shown beside it come from the same stretch of text. A
    news lead runs 25-35 words a sentence, so 120 words is 4-5 sentences; the cap of 6 keeps a
    page whose opening is a run of short fragments (bylines, "Share", captions) bounded too.
    """

    words: int = 120
    max_sentences: int = 6

    def __post_init__(self) -> None:
        if self.words < 1 or self.max_sentences < 1:
            raise ValueError(f"a lead needs at least one word and one sentence, got {self}")


def lead_sentences(sents: Sequence[Sentence], scope: LeadScope) -> tuple[Sentence, ...]:
    """The leading sentences of one article, per `scope`."""
    out: list[Sentence] = []
    words = 0
    for s in sents:
        if len(out) >= scope.max_sentences or words >= scope.words:
            break
        out.append(s)
        words += len(s.text.split())
    return tuple(out)


def leads(
    articles: Sequence[Article], sentences: Mapping[str, Sequence[Sentence]], scope: LeadScope
) -> tuple[list[Article], dict[str, tuple[Sentence, ...]]]:
    """Each article cut after its lead, and its lead sentences.

    An article's text ends where its last lead sentence ends, so a module that reads `text` rather
    than sentences (quotes) sees the lead alone; an article without sentences keeps no text.
    """
    cut_articles: list[Article] = []
    cut_sents: dict[str, tuple[Sentence, ...]] = {}
    for art in articles:
        head = lead_sentences(sentences.get(art.id, ()), scope)
        end = head[-1].end if head else 0
        cut_sents[art.id] = head
        cut_articles.append(art if end >= len(art.text) else dataclasses.replace(art, text=art.text[:end]))
    return cut_articles, cut_sents


__all__ = ["LeadScope", "lead_sentences", "leads"]
