"""Facts only one outlet reports.

Takes the story index and the aligned groups and returns `Exclusive` records: sentences that no
other independent article states (no aligned partner, and no sentence of another outlet even
loosely similar), skipping chrome and trivial sentences -- a fact needs a figure, a name or a
time reference (a dated event: "on the same day", "on Wednesday").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from storydesk.crosscheck.claims import StoryIndex
from storydesk.records import Exclusive, Passage

# A sentence with a partner this similar in another outlet is not exclusive even if alignment
# did not group them (paraphrase of the same fact). Set just under claims.SAME_FACT_WITH_EVIDENCE.
LOOSE_SIM = 0.45
MIN_WORDS = 8
MAX_PER_ARTICLE = 8

# A name in the middle of a sentence (a capitalised word not at its start).
_NAME = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+")
# A time reference dates an event, which makes the sentence a reportable fact even without a
# figure or a name ("A new stadium opened in the capital on the same day").
_WHEN = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|tonight|"
    r"(?:the\s+)?same\s+day|this\s+(?:morning|afternoon|evening|week|month)|last\s+(?:night|week|month)|"
    r"earlier\s+(?:this|on|in)|january|february|march|april|june|july|august|september|october|"
    r"november|december)\b",
    re.I,
)
_TRIVIAL = re.compile(r"^(it|this|that|these|those|he|she|they|we|you|i)\b.{0,40}$|\b(said in a statement)\.?$", re.I)


def find_exclusives(index: StoryIndex, groups: Sequence[Sequence[int]]) -> tuple[Exclusive, ...]:
    """Sentences stated by one outlet only, in article and text order."""
    roots = set(index.root.values())
    if len(roots) < 2:
        return ()  # with one outlet everything is "exclusive": say nothing
    grouped_multi: set[int] = set()
    for g in groups:
        if len({index.root[index.sentences[k].article] for k in g}) > 1:
            grouped_multi.update(g)
    out: list[Exclusive] = []
    per_article: dict[str, int] = {}
    for k, s in enumerate(index.sentences):
        if k in grouped_multi or len(s.text.split()) < MIN_WORDS or _TRIVIAL.search(s.text):
            continue
        if not (index.quantities[k] or _NAME.search(s.text) or _WHEN.search(s.text)):
            continue
        r = index.root[s.article]
        if s.article != r:
            continue  # a syndicated copy's sentence belongs to its original
        others = [j for j, t in enumerate(index.sentences) if index.root[t.article] != r]
        if others and float(index.sims[k, others].max()) >= LOOSE_SIM:
            continue
        if per_article.get(r, 0) >= MAX_PER_ARTICLE:
            continue
        per_article[r] = per_article.get(r, 0) + 1
        out.append(
            Exclusive(text=s.text, source=r, passage=Passage(article=s.article, start=s.start, end=s.end, text=s.text))
        )
    return tuple(out)


__all__ = ["find_exclusives"]
