"""Fixtures for the brief tests: seed articles and small hand-written stories, built in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from storydesk.records import Article


def make_article(aid: str, outlet: str, text: str, title: str | None = None,
                 published: str | None = None) -> Article:
    """An already-cleaned article (the brief stage's input)."""
    return Article(id=aid, outlet=outlet, title=title, url=f"https://{outlet}.example/{aid}",
                   published=published, language="en", raw_text=text, text=text)


@pytest.fixture(scope="session")
def seed_articles(seeds_dir: Path) -> list[Article]:
    """The five seed reports as articles, uncleaned (so chrome is still in them)."""
    out = []
    for i, p in enumerate(sorted(seeds_dir.glob("*.txt"))):
        out.append(make_article(f"seed{i}", f"outlet{i}", p.read_text(encoding="utf-8")))
    return out


@pytest.fixture()
def same_fact_story() -> list[Article]:
    """Three outlets report one fact in different words; a fourth reports a different toll."""
    return [
        make_article("a1", "alpha", "Pakistan launched missile strikes on Iran on Thursday, killing nine "
                     "people near the border town of Saravan. The foreign ministry in Islamabad said the "
                     "targets were militant hideouts. Weather in the region was cold and dry."),
        make_article("b2", "beta", "On Thursday Pakistan carried out missile strikes on Iran that killed "
                     "nine people near the border town of Saravan. Markets in Karachi closed slightly "
                     "lower as traders watched the news. Officials gave few other details."),
        make_article("c3", "gamma", "Nine people were killed when Pakistan launched missile strikes on Iran "
                     "near the border town of Saravan on Thursday. Tehran summoned the Pakistani envoy "
                     "to protest against the attack. The two countries share a long frontier."),
        make_article("d4", "delta", "Pakistan launched missile strikes on Iran on Thursday, killing seven "
                     "people near the border town of Saravan. Iranian state television said the dead "
                     "were three women and four children."),
    ]
