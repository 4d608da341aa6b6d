"""Number extraction and normalisation: words, digits, ranges, hedges, units, compatibility."""

from __future__ import annotations

import math

import pytest

from storydesk.crosscheck.numbers import comparable, compatible, extract_quantities


def one(text: str):
    qs = extract_quantities(text)
    assert len(qs) == 1, [q.label() for q in qs]
    return qs[0]


@pytest.mark.parametrize(
    ("text", "value", "label"),
    [
        ("the blast killed seven people", 7, "7"),
        ("twenty-five people were hurt", 25, "25"),
        ("two dozen people were hurt", 24, "24"),
        ("the fund holds 1.5 million dollars", 1_500_000, "$1.5 million"),
        ("a town home to 20, 000 people", 20_000, "20,000"),
        ("a town home to 20,000 people", 20_000, "20,000"),
        ("the storm killed 12 people", 12, "12"),
    ],
)
def test_words_and_digits_normalise(text: str, value: float, label: str) -> None:
    q = one(text)
    assert q.value == value
    assert q.label() == label
    assert text[q.start : q.end] == q.text


@pytest.mark.parametrize(
    ("text", "hedge", "bound", "low", "high"),
    [
        ("at least nine people were killed", "at least", "lower", 9, math.inf),
        ("more than 300 people were arrested", "more than", "lower", 300, math.inf),
        ("up to 40 people were injured", "up to", "upper", 0, 40),
        ("nearly 50 people were injured", "nearly", "nearly", 45, 50),
        ("around 90 people were killed", "around", "approx", 85, 95),
        ("about 200 people were evacuated", "about", "approx", 150, 250),  # rounded to hundreds
    ],
)
def test_hedges_make_intervals(text: str, hedge: str, bound: str, low: float, high: float) -> None:
    q = one(text)
    assert (q.hedge, q.bound) == (hedge, bound)
    assert q.low == pytest.approx(low)
    assert q.high == pytest.approx(high)


def test_reportedly_is_kept_but_does_not_change_the_value() -> None:
    q = one("the raid, reportedly killing seven people")
    assert "reportedly" in q.hedge
    assert q.label() == "7"
    assert (q.low, q.high) == (7, 7)


@pytest.mark.parametrize("text", ["between 5 and 7 people died", "5-7 people died", "5 to 7 people died"])
def test_ranges(text: str) -> None:
    q = one(text)
    assert q.bound == "range"
    assert (q.low, q.high) == (5, 7)
    assert q.predicate == "killed"


def test_tally_is_not_a_range() -> None:
    q = one("The Senate voted 52-48 to confirm her")
    assert q.bound == "tally"
    assert q.label() == "52-48"
    hyphenated = one("In a 214-to-197 vote, the chamber passed the bill")
    assert (hyphenated.bound, hyphenated.label()) == ("tally", "214-197")


def test_units_and_currencies() -> None:
    assert one("located 1,150 kilometers from the capital").unit == "km"
    assert one("about 940 miles south of the capital").unit == "mi"
    assert one("gems worth 85 million euros").unit == "EUR"
    assert one("snatched $108 million worth of rings").unit == "USD"
    assert one("a 12% increase").unit == "%"
    assert one("a 5.6 magnitude earthquake hit the coast").unit == "mag"
    assert one("the 39-year-old man was charged").unit == "age"


def test_durations_compare_across_units() -> None:
    a = one("a little more than 24 hours after the raids")
    b = one("two days after the raids")
    assert a.unit == b.unit == "duration"
    assert b.value == 48
    assert comparable(a, b) and not compatible(a, b)
    assert b.label() == "2 days" and one("within 36 hours").label() == "36 hours"


def test_years_and_days_of_month_are_not_counts() -> None:
    assert extract_quantities("In 2019 the city grew.") == ()
    assert extract_quantities("the 3 January attack on the city") == ()


def test_counted_event() -> None:
    killed, injured = extract_quantities("the quake killed 10 people and injured 80")
    assert (killed.predicate, injured.predicate) == ("killed", "injured")
    assert not comparable(killed, injured)


def test_update_is_marked() -> None:
    assert one("the death toll rose to 10").update
    assert not one("the quake killed 10 people").update


def test_scoped_counts_are_marked() -> None:
    assert one("Four people were killed (including the gunman)").scoped
    women, children = extract_quantities("Three women and four children were killed")
    assert women.scoped and children.scoped


@pytest.mark.parametrize(
    ("a", "b", "ok"),
    [
        ("at least 9 people were killed", "7 people were killed", False),
        ("at least 7 people were killed", "9 people were killed", True),
        ("around 90 people were killed", "84 people were killed", False),
        ("roughly $1.4 trillion in funding", "a $1.37 trillion package", True),
        ("between 5 and 7 people died", "6 people died", True),
        ("more than 26,000 people were killed", "more than 31,000 people were killed", False),
        ("up to 40 people were injured", "35 people were injured", True),
        ("7 people were killed", "seven people were killed", True),
    ],
)
def test_compatibility(a: str, b: str, ok: bool) -> None:
    qa, qb = one(a), one(b)
    assert comparable(qa, qb)
    assert compatible(qa, qb) is ok


def test_different_units_are_not_comparable() -> None:
    assert not comparable(one("a chase of 30 miles"), one("a chase of 48 km"))
    assert not comparable(one("worth $108 million"), one("worth 85 million euros"))


def test_ages_a_year_apart_are_compatible() -> None:
    assert compatible(one("the 38-year-old man"), one("the 39-year-old man"))
    assert not compatible(one("the 38-year-old man"), one("the 48-year-old man"))


def test_record_round_trips() -> None:
    q = one("at least nine people were killed")
    assert type(q).from_dict(q.to_dict()) == q


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("The quake hit the coast, killing at least 10 people, injuring dozens more.", ["count:killed"]),
        ("Gunmen raided the village, killing at least three people and injuring others.", ["count:killed"]),
        ("The storm left 3 dead and 15 injured.", ["count:killed", "count:injured"]),
        ("An explosion killed 3 people and 15 were injured.", ["count:killed", "count:injured"]),
    ],
)
def test_verb_before_a_figure_governs_it_up_to_the_next_clause(text: str, keys: list[str]) -> None:
    assert [q.key for q in extract_quantities(text)] == keys


def test_a_crowd_put_at_a_figure_counts_people() -> None:
    from storydesk.crosscheck.numbers import extract_quantities

    for text in ("Police put the march, held during a 24-hour strike, at roughly 30,000.",
                 "Organisers estimated the crowd at 5,000.", "A crowd of 2,000 gathered outside."):
        counts = [q for q in extract_quantities(text) if q.value >= 1000]
        assert counts and counts[0].noun == "people", text
    # a figure that is not a crowd size stays unnamed, and a named count keeps its noun
    assert [q.noun for q in extract_quantities("The price was put at 30,000.")] == [""]
    assert [q.noun for q in extract_quantities("In March at least 30,000 applied.")] == [""]
    assert [q.noun for q in extract_quantities("The rally drew 300 students.")] == ["students"]


def test_a_quake_measured_or_on_the_richter_scale_is_a_magnitude() -> None:
    from storydesk.crosscheck.numbers import extract_quantities

    for text in ("The earthquake measured 6.1, the survey said.",
                 "The quake, which registered 5.8 on the Richter scale, hit at dawn.",
                 "It was 5.6 on the open-ended Richter scale, the seismology centre said."):
        assert [q.unit for q in extract_quantities(text) if q.value < 10] == ["mag"], text
    # "measured" without a quake in the sentence is no magnitude
    assert "mag" not in [q.unit for q in extract_quantities("The wall measured 6.1 by 3 metres.")]


def test_a_scale_word_joined_by_a_hyphen_scales_the_figure() -> None:
    (q,) = extract_quantities("Thieves made off with a $95-million haul of watches.")
    assert (q.value, q.unit) == (95_000_000, "USD")
    (q,) = extract_quantities("a 20-million-euro contract")
    assert (q.value, q.unit) == (20_000_000, "EUR")


def test_a_range_with_one_scale_word_scales_both_ends() -> None:
    (q,) = extract_quantities("between 5-6 million people lost power")
    assert (q.low, q.high) == (5_000_000, 6_000_000)
    (q,) = extract_quantities("from 500 to 2 million people")  # a rising range: the low end stays
    assert (q.low, q.high) == (500, 2_000_000)


def test_a_page_time_stamp_states_no_time_of_the_event() -> None:
    for stamp in ("Last Updated: Monday, 28 November 2005, 02:24 GMT", "Updated 4 / 11 / 2007 1:26 PM",
                  "Wed May 5, 2010 7: 12pm BST"):
        assert not [q for q in extract_quantities(stamp) if q.unit == "time"], stamp
    (q,) = extract_quantities("The gunman walked in at 10 a.m. on Monday.")
    assert q.label() == "10:00"


def test_a_count_of_more_victims_is_an_increment_not_a_toll() -> None:
    (q,) = extract_quantities("Rescuers found the bodies of three more victims on Tuesday.")
    assert q.update
    (q,) = extract_quantities("Eight people died, more than in any storm this decade.")
    assert not q.update


def test_a_degree_quake_is_a_magnitude_and_no_count_is_fractional() -> None:
    mag, toll = extract_quantities("The town was razed by a 6.3 degree quake that killed 4,100 people.")
    assert (mag.unit, mag.value) == ("mag", 6.3)
    assert (toll.predicate, toll.value) == ("killed", 4100)
    assert not extract_quantities("On average 2.5 people per household were killed.")


@pytest.mark.parametrize(
    "text",
    [
        "The officer was shot outside a house in the 4300 block of Elm Street.",
        "Anyone with information should call 0800 555 0199.",
        "Detectives recovered a .38-caliber revolver and a 9mm pistol.",
        "Police made an arrest in a 27-year-old cold case on Friday.",
        "Updated 6: 15 p. m. ET",
    ],
)
def test_labels_are_not_figures(text: str) -> None:
    assert not extract_quantities(text), [q.label() for q in extract_quantities(text)]


def test_a_glued_m_is_millions_after_a_currency_and_metres_otherwise() -> None:
    (money,) = extract_quantities("The club paid £45m for the striker.")
    assert (money.value, money.unit) == (45_000_000, "GBP")
    (fall,) = extract_quantities("The climber fell about 80m from the ridge.")
    assert (fall.value, fall.unit) == (80, "m")


def test_a_forecast_and_a_rate_are_marked() -> None:
    (q,) = extract_quantities("Analysts had expected the jobless rate to reach 7.2% in March.")
    assert q.forecast and not q.rate
    (q,) = extract_quantities("Hospitals reported about 300 admissions a day last week.")
    assert q.rate and not q.forecast
    (q,) = extract_quantities("The storm killed 14 people a day after it made landfall.")
    assert not q.rate  # "a day after" dates the deaths; it is no rate
