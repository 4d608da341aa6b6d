"""Which stories the English-only MiniLM embeds: the rest are aligned on word overlap."""

from __future__ import annotations

from typing import Any

from storydesk.brief import summarise
from storydesk.cluster import describe
from storydesk.crosscheck import crosscheck
from storydesk.embed import reads
from storydesk.pipeline import analyse_story
from storydesk.records import Article
from storydesk.settings import Settings

TEXTS = {
    "en": "The bridge in Havre reopened on Monday after two years of repairs, the city said.",
    "de": "Die Brücke in Havre wurde am Montag nach zwei Jahren Reparatur wieder eröffnet, teilte die Stadt mit.",
}


def test_minilm_reads_english_and_unknown_only() -> None:
    assert reads("en") and reads("en-GB") and reads(None)
    assert not reads("de") and not reads("pl")


def _embedded(languages: list[str]) -> bool:
    """Whether analyse_story runs the real cross-check of a story in these languages with MiniLM."""
    seen: list[bool] = []

    def recorded(arts: Any, syndicated: Any, settings: Settings) -> Any:
        seen.append(settings.embed)
        return crosscheck(arts, syndicated, settings)

    arts = [
        Article(id=f"a{k}", outlet=f"Outlet {k}", title="Havre bridge", url=None, published=None,
                language=lang, raw_text=TEXTS[lang], text=TEXTS[lang])
        for k, lang in enumerate(languages)
    ]
    story = analyse_story("s1", arts, {}, Settings(embed=True), describe, recorded, summarise)
    assert story.brief  # the whole analysis ran, brief included
    return seen[0]


def test_a_story_with_an_article_minilm_cannot_read_is_aligned_on_words() -> None:
    assert _embedded(["en", "en"])
    assert not _embedded(["en", "de"])
    assert not _embedded(["de", "de"])
