"""What the clusterer embeds: the headline and the lead, without the page furniture above it."""

from __future__ import annotations

import pytest

from storydesk.cluster.features import lead, lead_text
from storydesk.records import Article


@pytest.mark.parametrize(("text", "want"), [
    # date/time stamps of the kinds pages print above the story (ECB+ train's openings)
    ("First Published: June 13, 2013 4: 59 PM EDT\nLindsay Lohan has left the clinic.", "Lindsay Lohan"),
    ("THURSDAY, DECEMBER 3, 2009, 9: 36 AM\nRewards total $50,000.", "Rewards total"),
    ("04 / 04 / 2012\nAccording to the studio, talks go on.", "According to"),
    ("Story Created: Aug 7, 2012 at 9: 56 AM AKDT\nALASKA - Shortly after 3: 30 a fire broke out.", "Shortly after"),
    # bylines and photo captions
    ("By Jane Smith and Omar Khan\nThe fire began at dawn.", "The fire began"),
    ("Image copyright Getty Images Image caption Rescuers search the rubble\nThe quake struck at 9pm.", "The quake"),
    # datelines
    ("WASHINGTON (Reuters) - The Senate voted on Tuesday.", "The Senate voted"),
    ("LONDON — Police said two men were held.", "Police said"),
    ("(CNN) -- A strong quake hit Qeshm.", "A strong quake"),
])
def test_page_furniture_above_the_story_is_dropped(text: str, want: str) -> None:
    assert lead_text(text).startswith(want)


@pytest.mark.parametrize("text", [
    "Paris: Jewellery worth millions was stolen from a shop.",  # a place and a colon: the headline's own
    "NASA: the probe reached orbit.",
    "He was 33.\nHis family asked for privacy.",  # a short line of the story, with a number
    "March 2009 was the coldest on record.",
    "US - Mexico talks resume on Monday.",
    "",
])
def test_the_story_itself_is_kept(text: str) -> None:
    assert lead_text(text) == text


def test_lead_joins_headline_and_cleaned_lead() -> None:
    a = Article(id="x", outlet=None, title="Quake hits Qeshm", url=None, published=None, language="en",
                raw_text="", text="Updated 4: 08 p. m. ET\nBy Sam Lee\nA quake struck Qeshm island.")
    assert lead(a) == "Quake hits Qeshm. A quake struck Qeshm island."
