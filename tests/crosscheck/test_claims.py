"""Alignment of sentences that state one fact across a story's articles."""

from __future__ import annotations

from storydesk.crosscheck import crosscheck
from storydesk.crosscheck.claims import is_candidate, root_of
from storydesk.records import Article
from storydesk.settings import Settings

A = ("The central bank raised its main interest rate to 5.5 percent on Wednesday. "
     "The governor said inflation remained too high. Markets in Tokyo fell sharply after the decision.")
B = ("On Wednesday the central bank lifted its key interest rate to 5.5 percent. "
     "A new stadium opened in the capital on the same day, drawing large crowds.")
C = ("The country's central bank increased its benchmark rate to 5.5 percent on Wednesday, "
     "its tenth rise in a row.")


def art(aid: str, text: str) -> Article:
    return Article(id=aid, outlet=aid, title=None, url=None, published=None, language="en",
                   raw_text=text, text=text)


def test_same_fact_aligns_into_one_claim_with_exact_passages() -> None:
    arts = [art("a", A), art("b", B), art("c", C)]
    cc = crosscheck(arts, {}, Settings())
    rate = [c for c in cc.claims if "5.5 percent" in c.text]
    assert len(rate) == 1
    assert set(rate[0].sources) == {"a", "b", "c"}
    by_id = {a.id: a for a in arts}
    for p in rate[0].passages:
        assert by_id[p.article].text[p.start : p.end] == p.text
        assert "5.5 percent" in p.text


def test_unrelated_sentences_do_not_align() -> None:
    cc = crosscheck([art("a", A), art("b", B), art("c", C)], {}, Settings())
    for c in cc.claims:
        texts = " ".join(p.text for p in c.passages)
        assert not ("stadium" in texts and "Tokyo" in texts)
    # the stadium is reported by one outlet only
    assert any("stadium" in e.text and e.source == "b" for e in cc.exclusive)


def test_syndicated_copy_is_one_source() -> None:
    cc = crosscheck([art("a", A), art("a2", A), art("b", B)], {"a2": "a", "a": None}, Settings())
    rate = [c for c in cc.claims if "5.5 percent" in c.text]
    assert rate and set(rate[0].sources) == {"a", "b"}
    assert {"a", "a2", "b"} <= {p.article for p in rate[0].passages}


def test_copy_alone_makes_no_claim() -> None:
    cc = crosscheck([art("a", A), art("a2", A)], {"a2": "a"}, Settings())
    assert cc.claims == ()
    assert cc.exclusive == ()


def test_word_overlap_fallback_without_embeddings() -> None:
    cc = crosscheck([art("a", A), art("c", C)], {}, Settings(embed=False))
    assert any(set(c.sources) == {"a", "c"} for c in cc.claims)


def test_root_follows_chains_and_stops_on_cycles() -> None:
    assert root_of({"c": "b", "b": "a", "a": None}, "c") == "a"
    assert root_of({"x": "y", "y": "x"}, "x") in {"x", "y"}


def test_chrome_is_not_a_candidate() -> None:
    assert not is_candidate("Leave a comment")
    assert not is_candidate("Please use the button below to contribute to us using a credit card.")
    assert not is_candidate("- Pakistan Says Children Killed In Iranian Missile Strike Today")
    assert not is_candidate("Reporters – we cover | news | entertainment | sports")
    assert is_candidate("The central bank raised its main interest rate on Wednesday.")
