"""A story told by one outlet is described from its lead; two outlets keep full analysis (issue 21)."""

from __future__ import annotations

import pytest

from storydesk.crosscheck import crosscheck
from storydesk.crosscheck.lead import LeadScope, lead_sentences, leads
from storydesk.records import Article, CrossCheck
from storydesk.segment import sentences
from storydesk.settings import Settings

LEAD = (
    "Floods swept through the town of Ravenmoor on Tuesday, forcing hundreds of families from their homes. "
    '"We lost everything in one night," said Maria Delgado, a baker whose shop stood by the river. '
    "Emergency crews from the Northern Rescue Service worked through the night."
)
# Background far below the lead, with an entity, a quote and a dated event of its own.
TAIL = (
    "Officials held meetings about the budget for the coming year. " * 8
    + '"The old bridge was never repaired," said Tomas Okonkwo, who chaired the council until 2019. '
    + "The Harlow Dam was completed on March 3, 1998, after a decade of work."
)


def article(aid: str, outlet: str, text: str) -> Article:
    return Article(id=aid, outlet=outlet, title="Floods in Ravenmoor", url=None,
                   published="2024-05-08T10:00:00Z", language="en", raw_text=text, text=text)


@pytest.fixture(scope="module")
def lone() -> Article:
    return article("a1", "One Daily", LEAD + "\n" + TAIL)


@pytest.fixture(scope="module")
def lone_result(lone: Article) -> CrossCheck:
    return crosscheck([lone], {lone.id: None}, Settings(embed=False))


def _names(cc: CrossCheck) -> set[str]:
    return {v for e in cc.entities for v in e.variants}


def _mentions(cc: CrossCheck, word: str) -> bool:
    return any(word in name for name in _names(cc))


def test_lead_stops_at_its_word_budget(lone: Article) -> None:
    sents = sentences(lone)
    head = lead_sentences(sents, LeadScope(words=20, max_sentences=6))
    # the first sentence has 15 words, so a second one is needed to reach 20, and no third
    assert [s.index for s in head] == [0, 1]
    assert lead_sentences(sents, LeadScope(words=10_000, max_sentences=3)) == sents[:3]


def test_a_lead_is_a_prefix_of_the_article(lone: Article) -> None:
    cut, sents = leads([lone], {lone.id: sentences(lone)}, LeadScope())
    assert lone.text.startswith(cut[0].text)
    assert "Tomas Okonkwo" not in cut[0].text
    assert cut[0].text.endswith(sents[lone.id][-1].text)
    assert LeadScope(words=10) != LeadScope()
    with pytest.raises(ValueError):
        LeadScope(words=0)


def test_lone_story_is_described_from_its_lead(lone_result: CrossCheck) -> None:
    assert {"Ravenmoor", "Northern Rescue Service"} <= _names(lone_result)
    assert not _mentions(lone_result, "Okonkwo")  # background after the lead is not read
    assert [q.speaker for q in lone_result.quotes] == ["Maria Delgado"]
    assert all("1998" not in (ev.date or "") for ev in lone_result.timeline)


def test_lone_story_passages_point_into_the_full_article(lone: Article, lone_result: CrossCheck) -> None:
    for q in lone_result.quotes:
        for p in q.passages:
            assert p.text and p.text in lone.text[p.start:p.end]


def test_a_syndicated_copy_is_still_one_outlet(lone: Article) -> None:
    copy = article("a2", "Wire Reprint", lone.text)
    cc = crosscheck([lone, copy], {lone.id: None, copy.id: lone.id}, Settings(embed=False))
    assert not _mentions(cc, "Okonkwo")


def test_two_outlets_keep_full_analysis(lone: Article) -> None:
    other = article("b1", "Other Post", LEAD.replace("hundreds of", "about 300") + "\n" + TAIL)
    cc = crosscheck([lone, other], {lone.id: None, other.id: None}, Settings(embed=False))
    assert _mentions(cc, "Okonkwo")
    assert "Tomas Okonkwo" in {q.speaker for q in cc.quotes}
    assert any((ev.date or "").startswith("1998") for ev in cc.timeline)
