"""Date expressions: finding them in text and resolving them against an article's frame."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from storydesk.crosscheck.dates import DateRange, find_dates, resolve

# Friday 8 March 2024, 14:00 UTC: a publication time
FRI = datetime(2024, 3, 8, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expr", "start", "end"),
    [
        ("on Friday", date(2024, 3, 8), date(2024, 3, 8)),  # same day in a Friday report
        ("late on Tuesday", date(2024, 3, 5), date(2024, 3, 5)),
        ("Wednesday night", date(2024, 3, 6), date(2024, 3, 6)),
        ("last Friday", date(2024, 3, 1), date(2024, 3, 1)),
        ("next Monday", date(2024, 3, 11), date(2024, 3, 11)),
        ("yesterday", date(2024, 3, 7), date(2024, 3, 7)),
        ("today", date(2024, 3, 8), date(2024, 3, 8)),
        ("earlier this month", date(2024, 3, 1), date(2024, 3, 8)),
        ("last week", date(2024, 2, 26), date(2024, 3, 3)),
        ("last month", date(2024, 2, 1), date(2024, 2, 29)),
        ("3 March", date(2024, 3, 3), date(2024, 3, 3)),
        ("March 3, 2023", date(2023, 3, 3), date(2023, 3, 3)),
        ("Feb. 29", date(2024, 2, 29), date(2024, 2, 29)),
        ("2024-02-11", date(2024, 2, 11), date(2024, 2, 11)),
        ("2024-02-11T22:15:00Z", date(2024, 2, 11), date(2024, 2, 11)),
        ("two days ago", date(2024, 3, 6), date(2024, 3, 6)),
        ("in early March", date(2024, 3, 1), date(2024, 3, 10)),
    ],
)
def test_resolve_against_publication_time(expr: str, start: date, end: date) -> None:
    r = resolve(expr, FRI)
    assert r is not None, expr
    assert (r.start, r.end) == (start, end)


def test_vague_expressions_stay_ranges_and_are_not_exact() -> None:
    r = resolve("earlier this month", FRI)
    assert r == DateRange(date(2024, 3, 1), date(2024, 3, 8), "span", False)
    assert r.iso() == "2024-03-01/2024-03-08"
    assert resolve("last week", FRI).exact is False  # type: ignore[union-attr]
    assert resolve("late on Tuesday", FRI).exact is True  # type: ignore[union-attr]


def test_offsets_are_relative_to_a_dated_event() -> None:
    event = date(2024, 3, 5)
    assert resolve("two days after", event) == DateRange(date(2024, 3, 7), date(2024, 3, 7), "day", True)
    assert resolve("three days before", event).start == date(2024, 3, 2)  # type: ignore[union-attr]
    hedged = resolve("a little more than 24 hours after", event)
    assert hedged is not None and hedged.start == date(2024, 3, 6) and not hedged.exact
    assert resolve("the day before", event).start == date(2024, 3, 4)  # type: ignore[union-attr]


def test_relative_expressions_need_an_anchor_absolute_ones_do_not() -> None:
    assert resolve("on Thursday", None) is None
    assert resolve("yesterday", None) is None
    assert resolve("3 March", None) is None  # no year to give it
    assert resolve("March 3, 2023", None) == DateRange(date(2023, 3, 3), date(2023, 3, 3), "day", True)


def test_day_month_without_year_takes_the_year_of_the_frame() -> None:
    new_year = datetime(2024, 1, 4)
    assert resolve("29 December", new_year).start == date(2023, 12, 29)  # type: ignore[union-attr]
    assert resolve("2 January", new_year).start == date(2024, 1, 2)  # type: ignore[union-attr]


def test_not_dates() -> None:
    assert resolve("the minister", FRI) is None
    assert resolve("31 February", FRI) is None


def test_find_dates_offsets_and_expressions() -> None:
    text = (
        "Flooding hit the valley late on Tuesday, two days after the dam was inspected. "
        "Earlier this month, on 12 February 2024, officials warned. They may meet again in March."
    )
    found = find_dates(text)
    exprs = [e for _, _, e in found]
    assert exprs == ["late on Tuesday", "two days after", "Earlier this month", "12 February 2024", "in March"]
    for s, e, x in found:
        assert text[s:e] == x


def test_find_dates_ignores_modal_may_and_bare_numbers() -> None:
    assert find_dates("Officials may release 300 prisoners, the court said.") == []


def test_month_and_year_offsets_count_calendar_months_and_stay_ranges() -> None:
    crash = date(2023, 3, 10)
    assert resolve("a month after", crash) == DateRange(date(2023, 4, 1), date(2023, 4, 30), "month", False)
    assert resolve("six months before", crash) == DateRange(date(2022, 9, 1), date(2022, 9, 30), "month", False)
    # the last day of a month plus a month is the next month, not the one after (30 days would be)
    assert resolve("a month after", date(2023, 1, 31)).start == date(2023, 2, 1)  # type: ignore[union-attr]
    # a year after New Year's Day of a leap year is the next year (365 days stop on 31 December)
    assert resolve("a year after", date(2024, 1, 1)) == DateRange(date(2025, 1, 1), date(2025, 12, 31), "year", False)
    assert resolve("two weeks after", crash) == DateRange(date(2023, 3, 24), date(2023, 3, 24), "day", True)
    assert resolve("9999 years after", crash) is None  # past the calendar's end


def test_later_than_planned_is_not_a_date() -> None:
    assert find_dates("The bridge opened two days later than planned.") == []
    assert find_dates("The report came out three days earlier than scheduled.") == []
    assert [e for _, _, e in find_dates("It opened on Monday, a week later than expected.")] == ["on Monday"]
    assert [e for _, _, e in find_dates("Two days later, the bridge opened.")] == ["Two days later"]
