"""Entities: mentions from model + rules, spelling variants merged, different entities kept apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from storydesk.crosscheck.entities import canonical, extract_entities, find_mentions, load_model, same_entity
from storydesk.records import Article
from storydesk.segment import sentences


def _article(aid: str, text: str) -> Article:
    return Article(id=aid, outlet=None, title=None, url=None, published=None, language="en", raw_text=text, text=text)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sistan-Baluchestan", "Sistan and Baluchestan"),
        ("Sistan-Baluchestan", "Siestan-o-Baluchistan"),
        ("Sistan and Baluchestan", "Sīstān va Balūchestān"),
        ("Amir-Abdollahian", "Amirabdollahian"),
        ("Islambad", "Islamabad"),
        ("Muhammad", "Mohammed"),
        ("Foreign Ministry", "Ministry of Foreign Affairs"),
        ("Kyiv's", "Kyiv"),
    ],
)
def test_variants_are_the_same_entity(a: str, b: str) -> None:
    assert same_entity(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Iran", "Iraq"),
        ("Pakistan", "Pakistani"),  # a demonym is not the country (see module docstring)
        ("Niger", "Nigeria"),
        ("Austria", "Australia"),
        ("Balochistan", "Sistan-Baluchestan"),
        ("Slovakia", "Slovenia"),
        ("Mali", "Malawi"),
    ],
)
def test_different_entities_stay_apart(a: str, b: str) -> None:
    assert not same_entity(a, b)


def test_canonical_is_stable_for_case_and_possessive() -> None:
    assert canonical("NAIROBI") == canonical("Nairobi's") == canonical("nairobi")
    assert canonical("") == ""


def test_find_mentions_gazetteer_titles_and_organisations() -> None:
    text = (
        "Flooding in Kenya's Rift Valley killed 12 people, Interior Minister Kithure Kindiki told "
        "reporters, while the Kenya Red Cross Society and Ethiopian officials sent help from Addis Ababa."
    )
    got = {(m.text, m.label) for m in find_mentions(text)}
    assert ("Kenya", "LOC") in got
    assert ("Kithure Kindiki", "PER") in got
    assert ("Addis Ababa", "LOC") in got
    assert ("Ethiopian", "MISC") in got
    assert any(label == "ORG" and "Red Cross" in t for t, label in got)
    for m in find_mentions(text):
        assert text[m.start : m.end] == m.text


def test_packaged_model_loads_once() -> None:
    nlp = load_model()
    assert nlp is not None, "the NER model should ship in storydesk/models/ner (bench/train_ner.py)"
    assert load_model() is nlp
    assert "ner" in nlp.pipe_names


def test_extract_entities_merges_variants_and_surnames_across_articles() -> None:
    a = _article(
        "a1",
        "Chile's President Gabriel Boric visited Valparaiso on Sunday. "
        "Boric said the fires in the Valparaíso region were the deadliest since 2010.",
    )
    b = _article(
        "b2",
        "Fires raged near Valparaiso, and Gabriel Boric declared a state of emergency. "
        "Officials in Argentina offered help, an Argentine minister said.",
    )
    ents = extract_entities([a, b], {x.id: sentences(x) for x in (a, b)})
    by_name = {e.name: e for e in ents}
    boric = by_name["Gabriel Boric"]
    assert boric.type == "PER"
    assert set(boric.sources) == {"a1", "b2"}
    assert "Boric" in boric.variants and boric.mentions >= 3
    valpo = [e for e in ents if canonical(e.name) == canonical("Valparaiso")]
    assert len(valpo) == 1 and set(valpo[0].sources) == {"a1", "b2"}
    assert {"Valparaiso", "Valparaíso"} <= set(valpo[0].variants)
    # demonym and country are different entities
    names = {e.name for e in ents}
    assert "Argentina" in names and "Argentine" in names


def test_seed_variants_are_merged(seeds_dir: Path) -> None:
    arts = [_article(p.stem, p.read_text(encoding="utf-8")) for p in sorted(seeds_dir.glob("*.txt"))]
    ents = extract_entities(arts, {a.id: sentences(a) for a in arts})

    def entity(variant: str):
        hits = [e for e in ents if variant in e.variants]
        assert len(hits) == 1, (variant, hits)
        return hits[0]

    province = entity("Sistan-Baluchestan")
    assert {"Sistan and Baluchestan", "Siestan-o-Baluchistan"} <= set(province.variants)
    assert province.type == "LOC" and len(province.sources) == 5
    minister = entity("Hossein Amirabdollahian")
    assert "Amir-Abdollahian" in " ".join(minister.variants) and minister.type == "PER"
    assert entity("Islambad") is entity("Islamabad")
    assert entity("Iran") is not entity("Iraq")
    assert entity("Pakistan") is not entity("Pakistani")
    assert entity("Balochistan") is not province


def test_governing_nouns_type_places_and_groups() -> None:
    text = (
        "Fighters of Harakat al-Nur, an armed group, shelled the port of Tarvasa near Kelmori town "
        "in Osland's Vardi province. Twelve villagers fled, said Ana Brek, a member of the party."
    )
    found = {(m.text, m.label) for m in find_mentions(text)}
    assert {("Tarvasa", "LOC"), ("Kelmori", "LOC"), ("Vardi", "LOC")} <= found
    assert ("Harakat al-Nur", "ORG") in found
    assert ("Ana Brek", "ORG") not in found
    assert not any(m.startswith("Twelve") for m, _ in found)


def test_cached_mentions_are_the_fresh_ones_and_callers_cannot_spoil_them() -> None:
    from storydesk.crosscheck import entities

    text = "Interior Minister Jane Doe visited Islamabad on Monday."
    first = find_mentions(text)
    assert text in entities._MENTIONS
    first.clear()  # a caller's list is its own
    entities._MENTIONS.pop(text)
    fresh = find_mentions(text)
    assert find_mentions(text) == fresh == entities._find_uncached([text])[0]
