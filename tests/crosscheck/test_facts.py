"""The fact engine: frames read off the parse, the learned matcher, and the fact table."""

from __future__ import annotations

from storydesk.annotate import parse, parser_for
from storydesk.crosscheck import crosscheck
from storydesk.crosscheck.claims import build_index
from storydesk.crosscheck.facts import hard_different, quote_status, read_frames, significant_digits, vet_groups
from storydesk.crosscheck.frames import frames_for
from storydesk.crosscheck.lang import language_data
from storydesk.crosscheck.matcher import features, load_model, measure_similarities, sentence_view
from storydesk.crosscheck.numbers import extract_quantities
from storydesk.records import Article, Fact
from storydesk.segment import sentences
from storydesk.settings import Settings


def _frames(text: str, language: str | None = "en"):
    (p,) = parse([text], language)
    return frames_for(p, extract_quantities(text), "a", 0, language)


def test_a_list_of_counts_is_read_as_parts_of_one_event() -> None:
    women, children = _frames("Two men and five girls were injured in the crash, the police said.")
    assert (women.noun, women.measure, women.part) == ("man", "injure", True)
    assert (children.noun, children.measure, children.part) == ("girl", "injure", True)
    assert women.attribution == "the police"


def test_a_figure_gets_its_place_date_and_owner_from_the_parse() -> None:
    (toll,) = _frames("The death toll in Valparaiso rose to 31 on Sunday.")
    assert toll.measure == "rise" and "toll" in toll.what
    assert toll.scope == ("Valparaiso",) and toll.time == ("Sunday",)
    (pop,) = _frames("Leeds, a city of 800,000, lost power on Monday.")
    assert pop.holder == ("Leeds",)


def test_a_part_is_never_set_against_a_total() -> None:
    (part, _) = _frames("Two men and five girls were injured in the crash.")
    (total,) = _frames("At least nine people were injured in the crash.")
    assert hard_different(part, total)
    (other_total,) = _frames("Seven people were injured in the crash.")
    assert not hard_different(total, other_total)


def test_the_matcher_tells_one_fact_from_another() -> None:
    lang = language_data("en")
    assert lang is not None
    model = load_model()
    a, b, c = "Floods killed 12 people in the valley.", "The floods killed 15 people.", "The bridge cost $12 million."
    pa, pb, pc = parse([a, b, c])
    (fa,), (fb,), (fc,) = (frames_for(p, extract_quantities(t), "x", 0) for p, t in ((pa, a), (pb, b), (pc, c)))
    ms = measure_similarities([fa, fb, fc])
    same = model.probability(
        features(fa, fb, 0.8, ms[(fa.what, fb.what)], sentence_view(pa, lang), sentence_view(pb, lang), lang)
    )
    assert same > 0.8
    # another unit is two facts before any model is asked
    assert hard_different(fa, fc)


def test_no_figure_from_english_rules_in_french_or_german() -> None:
    assert parser_for("fr") is None and parser_for("de") is None
    assert _frames("Au moins neuf personnes ont été tuées jeudi.", "fr") == ()
    arts = [
        Article(id=f"a{i}", outlet=o, title="t", url=None, published=None, language=lang, text=text, raw_text=text)
        for i, (o, lang, text) in enumerate(
            [
                ("Le Monde", "fr", "Au moins 9 personnes ont été tuées jeudi dans la ville, selon la police locale."),
                (
                    "Die Zeit",
                    "de",
                    "Mindestens 7 Menschen wurden am Donnerstag in der Stadt getötet, sagte die Polizei.",
                ),
            ]
        )
    ]
    result = crosscheck(arts, {a.id: None for a in arts}, Settings(embed=False))
    assert not [f for f in result.facts if f.kind == "number"]
    assert not result.discrepancies


def test_two_outlets_disagreeing_on_a_toll_make_one_conflict_row() -> None:
    texts = [
        ("Daily A", "A landslide hit the village of Korm on Monday. The landslide killed 14 people, officials said."),
        (
            "Daily B",
            "A landslide struck Korm village on Monday. The landslide killed 21 people, according to officials.",
        ),
        (
            "Daily C",
            "Rescuers searched Korm after the landslide on Monday. The landslide killed 14 people, police said.",
        ),
    ]
    arts = [
        Article(
            id=f"a{i}", outlet=o, title="Landslide", url=None, published="2024-03-04", language="en", text=t, raw_text=t
        )
        for i, (o, t) in enumerate(texts)
    ]
    result = crosscheck(arts, {a.id: None for a in arts})
    rows = [f for f in result.facts if f.kind == "number"]
    assert rows and rows[0].status == "conflict"
    values = {c.outlet: c.value for c in rows[0].cells}
    assert values == {"Daily A": "14", "Daily B": "21", "Daily C": "14"}
    assert all(isinstance(f, Fact) for f in result.facts)
    assert Fact.from_dict(rows[0].to_dict()) == rows[0]


def test_claims_and_exclusives_join_the_table() -> None:
    texts = [
        (
            "Daily A",
            "The museum reopened its east wing on Friday after a long renovation. Its director thanked the donors.",
        ),
        ("Daily B", "The museum reopened its east wing on Friday after a long renovation. Tickets sold out by noon."),
    ]
    arts = [
        Article(id=f"a{i}", outlet=o, title="Museum", url=None, published=None, language="en", text=t, raw_text=t)
        for i, (o, t) in enumerate(texts)
    ]
    result = crosscheck(arts, {a.id: None for a in arts})
    agreed = [f for f in result.facts if f.kind == "other" and f.status == "agree"]
    assert [f.subject for f in agreed] == [c.text for c in result.claims]
    assert agreed and {c.outlet for c in agreed[0].cells} == {"Daily A", "Daily B"}
    singles = [f for f in result.facts if f.kind == "other" and f.status == "single"]
    assert [f.subject for f in singles] == [e.text for e in result.exclusive]


def test_an_estimate_measures_its_object_not_the_verb() -> None:
    (a,) = _frames("Officials estimated the damage at $2 million.")
    (b,) = _frames("The damage was estimated at $3 million, insurers said.")
    assert a.measure == b.measure == "damage"


def _vetted(a_text: str, b_text: str, a_value: float = 66, b_value: float = 440) -> str:
    """Status of the group {A's figure `a_value`, B's figure `b_value`} as vet_groups calls it."""
    arts = [
        Article(id=aid, outlet=aid, title="t", url=None, published=None, language="en", text=t, raw_text=t)
        for aid, t in (("A", a_text), ("B", b_text))
    ]
    sents = {a.id: sentences(a) for a in arts}
    index = build_index(arts, sents, {a.id: None for a in arts}, use_embeddings=False)
    frames = read_frames(index, {a.id: "en" for a in arts})
    pick = {
        index.sentences[m[0]].article: m
        for m, f in frames.items()
        if (f.article, f.value) in (("A", a_value), ("B", b_value))
    }
    (group,) = vet_groups(index, [[pick["A"], pick["B"]]], [], frames, use_embeddings=False)
    return group.status


def test_an_outlet_that_also_gives_the_other_value_does_not_contradict_it() -> None:
    other = "Reyes caught 52 passes for 440 yards this year in a season cut short by injury."
    alone = "Reyes caught eight passes for 66 yards this year in a season cut short by injury."
    # A's 66 yards against B's 440: a conflict while A says nothing else...
    assert _vetted(alone, other) == "conflict"
    # ...but not when A itself also gives the 440 yards (A's 66 is another span of games)
    both = "Reyes caught 52 passes for 440 yards this year. Reyes caught eight passes for 66 yards in the loss."
    assert _vetted(both, other) == "possible"


def test_an_outlet_with_several_values_of_one_kind_calls_no_conflict() -> None:
    other = "Ortiz scored 3 goals for the club this spring."
    alone = "Ortiz scored 5 goals for the club this spring."
    assert _vetted(alone, other, 5, 3) == "conflict"
    # A gives two goal tallies (a spring's and a season's): which one B's 3 is, is not known
    both = "Ortiz scored 5 goals for the club this spring. Ortiz scored 19 goals for the club in his career."
    assert _vetted(both, other, 5, 3) == "possible"


def test_an_outlet_with_several_figures_of_one_unit_calls_no_conflict() -> None:
    other = "Shares in Norvik fell 9% on Monday."
    assert _vetted("Shares in Norvik fell 4% on Monday.", other, 4, 9) == "conflict"
    # A gives a day's and a week's fall, worded with two verbs: B's 9% may be either
    both = "Shares in Norvik fell 4% on Monday. Over the week the stock lost 12%."
    assert _vetted(both, other, 4, 9) == "possible"


def test_two_ages_are_one_fact_only_for_one_named_holder() -> None:
    # an age belongs to a person: without the same name on both sides it may be two people's
    # (a story of a crime names a victim, a suspect, a witness), so it is only "possible"
    unnamed_a = "Police arrested a 34-year-old man at the scene on Monday."
    unnamed_b = "Police arrested a 31-year-old man at the scene on Monday."
    assert _vetted(unnamed_a, unnamed_b, 34, 31) == "possible"
    named_a = "Police arrested Dana Kollar, 34, at the scene on Monday."
    named_b = "Police arrested Dana Kollar, 31, at the scene on Monday."
    assert _vetted(named_a, named_b, 34, 31) == "conflict"
    # one person named in full by one outlet and by surname by the other ("Kollar, 31, ...")
    assert _vetted(named_a, "Police said Kollar, 31, was arrested at the scene on Monday.", 34, 31) == "conflict"


def _articles(texts: list[tuple[str, str]]) -> list[Article]:
    return [
        Article(id=f"a{i}", outlet=o, title="t", url=None, published=None, language="en", text=t, raw_text=t)
        for i, (o, t) in enumerate(texts)
    ]


def test_one_specific_figure_from_several_outlets_is_one_agreed_fact() -> None:
    arts = _articles(
        [
            ("Daily A", "The port handled 48,215 containers in March, the authority said."),
            ("Daily B", "Dock workers moved 48,215 boxes through the harbour last month."),
            ("Daily C", "March traffic at the terminal reached 48,215 units, a record."),
        ]
    )
    result = crosscheck(arts, {a.id: None for a in arts}, Settings(embed=False))
    rows = [f for f in result.facts if f.kind == "number" and f.status == "agree"]
    assert [{c.outlet for c in f.cells} for f in rows] == [{"Daily A", "Daily B", "Daily C"}]
    assert any({p.article for p in c.passages} == {"a0", "a1", "a2"} for c in result.claims)


def test_a_round_or_hedged_figure_alone_is_no_agreement() -> None:
    # "50" and "about 48,215" come up in many facts of one story: their sameness proves nothing
    arts = _articles(
        [
            ("Daily A", "The club sold 50 season tickets on Monday. About 48,215 fans came to the final."),
            ("Daily B", "A charity gave 50 blankets to the shelter. About 48,215 people watched on television."),
        ]
    )
    result = crosscheck(arts, {a.id: None for a in arts}, Settings(embed=False))
    assert not [f for f in result.facts if f.kind == "number" and len(f.cells) > 1]


def test_significant_digits_ignore_trailing_zeros() -> None:
    assert [significant_digits(v) for v in (235000, 3869, 20.6, 7, 0.05, 1_500_000)] == [3, 4, 3, 1, 1, 2]


def test_quotes_are_checked_word_for_word() -> None:
    said = "We will rebuild every home that the flood destroyed, and we will start this week"
    assert quote_status([said, said]) == "agree"
    # quoting less of it is not altering it
    assert quote_status([said, "we will start this week"]) == "agree"
    # one word changed inside the quotation marks is an altered quote
    assert quote_status([said, said.replace("every home", "most homes")]) == "conflict"
    # two different sentences of one speech are not one quote altered
    assert quote_status([said, "The river rose faster than anyone expected on Sunday night"]) == "possible"


def test_an_altered_quote_is_a_conflict_row_in_the_story() -> None:
    said = "We will rebuild every home that the flood destroyed in this valley, and we will start the work this week"
    altered = said.replace("every home", "most homes")
    texts = [
        ("Daily A", f'The mayor spoke on Monday. "{said}," the mayor said.'),
        ("Daily B", f'The mayor spoke on Monday. "{altered}," the mayor said.'),
    ]
    arts = [
        Article(id=f"a{i}", outlet=o, title="Flood", url=None, published=None, language="en", text=t, raw_text=t)
        for i, (o, t) in enumerate(texts)
    ]
    result = crosscheck(arts, {a.id: None for a in arts})
    rows = [f for f in result.facts if f.kind == "quote"]
    assert [r.status for r in rows] == ["conflict"]
    assert {c.outlet: c.value.rstrip(",") for c in rows[0].cells} == {"Daily A": said, "Daily B": altered}
