"""The extractive brief: length, citations that check out, multi-outlet citation, chrome, copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from storydesk.brief import summarise
from storydesk.brief import support as sp
from storydesk.records import Article, Claim, CrossCheck, Discrepancy, DiscrepancyValue, Passage
from storydesk.settings import Settings

from .conftest import make_article

LEXICAL = Settings(embed=False)  # TF-IDF vectors: fast, fully deterministic
MODEL = Settings(embed=True)  # the packaged MiniLM


def words(brief) -> int:
    return sum(sp.word_count(b.text) for b in brief)


def check_citations(brief, articles: list[Article]) -> None:
    """Every sentence cites; every cited article has a passage really in its text that states all
    of the sentence's numbers; the sentence itself is verbatim in one cited article."""
    by_id = {a.id: a for a in articles}
    for b in brief:
        assert b.sources, b
        assert any(b.text in by_id[s].text for s in b.sources), b.text
        passages = {p.article: p for p in b.passages}
        for s in b.sources:
            p = passages[s]
            assert by_id[s].text[p.start : p.end] == p.text
            assert sp.numbers(b.text) <= sp.numbers(p.text), (b.text, p.text)


@pytest.mark.parametrize("settings", [LEXICAL, MODEL], ids=["tfidf", "minilm"])
def test_length_follows_brief_words(seed_articles, settings):
    counts = []
    for n in (40, 120, 250):
        brief = summarise(seed_articles, CrossCheck(), {}, settings.replace(brief_words=n))
        counts.append(words(brief))
        # "about N words": within half a typical sentence of the target
        assert abs(words(brief) - n) <= max(20, n // 4), (n, words(brief))
    assert counts == sorted(counts) and counts[0] < counts[-1]


@pytest.mark.parametrize("settings", [LEXICAL, MODEL], ids=["tfidf", "minilm"])
def test_every_sentence_is_cited_and_supported(seed_articles, settings):
    brief = summarise(seed_articles, CrossCheck(), {}, settings.replace(brief_words=150))
    assert len(brief) >= 3
    check_citations(brief, seed_articles)


def test_seed_brief_has_no_chrome(seed_articles):
    brief = summarise(seed_articles, CrossCheck(), {}, MODEL.replace(brief_words=250))
    text = " ".join(b.text for b in brief)
    for chrome in ("Read More", "|", "[", "Getty", "fbpx", "Wazobia", "http"):
        assert chrome not in text


def test_a_fact_in_three_wordings_cites_all_three(same_fact_story):
    brief = summarise(same_fact_story, CrossCheck(), {}, MODEL.replace(brief_words=30))
    nine = [b for b in brief if "nine" in b.text.lower()]
    assert nine, brief
    assert set(nine[0].sources) == {"a1", "b2", "c3"}
    # the outlet with a different death toll is never cited for "nine"
    assert all("d4" not in b.sources for b in nine)
    check_citations(brief, same_fact_story)


def test_differing_numbers_never_share_a_citation(same_fact_story):
    brief = summarise(same_fact_story, CrossCheck(), {}, LEXICAL.replace(brief_words=200))
    for b in brief:
        if "seven" in b.text:
            assert b.sources == ("d4",)
    check_citations(brief, same_fact_story)


def test_claims_widen_citations_to_paraphrases():
    a = make_article("x1", "one", "Flooding forced 4,000 residents from their homes in the valley on "
                     "Monday. Rescue teams worked through the night.")
    b = make_article("y2", "two", "Rescue crews said 4,000 people had to leave as rising water swamped "
                     "houses across the region. The river peaked late.")
    pa = Passage("x1", 0, a.text.index(".") + 1, a.text[: a.text.index(".") + 1])
    pb = Passage("y2", 0, b.text.index(".") + 1, b.text[: b.text.index(".") + 1])
    claim = Claim(id="c1", text="4,000 people displaced by floods", sources=("x1", "y2"), passages=(pa, pb))
    without = summarise([a, b], CrossCheck(), {}, MODEL.replace(brief_words=15))
    with_claims = summarise([a, b], CrossCheck(claims=(claim,)), {}, MODEL.replace(brief_words=15))
    assert len(without) == len(with_claims) == 1
    assert len(without[0].sources) == 1
    assert set(with_claims[0].sources) == {"x1", "y2"}
    assert with_claims[0].claim == "c1"


def test_a_claim_does_not_cite_a_passage_stating_another_clause():
    # cross-check may align a long claim clause by clause: B's passage states only the other clause
    a = make_article("x1", "one", "The action comes two days after Tehran hit militant targets inside "
                     "Pakistan's border. Officials in Islamabad gave few details.")
    b = make_article("y2", "two", "Islamabad said the strike killed two children. The border area was "
                     "quiet on Friday.")
    pa = Passage("x1", 0, a.text.index(".") + 1, a.text[: a.text.index(".") + 1])
    pb = Passage("y2", 0, b.text.index(".") + 1, b.text[: b.text.index(".") + 1])
    claim = Claim(id="c1", text="The attacks came two days after Iran struck Pakistan, which Islamabad "
                  "said killed two children.", sources=("x1", "y2"), passages=(pa, pb))
    brief = summarise([a, b], CrossCheck(claims=(claim,)), {}, MODEL.replace(brief_words=15))
    action = [x for x in brief if x.text.startswith("The action")]
    assert action and action[0].sources == ("x1",), brief


def test_syndicated_copy_counts_once(same_fact_story):
    original = same_fact_story[0]
    copy = make_article("copy", "wire-reprint", original.text)
    arts = [*same_fact_story, copy]
    brief = summarise(arts, CrossCheck(), {"copy": "a1"}, MODEL.replace(brief_words=80))
    cited = [s for b in brief for s in b.sources]
    assert "copy" not in cited
    texts = [b.text for b in brief]
    assert len(texts) == len(set(texts))


def test_chrome_sentences_are_never_picked():
    text = ("Subscribe to our newsletter for daily updates on the region. "
            "The city council approved the new budget on Tuesday after a long debate.\n"
            "Read More: Council Votes On Budget\n"
            "Photo by Jane Doe/AFP via Getty Images. The mayor smiles at reporters on the steps.\n"
            "Follow us on social media at https://example.com/council for more news.\n"
            "The budget raises spending on schools by 5 percent next year.")
    brief = summarise([make_article("z", "local", text)], CrossCheck(), {}, LEXICAL.replace(brief_words=200))
    got = " ".join(b.text for b in brief)
    assert "budget" in got
    for chrome in ("Subscribe", "Read More", "Getty", "mayor smiles", "https"):
        assert chrome not in got


def test_empty_story_gives_empty_brief():
    assert summarise([], CrossCheck(), {}, LEXICAL) == ()
    blank = make_article("e", "x", "   ")
    assert summarise([blank], CrossCheck(), {}, LEXICAL) == ()


def test_deterministic(seed_articles):
    one = summarise(seed_articles, CrossCheck(), {}, LEXICAL)
    two = summarise(list(seed_articles), CrossCheck(), {}, LEXICAL)
    assert one == two


def _toll_discrepancy(story: list[Article]) -> Discrepancy:
    """What cross-check reports for `same_fact_story`: nine (three outlets) against seven (one)."""
    def passage(a: Article) -> Passage:
        end = a.text.index(".") + 1
        return Passage(a.id, 0, end, a.text[:end])

    nine = [a for a in story if a.id in ("a1", "b2", "c3")]
    seven = [a for a in story if a.id == "d4"]
    return Discrepancy("number", "people killed in the strikes", (
        DiscrepancyValue("9", passage(nine[0]).text, tuple(a.id for a in nine),
                         tuple(passage(a) for a in nine)),
        DiscrepancyValue("7", passage(seven[0]).text, ("d4",), (passage(seven[0]),)),
    ))


def test_both_sides_of_a_disputed_number_are_in_the_brief(same_fact_story):
    cross = CrossCheck(discrepancies=(_toll_discrepancy(same_fact_story),))
    # without the discrepancy the best-backed "nine" lead wins and "seven" reads as its repeat
    plain = summarise(same_fact_story, CrossCheck(), {}, LEXICAL.replace(brief_words=80))
    assert not any("seven" in b.text for b in plain)
    brief = summarise(same_fact_story, cross, {}, LEXICAL.replace(brief_words=80))
    seven = [b for b in brief if "seven" in b.text]
    nine = [b for b in brief if "nine" in b.text.lower()]
    assert seven and nine
    assert seven[0].sources == ("d4",)
    assert set(nine[0].sources) == {"a1", "b2", "c3"}
    check_citations(brief, same_fact_story)


def test_a_dispute_too_long_for_the_budget_is_not_forced(same_fact_story):
    cross = CrossCheck(discrepancies=(_toll_discrepancy(same_fact_story),))
    brief = summarise(same_fact_story, cross, {}, LEXICAL.replace(brief_words=12))
    assert len(brief) == 1


def test_tfidf_matches_scikit_learn_to_the_bit(seeds_dir: Path) -> None:
    """The brief's lexical vectors are scikit-learn's TfidfVectorizer's, computed without its set-up."""
    import re

    import numpy as np

    from storydesk.brief.extractive import _tfidf

    text_mod = pytest.importorskip("sklearn.feature_extraction.text")

    for f in sorted(seeds_dir.glob("*.txt")):
        texts = [s for s in re.split(r"(?<=[.!?])\s+", f.read_text(encoding="utf-8")) if s.strip()]
        texts.append("It was the one that they said.")  # stopwords only: an all-zero row
        vec = text_mod.TfidfVectorizer(tokenizer=lambda t: sorted(sp.content_words(t)), lowercase=False,
                                       token_pattern=None, sublinear_tf=True)
        want = vec.fit_transform(texts).toarray().astype(np.float32)
        assert np.array_equal(_tfidf(texts), want)
    assert _tfidf(["It was the one.", "They said so."]).shape == (2, 1)
