"""Discrepancies on text that is not the seeds: real disagreements flagged, each trap not."""

from __future__ import annotations

from storydesk.crosscheck import crosscheck
from storydesk.records import Article, CrossCheck
from storydesk.settings import Settings


def story(*texts: str) -> CrossCheck:
    arts = [
        Article(id=f"a{i}", outlet=f"outlet{i}", title=None, url=None, published=None,
                language="en", raw_text=t, text=t)
        for i, t in enumerate(texts)
    ]
    return crosscheck(arts, {a.id: None for a in arts}, Settings())


def values(cc: CrossCheck) -> list[dict[str, tuple[str, ...]]]:
    return [{v.value: v.sources for v in d.values} for d in cc.discrepancies]


def test_toll_disagreement_is_flagged_with_sources_and_text() -> None:
    cc = story(
        "A bus crash in the Andes killed 12 passengers on Monday, local police said.",
        "Police said at least 15 passengers died when a bus crashed in the Andes on Monday.",
    )
    assert {"12": ("a0",), "at least 15": ("a1",)} in values(cc)
    d = cc.discrepancies[0]
    assert d.kind == "number"
    for v in d.values:
        p = v.passages[0]
        assert p.text == v.text and "Andes" in p.text


def test_hedged_round_figure_that_misses_is_flagged() -> None:
    cc = story(
        "The ferry disaster off the coast of Lagos killed 84 people, the coastguard said.",
        "The coastguard said around 90 people were killed in the ferry disaster off Lagos.",
    )
    assert {"84": ("a0",), "around 90": ("a1",)} in values(cc)


def test_killed_vs_injured_is_not_flagged() -> None:
    cc = story(
        "The train derailment near Lyon killed 12 people, officials said.",
        "The train derailment near Lyon injured 30 people, officials said.",
    )
    assert cc.discrepancies == ()


def test_explicit_update_is_not_flagged() -> None:
    cc = story(
        "The flood in the valley killed at least 3 people, officials said on Monday.",
        "The death toll from the flood in the valley rose to 10 on Tuesday, officials said.",
    )
    assert cc.discrepancies == ()


def test_range_containing_the_value_is_not_flagged() -> None:
    cc = story(
        "Between 20 and 30 people were injured in the warehouse fire in Ohio.",
        "Twenty-five people were injured in the warehouse fire in Ohio, firefighters said.",
    )
    assert cc.discrepancies == ()


def test_hedged_rounding_that_covers_the_value_is_not_flagged() -> None:
    cc = story(
        "Congress passed a $1.37 trillion spending package on Friday.",
        "Congress passed roughly $1.4 trillion in spending on Friday.",
    )
    assert cc.discrepancies == ()


def test_different_units_are_not_flagged() -> None:
    cc = story(
        "Police chased the suspect for 30 miles across the county before the arrest.",
        "Police chased the suspect for 48 km across the county before the arrest.",
    )
    assert cc.discrepancies == ()


def test_ages_a_year_apart_are_not_flagged() -> None:
    cc = story(
        "The 38-year-old suspect was arrested in Lisbon after the shooting.",
        "The 39-year-old suspect went on trial in Lisbon for the shooting.",
    )
    assert cc.discrepancies == ()


def test_different_sub_event_is_not_flagged() -> None:
    cc = story(
        "A magnitude 5.6 quake struck the island on Sunday, injuring five people.",
        "A magnitude 5.2 quake struck the island on Monday, injuring three people.",
    )
    assert not any("5" in v and "3" in v for v in values(cc))


def test_count_including_the_gunman_is_not_flagged() -> None:
    cc = story(
        "The shooting at the county fair left three people dead, police said.",
        "Four people were killed at the county fair shooting, including the gunman, police said.",
    )
    assert cc.discrepancies == ()


def test_differently_named_places_are_not_set_against_each_other() -> None:
    cc = story(
        "In Athens, 20,000 people marched against the cuts, police said.",
        "In Heraklion, 10,000 people marched against the cuts, police said.",
    )
    assert cc.discrepancies == ()


def test_name_spelled_with_a_part_dropped_is_flagged() -> None:
    cc = story(
        "Police said they arrested Christopher DeLorenzo, 41, at his home in Ohio after the robbery.",
        "The suspect in the robbery, Christopher Lorenzo, was arrested at his home in Ohio, police said.",
    )
    names = [d for d in cc.discrepancies if d.kind == "person"]
    assert names, cc.discrepancies
    assert {v.value: v.sources for v in names[0].values} == {
        "Christopher DeLorenzo": ("a0",), "Christopher Lorenzo": ("a1",),
    }


def test_transliterated_name_is_not_flagged() -> None:
    from storydesk.crosscheck.discrepancies import _spelled_differently

    assert not _spelled_differently("Qassem Soleimani", "Qassem Suleimani")
    assert not _spelled_differently("Hossein Amir-Abdollahian", "Hossein Amirabdollahian")
    assert not _spelled_differently("Wolfe", "Ilene Wolfe")
    assert _spelled_differently("Anthony LaCalamita", "Anthony Calamita")
    # a word of a name in the singular, plural or possessive is one name
    assert not _spelled_differently("Harbour Pilot Authority", "Harbour Pilots Authority")
    assert not _spelled_differently("NTSB Board", "NTSB's Board")


def test_swapped_initials_of_a_firm_are_flagged() -> None:
    cc = story(
        "The fire broke out on the second floor of the building that houses B&K Logistics.",
        "Staff of K&B, a freight company, fled the fire on the second floor of the building.",
    )
    orgs = [d for d in cc.discrepancies if d.kind == "org"]
    assert orgs and {v.value: v.sources for v in orgs[0].values} == {"B&K": ("a0",), "K&B": ("a1",)}


def test_a_value_compatible_with_every_other_is_left_out() -> None:
    cc = story(
        "A bus crash in the Andes killed 12 passengers on Monday, local police said.",
        "Police said 15 passengers died when a bus crashed in the Andes on Monday.",
        "At least 10 passengers were killed when a bus crashed in the Andes on Monday, police said.",
    )
    found = [v for v in values(cc) if "12" in v]
    assert found and set(found[0]) == {"12", "15"}


def test_magnitudes_of_two_quakes_are_not_flagged() -> None:
    # an aftershock's magnitude is another quake's, not the main shock measured differently
    cc = story(
        "A magnitude 6.3 earthquake shook the coast of Chile, the geological survey said.",
        "An aftershock of magnitude 4.8 shook the coast of Chile, the geological survey said.",
    )
    assert not [d for d in cc.discrepancies if d.subject == "magnitude"]


def test_magnitudes_a_few_tenths_apart_are_flagged() -> None:
    cc = story(
        "A magnitude 6.3 earthquake shook the coast of Chile, the geological survey said.",
        "The earthquake that shook the coast of Chile had a magnitude of 6.1, the national seismology office said.",
    )
    assert {"6.1": ("a1",), "6.3": ("a0",)} in values(cc)


def test_crowd_sizes_put_at_a_figure_are_compared() -> None:
    # "police put the march at 30,000": no noun follows the figure, yet it counts people
    cc = story(
        "Police said as many as 20,000 people marched through the centre of Lisbon on Saturday.",
        "Police put the Saturday march through the centre of Lisbon at roughly 30,000 people.",
    )
    assert {"as many as 20,000": ("a0",), "roughly 30,000": ("a1",)} in values(cc)


def test_one_clock_time_hedged_with_different_words_is_one_agreed_fact() -> None:
    cc = story(
        "The gunman walked into the office around 10 a.m. and fired at the staff, police said.",
        "Police said the man entered the building at about 10 a.m. and opened fire on employees.",
        "The shooter came in shortly after the office opened, around 10 a.m., witnesses said.",
    )
    assert not [d for d in cc.discrepancies if d.kind == "date"]
    assert any(set(c.sources) == {"a0", "a1", "a2"} for c in cc.claims)


def test_a_value_hedged_with_another_word_needs_only_same_value_context() -> None:
    from storydesk.crosscheck.discrepancies import SAME_VALUE_MIN_SIM, required_similarity
    from storydesk.crosscheck.numbers import extract_quantities

    (a,) = extract_quantities("He walked in around 10 a.m. on Monday.")
    (b,) = extract_quantities("He entered the office at about 10 a.m.")
    (c,) = extract_quantities("He entered the office at about 11 a.m.")
    assert required_similarity(a, b) == SAME_VALUE_MIN_SIM
    assert required_similarity(a, c) > SAME_VALUE_MIN_SIM


def test_a_value_several_outlets_agree_on_is_a_fact_despite_a_dissenting_outlet() -> None:
    from storydesk.crosscheck.claims import build_index
    from storydesk.crosscheck.discrepancies import agreeing_parts, figure_facts
    from storydesk.segment import sentences

    texts = (
        "The landslide in the hills above Medellin killed 14 people, the mayor said on Sunday.",
        "Fourteen people were killed by the landslide in the hills above Medellin, officials said.",
        "Rescuers said the landslide above Medellin had killed 14 people by Sunday night.",
        "A landslide above Medellin killed 11 people, the regional governor said on Sunday.",
    )
    arts = [Article(id=f"a{i}", outlet=f"o{i}", title=None, url=None, published=None, language="en",
                    raw_text=t, text=t) for i, t in enumerate(texts)]
    index = build_index(arts, {a.id: sentences(a) for a in arts}, {}, use_embeddings=True)
    clashing, _agreeing = figure_facts(index, [])
    parts = agreeing_parts(index, clashing)
    assert [sorted(index.sentences[m[0]].article for m in p) for p in parts] == [["a0", "a1", "a2"]]
    # and the story's claims hold the three as one fact (here the whole sentences align)
    cc = story(*texts)
    assert any({"a0", "a1", "a2"} <= set(c.sources) for c in cc.claims)


def test_an_appositive_gives_a_figure_to_the_name_before_it() -> None:
    from storydesk.crosscheck.discrepancies import figure_owner
    from storydesk.crosscheck.numbers import extract_quantities

    def owner(text: str) -> frozenset[str]:
        (q,) = [q for q in extract_quantities(text) if q.value >= 1000]
        return figure_owner(text, q)

    assert owner("The injured were flown to Port Denby, a city of 300,000 people.") == {"port", "denb"}
    assert owner("The storm struck Marlow island, home to 40,000 people, and the town of Ardley.") == {"marl"}
    assert owner("It reached Kestral, with a population of about 8,000, by noon.") == {"kest"}
    assert owner("It reached Kestral (population 8,000) by noon.") == {"kest"}
    # no appositive, or one whose head is no name: the figure's owner is not known
    assert owner("The island, which has about 60,000 residents, lost power.") == frozenset()
    assert owner("The storm hit Ardley, with 3,000 homes left without power.") == frozenset()


def test_population_of_a_differently_named_place_is_not_the_same_fact() -> None:
    # "Port Denby, a city of 300,000" is Port Denby's population, not Marlow island's: it must
    # neither be set against the island's figures nor keep a1's own island figure out of them
    cc = story(
        "The cyclone struck Marlow island, home to 40,000 people, and the port of Denby, state radio said.",
        "The island, which has about 60,000 residents, lies off the coast. Rescuers flew the injured from "
        "Marlow to Port Denby, a city of 300,000 people that was also hit by the cyclone.",
        "The cyclone hit near Marlow island, home to 60,000 people, the weather office said.",
    )
    found = [v for v in values(cc) if "40,000" in v]
    assert found == [{"40,000": ("a0",), "about 60,000": ("a1",), "60,000": ("a2",)}], values(cc)


def test_an_aside_before_a_figure_is_left_out_of_its_context() -> None:
    from storydesk.crosscheck.claims import figure_context
    from storydesk.crosscheck.numbers import extract_quantities

    text = "Officials put the crowd, which had come for a 12-hour vigil, at about 8,000 people."
    qs = extract_quantities(text)
    crowd = next(q for q in qs if q.value == 8000)
    # the aside's own figure ("12-hour") does not cut the context short either
    assert figure_context(text, crowd, qs) == "put the crowd at people."
    # a clause that resumes with "and" is no aside: the words before the figure stay
    text = "The storm, which hit on Monday, and 20 people were hurt."
    qs = extract_quantities(text)
    assert figure_context(text, qs[0], qs).startswith("hit on Monday, and")


def test_a_count_added_to_another_is_not_its_article_restating_it() -> None:
    from storydesk.crosscheck.claims import build_index
    from storydesk.crosscheck.discrepancies import _same_article_clash
    from storydesk.segment import sentences

    text = ("Police said as many as 9,000 people marched in Lyon on Saturday. "
            "In Nantes, a further 9,000 people joined the protests. "
            "Organisers said as many as 9,000 people marched in Lyon.")
    art = Article(id="a", outlet="o", title=None, url=None, published=None, language="en", raw_text=text, text=text)
    index = build_index([art], {"a": sentences(art)}, {}, use_embeddings=False)
    lyon, nantes, lyon_again = ((i, 0) for i in range(3))
    assert _same_article_clash(index, lyon, nantes)  # "a further 9,000" is a second crowd
    assert not _same_article_clash(index, lyon, lyon_again)  # the article restating its figure


def test_where_one_person_died_is_read_with_who_died() -> None:
    from storydesk.crosscheck.discrepancies import death_places

    assert death_places("Officers said the cyclist died on the way to the hospital.") == [
        ("on the way to hospital", ["the", "cyclist"])
    ]
    assert death_places("The rider, named as Ann Ruiz, was pronounced dead at the scene.") == [
        ("at the scene", ["The", "rider"])
    ]
    assert death_places("A man hit by the crane died in hospital.") == [
        ("in hospital", ["A", "man", "hit", "by", "the", "crane"])
    ]
    assert death_places("He was taken to St Luke's Hospital, where he later died.") == [("in hospital", ["he"])]
    assert death_places("The driver died of his injuries at home on Friday.") == [("at home", ["The", "driver"])]
    # several people, or several deaths placed in one sentence: no one person's place of death
    assert death_places("Two passengers died at the scene.") == []
    assert death_places("Ann Ruiz and her brother Tom Ruiz, both 40, died at the scene.") == []
    assert death_places("The victims died in hospital.") == []
    assert death_places("The workers at the plant died at the scene.") == []
    assert death_places("One man died at the scene and a second died in hospital.") == []


def test_one_death_placed_differently_by_two_outlets_is_flagged() -> None:
    cc = story(
        "The cyclist, named by police as Ann Ruiz, died at the scene of the crash on the ring road, officers said.",
        "Officers said the cyclist hit on the ring road died on the way to the hospital.",
    )
    places = [d for d in cc.discrepancies if d.kind == "place"]
    assert places, cc.discrepancies
    assert {v.value: v.sources for v in places[0].values} == {
        "at the scene": ("a0",), "on the way to hospital": ("a1",),
    }


def test_deaths_of_a_woman_and_a_man_placed_differently_are_not_flagged() -> None:
    cc = story(
        "A woman hit by the falling crane died at the scene on the building site, police said.",
        "A man hit by the falling crane on the building site died in hospital, police said.",
    )
    assert not [d for d in cc.discrepancies if d.kind == "place"]


def test_deaths_of_the_first_and_the_second_victim_are_not_one_death() -> None:
    cc = story(
        "The first victim of the crane collapse on the building site died at the scene, police said.",
        "The second victim of the crane collapse on the building site died in hospital, police said.",
    )
    assert not [d for d in cc.discrepancies if d.kind == "place"]


def test_ages_of_a_woman_and_a_man_are_not_one_age() -> None:
    cc = story(
        "Police named the injured as a 52-year-old woman and her neighbour, a driver from the town.",
        "Police named the injured as a 29-year-old man and his neighbour, a driver from the town.",
    )
    assert not [d for d in cc.discrepancies if d.subject == "age"], cc.discrepancies


def test_figures_ten_times_apart_count_different_things() -> None:
    cc = story(
        "Floods in the northern valley killed 14 people this week, officials in the province said.",
        "Floods in the northern valley this week recalled the 1998 floods that killed 3,000 people, officials said.",
    )
    assert not [d for d in cc.discrepancies if d.subject == "people killed"], cc.discrepancies


def test_a_sentence_giving_both_values_does_not_contradict_either() -> None:
    cc = story(
        "Police said 20,000 people marched through the port city on Saturday, organisers said 60,000.",
        "Organisers said 60,000 people marched through the port city on Saturday against the reform.",
    )
    assert not cc.discrepancies, cc.discrepancies


def test_a_forecast_is_not_set_against_the_outcome() -> None:
    cc = story(
        "Economists had expected factory output in the region to fall 3.1% in the third quarter, the agency said.",
        "Factory output in the region fell 4.6% in the third quarter, the statistics agency said.",
    )
    assert not cc.discrepancies, cc.discrepancies
