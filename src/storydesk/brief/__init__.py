"""Brief: the consolidated, cited summary of one story.

`summarise()` is what the pipeline calls. It is extractive (offline, deterministic) unless an
OpenAI-compatible endpoint is configured (`settings.llm_url` and `settings.llm_model`), in which
case it asks that model for an abstractive brief, checks every sentence with the faithfulness
guard (`brief/guard.py`) and falls back to the extractive brief if the call or the guard fails.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from storydesk.brief.extractive import summarise_extractive
from storydesk.records import Article, BriefSentence, CrossCheck
from storydesk.settings import Settings


def llm_configured(settings: Settings) -> bool:
    """True when both an endpoint URL and a model name are set (nothing is called otherwise)."""
    return bool(settings.llm_url and settings.llm_model)


def summarise(
    articles: Sequence[Article],
    cross: CrossCheck,
    syndicated: Mapping[str, str | None],
    settings: Settings,
) -> tuple[BriefSentence, ...]:
    """The brief of one story: about `settings.brief_words` words, every sentence citing every
    article that supports it.

    Args:
        articles: the story's cleaned articles.
        cross: the story's cross-check (claims may be empty).
        syndicated: article id -> id of the article it copies, or None.
        settings: `brief_words`, `embed`, and the optional `llm_url` / `llm_model` / `llm_api_key`.
    """
    if llm_configured(settings):
        from storydesk.brief.llm import summarise_llm

        return summarise_llm(articles, cross, syndicated, settings)
    return summarise_extractive(articles, cross, syndicated, settings)


__all__ = ["llm_configured", "summarise", "summarise_extractive"]
