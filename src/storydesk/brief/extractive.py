"""Extractive brief: pick whole sentences from a story's articles and cite every article that
supports each one.

In: the story's cleaned `Article`s, cross-check's `CrossCheck` (its claims may be empty), the
syndication map (article id -> id of the article it copies, or None) and `Settings`
(`brief_words`, `embed`). Out: a tuple of `BriefSentence` whose `text` is a sentence exactly as
one article has it and whose `sources` are the ids of every independent article that says the same
thing (syndicated copies count once, under their original's id), each with its supporting passage.

The one idea: a sentence's value for the brief is how central it is to the story, how many
independent outlets back it and how early its outlet put it (news leads carry the story); MMR
then keeps the brief from repeating itself, and a citation is only attached when the cited
article shares the sentence's substance and states every number it states.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from storydesk.brief import support as sp
from storydesk.records import (
    Article,
    BriefSentence,
    Claim,
    CrossCheck,
    Discrepancy,
    DiscrepancyValue,
    Passage,
)
from storydesk.segment import split_text
from storydesk.settings import Settings

# Sentences read per article: leads carry the story and embedding is ~150 sentences/s on 2 cores.
MAX_SENTENCES_PER_ARTICLE = 60

# Score weights. Measured with bench/brief_neus.py's gold mode (ROUGE-2 F1 at 76 words) on the
# first 150 events of the neus-allsides val split, by grid search (17.6 vs TextRank 16.6 and
# TF-IDF centroid 16.5 there; 15.6 before tuning). Centrality (MiniLM centroid + TF-IDF centroid)
# and soft agreement with the other outlets carry the score. The lead prior is kept small:
# AllSides gives leads only, so position says little there, but in full articles it keeps
# background paragraphs out. Headline overlap and word-overlap agreement did not help: off.
W_CENTRAL = 1.0
W_SUPPORT = 0.35
W_POSITION = 0.3
# Agreement with the other outlets, soft: mean over the other sources of the best cosine (W_CROSS)
# and of the best content-word overlap (W_LEX_CROSS) with any of their sentences.
W_CROSS = 1.0
W_LEX_CROSS = 0.0
# Cosine of the sentence's TF-IDF vector to the story's TF-IDF centroid: lexical centrality,
# which rewards the words the outlets share (names, numbers) that embeddings blur.
W_TFIDF = 2.0
# Share of the headlines' content words the sentence covers.
W_TITLE = 0.0
# Sentences that open with a pronoun or connective read badly out of their article.
DANGLING_PENALTY = 0.2
# Score taken off a sentence per unit of weight its most trusted backer lacks (outlet weights the
# user set, storydesk.trust): at weight 0 a sentence loses about half a typical top score (the
# seeds' picks score 1.6-2.4), so what only an outlet the user distrusts says goes in last, if at
# all. A judgement, not tuned: no data set labels outlet trust.
TRUST_PENALTY = 1.0
MMR_REDUNDANCY = 0.8
# False: a sentence is added only when it brings the brief closer to `brief_words` ("about N").
# True: sentences are added until the budget is reached (the last one may overshoot).
FILL_TO_BUDGET = False
# The sentences stating each value of the story's main numeric discrepancy go into the brief when
# together they take at most this share of the word budget (a judgement, not tuned: NeuS roundups
# are too short to measure it on; the seeds' two death-toll sentences are 25 words of 120).
DISPUTE_SHARE = 0.5
# Cosine (MiniLM) at or above which two sentences say the same thing; 0.85 is near-duplicate.
REDUNDANT_SIM = 0.82
# Support: a sentence of another article backs a brief sentence when it states all of its numbers
# and is this similar (cosine), or somewhat similar and sharing this share of its content words, or
# shares most of its words. Paraphrased ledes of the seeds' Pakistan-Iran strikes land at 0.75-0.85;
# bench/brief_neus.py's independent citation check ("supported": MiniLM cosine >= 0.7 or ROUGE-1
# recall >= 0.4) passed 91% of sentences with a 0.6 floor, hence 0.72.
SUPPORT_SIM = 0.78
SUPPORT_SIM_WITH_WORDS = 0.72
SUPPORT_WORDS = 0.3
SUPPORT_WORDS_ALONE = 0.6
# ...and at least this many shared content words: a three-word sentence ("Biden leads in both of
# those states.") shares two words with any report of the same race. Read off the 50 word-only
# citations of bench/brief_neus.py's gold mode on the val split: the wrong ones were short.
SUPPORT_WORDS_ALONE_MIN = 4
# A cross-check claim widens a sentence's citations only to passages that still share its substance:
# cosine to the sentence at least CLAIM_SIM, or at least CLAIM_SIM_WITH_WORDS with this share of its
# content words. Cross-check aligns long claims clause by clause, so another outlet's passage of the
# same claim may state only the other clause (the seeds' "The action comes two days after Tehran hit
# ..." was aligned with "Islamabad said the strike killed two children": MiniLM cosine 0.40, words
# 0.09; "...which killed two children and injured three others": 0.53, 0.27) or a neighbouring fact
# (bench/brief_neus.py pipeline mode, val: "The House quickly approved a budget resolution ..."
# aligned with "The Senate passed a budget resolution ...": 0.63, 0.47), while a paraphrase the
# support rule misses, a flood report's "4,000 residents" / "4,000 people had to leave", is at 0.66.
# Judgement from those pairs, not a tuned optimum: a missed citation costs less than a wrong one.
CLAIM_SIM = 0.65
CLAIM_SIM_WITH_WORDS = 0.55
CLAIM_WORDS = 0.5

# A paragraph with a photo credit is a caption: none of its sentences is reporting.
_CAPTION = re.compile(
    r"\b(?:image|photo|photograph|picture|video|illustration)\s*(?:by|credit|courtesy)\b|\bvia getty\b"
    r"|\bgetty images\b|\b(?:afp|ap|reuters|epa)\s*/|/\s*(?:afp|ap|reuters|epa)\b",
    re.IGNORECASE,
)
_PARA = re.compile(r"[^\n]+")

_DANGLING = re.compile(
    r"^(?:it|its|this|that|these|those|he|she|they|his|her|their|him|them|but|and|however|also|"
    r"meanwhile|still|yet|so|then|there|here|such|both|the two|the latter|the former)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Sent:
    article: int  # index into the articles
    index: int  # position among the article's kept sentences
    start: int
    end: int
    text: str
    words: frozenset[str]
    nums: frozenset[float]  # the numbers it states (computed once: the support test needs them often)
    candidate: bool  # False for chrome (the sentences of syndicated copies are not read at all)


def _roots(articles: Sequence[Article], syndicated: Mapping[str, str | None]) -> list[str]:
    """Each article's independent source id: a copy's original when that is in the story."""
    ids = {a.id for a in articles}
    out = []
    for a in articles:
        root = a.id
        seen = {root}
        # follow chains (a copy of a copy) but never loop
        while (nxt := syndicated.get(root)) and nxt in ids and nxt not in seen:
            root = nxt
            seen.add(root)
        out.append(root)
    return out


def _sentences(articles: Sequence[Article], roots: Sequence[str]) -> list[_Sent]:
    """The sentences of the story's originals (a copy's are its original's: never candidates,
    never scored or cited, and a story of 134 wire copies would read each of them for nothing)."""
    out: list[_Sent] = []
    for ai, art in enumerate(articles):
        if roots[ai] != art.id:
            continue
        spans = split_text(art.text)[:MAX_SENTENCES_PER_ARTICLE]
        title = sp.content_words(art.title or "")
        captions = [m.span() for m in _PARA.finditer(art.text) if _CAPTION.search(m.group())]
        kept = 0
        for k, (s, e, _) in enumerate(spans):
            s, e = sp.trim_span(art.text, s, e)
            t = art.text[s:e]
            chrome = sp.looks_like_chrome(t, last=k == len(spans) - 1) or any(
                ps <= s < pe for ps, pe in captions
            )
            cw = frozenset(sp.content_words(t))
            # the headline repeated as the first line of the body is not a sentence of the brief
            if title and cw and cw <= title:
                chrome = True
            out.append(_Sent(ai, kept, s, e, t, cw, frozenset(sp.numbers(t)), not chrome))
            if not chrome:
                kept += 1
    return out


def _vectors(texts: Sequence[str], settings: Settings) -> np.ndarray:
    """Unit vectors per sentence: MiniLM when `settings.embed`, else TF-IDF (fully lexical)."""
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    if settings.embed:
        from storydesk.embed import embed  # caches vectors per process: re-briefs re-use them

        return embed(texts)
    return _tfidf(texts)


def _tfidf(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised TF-IDF rows over the texts' content words: the vectors of scikit-learn's
    `TfidfVectorizer(tokenizer=sorted content words, sublinear_tf=True)` (smooth IDF), to the bit.

    Computed here rather than by scikit-learn, whose per-call set-up dominated on a story's few
    dozen sentences: the 328 calls pipeline.analyse_story makes on the 1,000-article
    bench/throughput.py corpus took 2.14 CPU-s there and 0.13 s here, every vector bit-equal.
    Each word counts once per sentence (a set), so sublinear tf is 1 and a row is its words'
    IDFs; the norm is summed in column order as scikit-learn's row normalisation sums it.
    """
    rows = [sorted(sp.content_words(t)) for t in texts]
    vocab = sorted({w for r in rows for w in r})
    if not vocab:  # every sentence was stopwords only
        return np.zeros((len(texts), 1), dtype=np.float32)
    col = {w: k for k, w in enumerate(vocab)}
    df = np.zeros(len(vocab), dtype=np.int64)
    for r in rows:
        for w in r:
            df[col[w]] += 1
    idf = np.log((len(texts) + 1) / (df + 1)) + 1
    m = np.zeros((len(texts), len(vocab)), dtype=np.float64)
    for i, r in enumerate(rows):
        if not r:
            continue
        cols = [col[w] for w in r]
        vals = idf[cols]
        squares = 0.0
        for x in vals.tolist():  # sequential, in column order: the same sum to the last bit
            squares += x * x
        m[i, cols] = vals / np.sqrt(squares)
    return m.astype(np.float32)


def _vectors_for(sents: Sequence[_Sent], rows: Sequence[int], settings: Settings) -> np.ndarray:
    """Vectors for every sentence, computed only for `rows` (the others stay zero: chrome and
    copies are never scored, compared or cited, so embedding them would be wasted time)."""
    sub = _vectors([sents[i].text for i in rows], settings)
    out = np.zeros((len(sents), sub.shape[1]), dtype=np.float32)
    out[list(rows)] = sub
    return out


def _claim_index(claims: Sequence[Claim], articles: Sequence[Article]) -> dict[str, list[Claim]]:
    by_article: dict[str, list[Claim]] = {a.id: [] for a in articles}
    for c in claims:
        for p in c.passages:
            if p.article in by_article:
                by_article[p.article].append(c)
    return by_article


def _supports(s: _Sent, t: _Sent, sim: float) -> bool:
    """Does sentence `t` (of another article) back sentence `s`?"""
    if not s.nums <= t.nums:
        return False
    ov = len(s.words & t.words) / len(s.words) if s.words else 0.0
    return (
        sim >= SUPPORT_SIM
        or (sim >= SUPPORT_SIM_WITH_WORDS and ov >= SUPPORT_WORDS)
        or (ov >= SUPPORT_WORDS_ALONE and len(s.words & t.words) >= SUPPORT_WORDS_ALONE_MIN)
    )


def _disputed_picks(
    discrepancies: Sequence[Discrepancy],
    sents: Sequence[_Sent],
    cand_idx: Sequence[int],
    articles: Sequence[Article],
    roots: Sequence[str],
    scores: Mapping[int, float],
    budget: int,
) -> list[tuple[int, DiscrepancyValue]]:
    """One candidate sentence per value of the story's main numeric discrepancy.

    The main one is the number discrepancy backed by the most independent sources (a proxy for
    how central it is: a disputed death toll, not a side figure one outlet quotes). Each value gets
    the best-scoring candidate that overlaps one of the value's passages and states its number.
    Nothing is forced unless at least two values found a sentence and they fit in
    `DISPUTE_SHARE` of the budget (a short brief keeps its room for what happened).
    """
    by_article: dict[str, int] = {a.id: k for k, a in enumerate(articles)}
    best: tuple[int, list[tuple[int, DiscrepancyValue]]] | None = None
    for d in discrepancies:
        if d.kind != "number" or len(d.values) < 2:
            continue
        picks: list[tuple[int, DiscrepancyValue]] = []
        backers: set[str] = set()
        for v in d.values:
            need = sp.numbers(v.value)
            spans = [(by_article[p.article], p.start, p.end) for p in v.passages if p.article in by_article]
            backers |= {roots[by_article[a]] for a in v.sources if a in by_article}
            fits = [
                i for i in cand_idx
                if all(i != j for j, _ in picks) and need and need <= sents[i].nums
                and any(a == sents[i].article and s < sents[i].end and sents[i].start < e
                        for a, s, e in spans)
            ]
            if fits:
                picks.append((max(fits, key=lambda i: (scores[i], -i)), v))
        if len(picks) < 2:
            continue
        if sum(sp.word_count(sents[i].text) for i, _ in picks) > DISPUTE_SHARE * budget:
            continue
        if best is None or len(backers) > best[0]:
            best = (len(backers), picks)
    return best[1] if best else []


def summarise_extractive(
    articles: Sequence[Article],
    cross: CrossCheck,
    syndicated: Mapping[str, str | None],
    settings: Settings,
) -> tuple[BriefSentence, ...]:
    """The extractive brief of one story, about `settings.brief_words` words, every sentence cited.

    Args:
        articles: the story's cleaned articles (any order; the brief cites their ids).
        cross: the story's cross-check; its claims, when present, widen each sentence's
            citations to every article whose aligned passage says it.
        syndicated: article id -> id of the article it copies (None or absent when original).
        settings: `brief_words` sets the length; `embed=False` swaps MiniLM for TF-IDF.

    Deterministic for the same inputs.
    """
    articles = [a for a in articles if a.text and a.text.strip()]
    if not articles:
        return ()
    roots = _roots(articles, syndicated)
    sents = _sentences(articles, roots)
    cand_idx = [i for i, s in enumerate(sents) if s.candidate]
    if not cand_idx:
        # nothing passed the chrome filter: fall back to sentences with no chrome marker at all
        cand_idx = [
            i for i, s in enumerate(sents)
            if roots[s.article] == articles[s.article].id and sp.word_count(s.text) >= 5
            and not sp._CHROME.search(s.text)
        ]
    if not cand_idx:
        return ()
    budget = max(1, int(settings.brief_words))
    vecs = _vectors_for(sents, cand_idx, settings)
    sims = vecs @ vecs.T

    # Outlet weights the user set (storydesk.trust, issue 25): an independent source counts by its
    # original's outlet weight in the centroid, the support and the agreement terms; 1 for all
    # when no weights are set, which leaves the scores exactly as tuned.
    trust = settings.outlet_trust
    by_id = {a.id: a for a in articles}
    weight = {r: trust.weight(by_id[r]) if trust and r in by_id else 1.0 for r in set(roots)}
    weighted = any(w != 1.0 for w in weight.values())

    # Centroid: each independent source weighs the same (or its outlet weight), however long it is.
    root_ids = sorted(set(roots), key=roots.index)
    root_means = []
    root_weights = []
    for r in root_ids:
        rows = [i for i in cand_idx if roots[sents[i].article] == r]
        if rows:
            m = vecs[rows].mean(axis=0)
            root_means.append(m / (np.linalg.norm(m) or 1.0))
            root_weights.append(weight[r])
    if weighted and sum(root_weights) > 0:
        centroid = np.average(root_means, axis=0, weights=root_weights)
    else:
        centroid = np.mean(root_means, axis=0)
    centroid = centroid / (np.linalg.norm(centroid) or 1.0)

    claims_by_article = _claim_index(cross.claims, articles)
    n_roots = len(root_ids)
    cand_of_article: dict[int, list[int]] = {}
    for i in cand_idx:
        cand_of_article.setdefault(sents[i].article, []).append(i)

    def _claim_passage_agrees(i: int, pi: int, p: Passage) -> bool:
        """Does passage `p` of article `pi` (aligned with sentence `i` by a claim) say what `i` says?"""
        sim = max((float(sims[i, j]) for j in cand_of_article.get(pi, ())
                   if sents[j].start < p.end and p.start < sents[j].end), default=0.0)
        words = sents[i].words
        ov = len(words & sp.content_words(p.text)) / len(words) if words else 0.0
        return sim >= CLAIM_SIM or (sim >= CLAIM_SIM_WITH_WORDS and ov >= CLAIM_WORDS)

    # For every candidate: which roots back it, and with which passage.
    backing: dict[int, dict[str, tuple[Passage, str | None]]] = {}
    for i in cand_idx:
        s = sents[i]
        art = articles[s.article]
        own = roots[s.article]
        found: dict[str, tuple[Passage, str | None]] = {
            own: (Passage(art.id, s.start, s.end, s.text), None)
        }
        best: dict[str, tuple[float, int]] = {}
        for j in cand_idx:
            t = sents[j]
            r = roots[t.article]
            if r == own or r in found:
                continue
            sim = float(sims[i, j])
            if _supports(s, t, sim) and sim > best.get(r, (-2.0, -1))[0]:
                best[r] = (sim, j)
        for r, (_, j) in best.items():
            t = sents[j]
            found[r] = (Passage(articles[t.article].id, t.start, t.end, t.text), None)
        # Cross-check claims aligned across outlets: cite every outlet whose passage of the same
        # claim states all of this sentence's numbers.
        for c in claims_by_article.get(art.id, ()):
            # the claim must be what the sentence is mostly about, not a clause of it
            covered = max((min(s.end, p.end) - max(s.start, p.start) for p in c.passages
                           if p.article == art.id), default=0)
            if covered < 0.5 * (s.end - s.start):
                continue
            for p in c.passages:
                pi = next((k for k, a in enumerate(articles) if a.id == p.article), None)
                if pi is None:
                    continue
                r = roots[pi]
                if r in found and found[r][1] is not None:
                    continue
                # cross-check aligned the wording; a different number is a discrepancy, not support
                if not sp.numbers_supported(s.text, [p.text]):
                    continue
                if r != own and r not in found and not _claim_passage_agrees(i, pi, p):
                    continue
                if r not in found:
                    found[r] = (p, c.id)
                elif r == own:
                    found[r] = (found[r][0], c.id)
        backing[i] = found

    by_article = {a.id: k for k, a in enumerate(articles)}
    titles = [sp.content_words(articles[k].title or "") for k in range(len(articles))
              if roots[k] == articles[k].id and articles[k].title]
    rows_of = {r: [j for j in cand_idx if roots[sents[j].article] == r] for r in root_ids}

    def base_score(i: int) -> float:
        s = sents[i]
        own = roots[s.article]
        central = float(vecs[i] @ centroid)
        supp = sum(weight[r] for r in backing[i] if r != own) / max(1, n_roots - 1)
        pos = 1.0 / (1.0 + s.index)
        others = [(weight[r], rows) for r, rows in rows_of.items() if r != own and rows]
        cross = lex = 0.0
        if others and sum(w for w, _ in others) > 0:
            cross = (sum(w * max(float(sims[i, j]) for j in rows) for w, rows in others)
                     / sum(w for w, _ in others))
            if W_LEX_CROSS:
                lex = sum(max(len(s.words & sents[j].words) / max(1, len(s.words | sents[j].words))
                              for j in rows) for _, rows in others) / len(others)
        title = (sum(len(t & s.words) / len(t) for t in titles if t) / len(titles)) if titles else 0.0
        # a quotation cut in two by the segmenter reads as a fragment
        unbalanced = s.text.count("“") != s.text.count("”") or s.text.count('"') % 2 == 1
        pen = DANGLING_PENALTY if _DANGLING.match(s.text) or unbalanced else 0.0
        return (W_CENTRAL * central + W_SUPPORT * supp + W_POSITION * pos + W_CROSS * cross
                + W_LEX_CROSS * lex + W_TITLE * title - pen)

    scores = {i: base_score(i) for i in cand_idx}
    if weighted:
        # what only low-weight outlets state sinks: the most trusted outlet backing a sentence sets it
        for i in cand_idx:
            scores[i] -= TRUST_PENALTY * (1.0 - max(weight[r] for r in backing[i]))
    if W_TFIDF:
        lex = _vectors_for(sents, cand_idx, settings.replace(embed=False)) if settings.embed else vecs
        lc = lex[cand_idx].mean(axis=0)
        lc = lc / (np.linalg.norm(lc) or 1.0)
        for i in cand_idx:
            scores[i] += W_TFIDF * float(lex[i] @ lc)
    # Where outlets disagree on a number, the brief states each value (with its own citations)
    # rather than silently siding with whichever sentence scored best.
    disputed = _disputed_picks(cross.discrepancies, sents, cand_idx, articles, roots, scores, budget)
    chosen = [i for i, _ in disputed]
    for i, v in disputed:
        # cross-check found these outlets stating the same value: cite them all, as with claims
        for p in v.passages:
            k = by_article.get(p.article)
            if k is None or roots[k] in backing[i] or articles[k].text[p.start:p.end] != p.text:
                continue
            if sp.numbers_supported(sents[i].text, [p.text]):
                backing[i][roots[k]] = (p, None)
    # counted once: the loop below visits every remaining sentence for each one it adds
    nwords = [sp.word_count(s.text) for s in sents]
    total = sum(nwords[i] for i in chosen)
    remaining = sorted((i for i in cand_idx if i not in chosen), key=lambda i: (-scores[i], i))
    while remaining:
        best_i, best_val = None, -math.inf
        for i in remaining:
            n = nwords[i]
            # add only what brings the brief closer to the budget; the first sentence always goes
            if chosen and abs(total + n - budget) >= abs(total - budget) and not (
                    FILL_TO_BUDGET and total < budget):
                continue
            red = max((float(sims[i, j]) for j in chosen), default=0.0)
            if red >= REDUNDANT_SIM:
                continue
            # a sentence whose backing is already a chosen sentence's says nothing new
            if any(sp.overlap(sents[i].words, sents[j].words) >= 0.75 for j in chosen):
                continue
            val = scores[i] - MMR_REDUNDANCY * red
            if val > best_val:
                best_i, best_val = i, val
        if best_i is None:
            break
        chosen.append(best_i)
        total += nwords[best_i]
        remaining.remove(best_i)

    def order_key(i: int) -> tuple[int, str, int, int]:
        s = sents[i]
        return (s.index, articles[s.article].published or "\uffff", s.article, s.start)

    out = []
    for i in sorted(chosen, key=order_key):
        found = backing[i]
        # cite in the story's article order
        cited = sorted(found, key=lambda r: roots.index(r))
        claim = next((found[r][1] for r in cited if found[r][1]), None)
        out.append(
            BriefSentence(
                text=sents[i].text,
                sources=tuple(cited),
                claim=claim,
                passages=tuple(found[r][0] for r in cited),
            )
        )
    return tuple(out)


__all__ = ["summarise_extractive"]
