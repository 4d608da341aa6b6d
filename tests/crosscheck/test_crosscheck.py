"""The cross-check entry point on the seeds: the issue's done-when."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from storydesk.crosscheck import crosscheck
from storydesk.records import Article, CrossCheck, Provenance, RawDocument
from storydesk.settings import Settings


def read_seed(path: Path) -> Article:
    """A seed as an Article: cleaned by storydesk.clean when it is there, else the raw text
    minus obvious chrome lines (short link and label lines)."""
    raw = path.read_text(encoding="utf-8")
    sid = path.stem[:3]
    try:
        from storydesk.clean import clean_document
    except ImportError:
        clean_document = None
    if clean_document is not None:
        doc = RawDocument(provenance=Provenance(source=str(path), fmt="text"), text=raw)
        art = clean_document(doc)
        if "killed" in art.text:  # the cleaner kept the body
            return dataclasses.replace(art, id=sid, outlet=sid)
    text = "\n".join(line for line in raw.split("\n") if len(line.split()) >= 6 or not line.strip())
    return Article(id=sid, outlet=sid, title=None, url=None, published=None,
                   language="en", raw_text=raw, text=text)


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path) -> list[Article]:
    return [read_seed(p) for p in sorted(seeds_dir.glob("*.txt"))]


@pytest.fixture(scope="module")
def result(seeds: list[Article]) -> CrossCheck:
    return crosscheck(seeds, {a.id: None for a in seeds}, Settings())


def _flagged(cc: CrossCheck, a: str, b: str):
    for d in cc.discrepancies:
        labels = {v.value: v for v in d.values}
        if a in labels and b in labels:
            return labels[a], labels[b]
    return None


def test_strike_toll_is_flagged(result: CrossCheck) -> None:
    found = _flagged(result, "7", "at least 9")
    assert found, [[v.value for v in d.values] for d in result.discrepancies]
    seven, nine = found
    assert "000" in seven.sources  # "reportedly killing seven people"
    assert {"002", "003"} <= set(nine.sources)  # "at least nine people were killed"
    assert "seven" in seven.text.lower() or "Seven" in seven.text


def test_kerman_toll_is_flagged(result: CrossCheck) -> None:
    found = _flagged(result, "84", "around 90")
    assert found
    assert found[0].sources == ("000",) and found[1].sources == ("003",)


def test_two_children_is_one_claim_with_every_outlet(result: CrossCheck, seeds: list[Article]) -> None:
    reporting = {a.id for a in seeds if "two children" in a.text}
    assert len(reporting) >= 4
    claims = [c for c in result.claims if any("two children" in p.text for p in c.passages)]
    assert claims
    best = max(claims, key=lambda c: len(c.sources))
    assert reporting <= set(best.sources)
    by_id = {a.id: a for a in seeds}
    for p in best.passages:  # exact offsets into Article.text
        assert by_id[p.article].text[p.start : p.end] == p.text


def test_syndicated_copy_counts_once(seeds: list[Article]) -> None:
    copy = Article(id="copy", outlet="copy", title=None, url=None, published=None, language="en",
                   raw_text=seeds[1].raw_text, text=seeds[1].text)
    cc = crosscheck([*seeds[:2], copy], {"copy": seeds[1].id}, Settings())
    assert cc.claims
    for c in cc.claims:
        assert "copy" not in c.sources
    assert any("copy" in {p.article for p in c.passages} for c in cc.claims)
    assert all(e.source != "copy" for e in cc.exclusive)


def test_exclusives_skip_chrome(result: CrossCheck) -> None:
    assert result.exclusive
    for e in result.exclusive:
        assert "|" not in e.text and not e.text.startswith("-")
    assert len({e.source for e in result.exclusive}) >= 2


def test_output_round_trips(result: CrossCheck) -> None:
    assert CrossCheck.from_dict(result.to_dict()) == result


def test_every_value_is_stated_by_each_of_its_sources(result: CrossCheck) -> None:
    """A discrepancy value lists only articles whose own passage states it."""
    from storydesk.crosscheck.numbers import extract_quantities

    for d in result.discrepancies:
        for v in d.values:
            assert {p.article for p in v.passages} >= set(v.sources)
            if d.kind in ("number", "date"):
                for p in v.passages:
                    assert v.value in {q.label() for q in extract_quantities(p.text)}, (v.value, p.text)


def test_no_bare_pronoun_is_an_attribution(result: CrossCheck) -> None:
    pronouns = {"it", "he", "she", "they", "we", "i", "you"}
    named = [a for c in result.claims for a in c.attributed_to]
    named += [a for d in result.discrepancies for v in d.values for a in v.attributed_to]
    assert named
    assert not [a for a in named if a.lower() in pronouns]
    assert not [q.speaker for q in result.quotes if q.speaker.lower() in pronouns]


def test_a_text_split_once_is_shared_and_each_caller_gets_its_own_list() -> None:
    from storydesk import segment

    text = "The U.S. said nine people died. Officials disagreed.\nA second paragraph."
    first = segment.split_text(text)
    assert text in segment._SPANS
    first.clear()
    again = segment.split_text(text)
    assert again == [(s, e, text[s:e]) for s, e in segment._spans(text)] and len(again) == 3
