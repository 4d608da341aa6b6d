"""Line up the sentences of one story's articles that state the same fact.

Takes the story's articles and their sentences (offsets into `Article.text`) and returns
`Claim`s: groups of sentences from different articles, each group with a canonical wording, the
articles that support it (a syndicated copy counts once, under the article it copies) and every
article's exact passage.

The one idea: two sentences state the same fact when their MiniLM embeddings are close, and a
little less close is enough when they also share a figure or the rarer words (names, places).
Groups are grown greedily from the strongest pairs, never taking two sentences of one article,
so one article's repeated mentions do not chain unrelated facts together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from storydesk.annotate import ParsedSentence
from storydesk.crosscheck.lang import language_data
from storydesk.crosscheck.numbers import Quantity, comparable, compatible, extract_quantities
from storydesk.records import Article, Claim, Passage, Sentence, content_id

# Sentences kept as candidates per article (in text order): bounds embedding time on long
# articles (MiniLM does ~150 sentences/s on 2 cores).
MAX_SENTENCES_PER_ARTICLE = 120
# Cosine at which two sentences state the same fact on their own, and the lower bar when they
# also share a figure or rare words. Measured on bench/crosscheck_gold.py (dev portion): 0.70
# groups the labelled agreements without merging the Iran/Pakistan strikes of the seeds.
SAME_FACT = 0.70
SAME_FACT_WITH_EVIDENCE = 0.50
MIN_WORDS = 5
MAX_WORDS = 90

_CHROME = re.compile(
    r"\b(subscribe|newsletter|click here|read more|sign up|cookie|advertisement|all rights reserved|"
    r"copyright|follow us|share this|leave a (?:comment|reply)|comments?\b.*\bpublished|"
    r"getty images|image by|photo by|via ap\b|donat|contribute to|continue reading|"
    r"email address|required fields)\b",
    re.I,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+|\d[\d,.]*")
_STOP = frozenset(
    [
        "a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "for", "by", "with", "from",
        "as", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "it", "its",
        "this", "that", "these", "those", "he", "she", "they", "we", "you", "i", "his", "her", "their",
        "our", "your", "them", "him", "who", "whom", "which", "what", "when", "where", "why", "how",
        "not", "no", "said", "says", "say", "told", "also", "after", "before", "about", "into", "over",
        "than", "then", "there", "here", "more", "most", "some", "any", "all", "other", "such", "only",
        "own", "same", "so", "very", "can", "will", "would", "could", "should", "may", "might", "must",
        "do", "does", "did", "just", "up", "out", "new", "one", "two", "three", "per", "said"
    ]
)


def _content_words(text: str) -> set[str]:
    return {w.lower().strip("'’") for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 2}


def is_candidate(text: str) -> bool:
    """A sentence worth aligning: a real sentence, not chrome (share prompts, captions, appeals)."""
    words = text.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return False
    if _CHROME.search(text) or "http" in text or "@" in text or text.count("|") >= 2:
        return False
    if text.lstrip()[0] in "-•*–":  # a list item: related links, "Check also" lists
        return False
    letters = [c for c in text if c.isalpha()]
    return not (not letters or sum(c.isupper() for c in letters) > 0.5 * len(letters))


@dataclass(slots=True)
class StoryIndex:
    """Candidate sentences of one story, their embeddings, figures and content words."""

    sentences: list[Sentence]
    root: dict[str, str]  # article id -> id of the article it copies (itself if original)
    vectors: np.ndarray
    quantities: list[tuple[Quantity, ...]]
    words: list[set[str]]
    sims: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    # (sentence index, quantity index) -> row of `figure_sims`: similarity of the words around
    # each figure, which tells apart two facts stated in one long sentence.
    figure_row: dict[tuple[int, int], int] = field(default_factory=dict)
    figure_sims: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    figure_text: list[str] = field(default_factory=list)  # the context of each figure row
    texts: dict[str, str] = field(default_factory=dict)  # article id -> Article.text
    # candidate sentence index -> its parse, for the sentences the fact engine parsed
    parses: dict[int, ParsedSentence] = field(default_factory=dict)

    def before(self, article: str, start: int) -> str:
        """The article's text before `start` (where a pronoun's referent is looked for)."""
        return self.texts.get(article, "")[:start]


def root_of(syndicated: Mapping[str, str | None], article_id: str) -> str:
    """Follow `syndicated` links to the original article (cycles stop where they repeat)."""
    seen = {article_id}
    cur = article_id
    while True:
        nxt = syndicated.get(cur)
        if not nxt or nxt in seen:
            return cur
        seen.add(nxt)
        cur = nxt


def build_index(
    articles: Sequence[Article],
    sentences: Mapping[str, Sequence[Sentence]],
    syndicated: Mapping[str, str | None],
    use_embeddings: bool = True,
) -> StoryIndex:
    """Select candidate sentences and embed them once for the whole story."""
    chosen: list[Sentence] = []
    for a in articles:
        kept = [s for s in sentences.get(a.id, ()) if is_candidate(s.text)]
        chosen.extend(kept[:MAX_SENTENCES_PER_ARTICLE])
    root = {a.id: root_of(syndicated, a.id) for a in articles}
    texts = [s.text for s in chosen]
    if use_embeddings and texts:
        from storydesk.embed import embed

        vectors = embed(texts)
    else:
        vectors = _bag_of_words_vectors(texts)
    sims = vectors @ vectors.T if len(texts) else np.zeros((0, 0), dtype=np.float32)
    # figures are read by English rules: an article in a language without word lists gets none
    # (crosscheck.lang), rather than numbers misread by another language's patterns
    language = {a.id: a.language for a in articles}
    quantities = [
        extract_quantities(s.text) if language_data(language.get(s.article)) is not None else ()
        for s in chosen
    ]
    figure_row: dict[tuple[int, int], int] = {}
    contexts: list[str] = []
    for i, qs in enumerate(quantities):
        for k, q in enumerate(qs):
            figure_row[(i, k)] = len(contexts)
            contexts.append(figure_context(texts[i], q, qs))
    if use_embeddings and contexts:
        from storydesk.embed import embed

        fvec = embed(contexts)
    else:
        fvec = _bag_of_words_vectors(contexts)
    return StoryIndex(
        sentences=chosen,
        root=root,
        vectors=vectors,
        quantities=quantities,
        words=[_content_words(t) for t in texts],
        sims=sims,
        figure_row=figure_row,
        figure_sims=fvec @ fvec.T if contexts else np.zeros((0, 0), dtype=np.float32),
        figure_text=contexts,
        texts={a.id: a.text for a in articles},
    )


# Words kept around a figure: a few before, more after (what a figure counts usually follows
# it: "$1.2 trillion infrastructure bill"), never reaching into a neighbouring figure.
CONTEXT_BEFORE = 4
CONTEXT_AFTER = 8


# An aside set off by commas, parentheses or dashes just before a figure ("Police put the march,
# to mark a 24-hour nationwide strike, at roughly 30,000"): the figure's clause reads on without
# it. It opens as asides do (to-infinitive, participle, relative pronoun), and the clause resumes
# with a few lower-case words, neither a new clause ("and", "but", "while") nor a noun phrase
# ("..., when a quake rocked Zarand, a town of 15,000": the town's own appositive).
_ASIDE = re.compile(
    r"(?:,\s+(?:to|which|who|whose|[a-z]+ing|according)\b[^,;:!?()]{0,80}?,"
    r"|\s\([^()]{1,80}\)"
    r"|\s(?:-\s-|--|—|–)\s[^;:!?()]{1,80}?\s(?:-\s-|--|—|–))"
    r"\s+(?!(?:and|or|but|while|whereas|although|though|as|which|who|where|when|a|an|the)\b)"
    r"((?:[a-z]+\s+){0,4})$"
)


def _aside_before(text: str, start: int) -> tuple[int, int] | None:
    """(start, end) of an aside that ends a few words before offset `start`, if any."""
    m = _ASIDE.search(text[max(0, start - 160) : start])
    if not m:
        return None
    base = max(0, start - 160)
    return base + m.start(), base + m.start(1)


def figure_context(text: str, q: Quantity, others: Sequence[Quantity] = ()) -> str:
    """The words around a figure (the figure itself left out, so values do not sway the match),
    read past an aside just before it: "put the march, to mark a 24-hour strike, at 30,000"
    gives "put the march at"."""
    aside = _aside_before(text, q.start)
    # a figure inside the aside ("24-hour") belongs to the aside and does not cut the context
    cut = aside[0] if aside else q.start
    lo = max([o.end for o in others if o.end <= cut], default=0)
    hi = min([o.start for o in others if o.start >= q.end], default=len(text))
    before = text[lo : aside[0]] + " " + text[aside[1] : q.start] if aside else text[lo : q.start]
    if q.hedge:  # the hedge is part of the value, not of what it counts
        before = re.sub(r"(?i)\b(" + "|".join(map(re.escape, q.hedge.split())) + r")\b", " ", before)
    left = before.split()[-CONTEXT_BEFORE:]
    right = text[q.end : hi].split()[:CONTEXT_AFTER]
    return " ".join([*left, *right])


def _bag_of_words_vectors(texts: Sequence[str]) -> np.ndarray:
    """Unit-normalised word-count vectors: the fallback when embeddings are switched off."""
    vocab: dict[str, int] = {}
    rows = [_content_words(t) for t in texts]
    for r in rows:
        for w in r:
            vocab.setdefault(w, len(vocab))
    m = np.zeros((len(texts), max(1, len(vocab))), dtype=np.float32)
    for i, r in enumerate(rows):
        for w in r:
            m[i, vocab[w]] = 1.0
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


def shared_figure(a: Sequence[Quantity], b: Sequence[Quantity]) -> bool:
    """Do two sentences state one comparable figure with compatible values?"""
    return any(comparable(x, y) and compatible(x, y) for x in a for y in b)


def pair_score(index: StoryIndex, i: int, j: int) -> float | None:
    """How strongly sentences i and j state one fact, or None when they do not."""
    sim = float(index.sims[i, j])
    if sim >= SAME_FACT:
        return sim
    if sim < SAME_FACT_WITH_EVIDENCE:
        return None
    wi, wj = index.words[i], index.words[j]
    overlap = len(wi & wj) / max(1, min(len(wi), len(wj)))
    evidence = shared_figure(index.quantities[i], index.quantities[j]) or overlap >= 0.5
    return sim + 0.1 if evidence else None


def align(index: StoryIndex) -> list[list[int]]:
    """Groups of candidate-sentence indexes that state one fact (at most one per article).

    Greedy: strongest pairs first; two groups merge only if they share no article and the new
    pair is backed by at least half of the cross pairs (average-link guard against chaining).
    """
    n = len(index.sentences)
    arts = [s.article for s in index.sentences]
    pairs: list[tuple[float, int, int]] = []
    for i in range(n):
        for j in range(i + 1, n):
            if arts[i] == arts[j]:
                continue
            sc = pair_score(index, i, j)
            if sc is not None:
                pairs.append((sc, i, j))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    group = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}

    def find(x: int) -> int:
        while group[x] != x:
            group[x] = group[group[x]]
            x = group[x]
        return x

    for _sc, i, j in pairs:
        gi, gj = find(i), find(j)
        if gi == gj:
            continue
        mi, mj = members[gi], members[gj]
        if {arts[k] for k in mi} & {arts[k] for k in mj}:
            continue
        if len(mi) + len(mj) > 2:
            cross = [float(index.sims[a, b]) for a in mi for b in mj]
            if float(np.mean(cross)) < SAME_FACT_WITH_EVIDENCE:
                continue
        group[gj] = gi
        members[gi] = mi + mj
        del members[gj]
    return [sorted(m, key=lambda k: (arts[k], index.sentences[k].start)) for m in members.values()]


def _canonical(index: StoryIndex, members: Sequence[int]) -> int:
    """The member closest to all others (ties: the shorter sentence)."""
    if len(members) == 1:
        return members[0]
    return max(
        members,
        key=lambda k: (
            float(np.mean([index.sims[k, o] for o in members if o != k])),
            -len(index.sentences[k].text),
        ),
    )


def attribution_of(text: str, context: str | None = None) -> str | None:
    """Who asserts `text` (quotes.attribution; `context`, the article text before it, resolves
    "it said"), or None when stated plainly."""
    from storydesk.crosscheck.quotes import attribution

    return attribution(text, context)


def make_claims(index: StoryIndex, groups: Sequence[Sequence[int]]) -> list[tuple[Claim, list[int]]]:
    """A Claim for every group supported by two or more independent articles."""
    out: list[tuple[Claim, list[int]]] = []
    for members in groups:
        roots = sorted({index.root[index.sentences[k].article] for k in members})
        if len(roots) < 2:
            continue
        canon = index.sentences[_canonical(index, members)]
        passages = tuple(
            Passage(article=s.article, start=s.start, end=s.end, text=s.text)
            for s in (index.sentences[k] for k in members)
        )
        attributed = tuple(
            sorted({a for a in (attribution_of(p.text, index.before(p.article, p.start)) for p in passages) if a})
        )
        cid = content_id(*(f"{p.article}:{p.start}:{p.end}" for p in passages))
        out.append(
            (
                Claim(id=cid, text=canon.text, sources=tuple(roots), passages=passages, attributed_to=attributed),
                list(members),
            )
        )
    # most-supported facts first, then by where they first appear
    out.sort(key=lambda c: (-len(c[0].sources), c[0].passages[0].article, c[0].passages[0].start))
    return out


def figure_claims(
    index: StoryIndex,
    facts: Sequence[Sequence[tuple[int, int]]],
    claims: Sequence[tuple[Claim, Sequence[int]]],
) -> list[tuple[Claim, list[int]]]:
    """Claims for figures that several articles agree on ("killing 10 people" / "10 people had
    been killed"), stated inside sentences that do not align as a whole.

    `facts` are groups of (sentence, figure) mentions with compatible values; a group whose
    sentences an existing claim already holds adds nothing.
    """
    covered = [set(m) for _c, m in claims]
    out: list[tuple[Claim, list[int]]] = []
    for fact in facts:
        members = sorted({k for k, _q in fact})
        if any(set(members) <= c for c in covered):
            continue
        made = make_claims(index, [members])
        if made:
            covered.append(set(members))
            out.extend(made)
    return out


__all__ = [
    "SAME_FACT",
    "SAME_FACT_WITH_EVIDENCE",
    "StoryIndex",
    "align",
    "attribution_of",
    "build_index",
    "figure_claims",
    "figure_context",
    "is_candidate",
    "make_claims",
    "pair_score",
    "root_of",
    "shared_figure",
]
