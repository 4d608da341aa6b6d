"""Property: whatever text articles carry, report.html contains only the markup we wrote."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storydesk.records import (
    BriefSentence,
    Discrepancy,
    DiscrepancyValue,
    Entity,
    Exclusive,
    Quote,
    Story,
    StoryArticle,
    TimelineEvent,
)
from storydesk.report import render_html

ALLOWED_TAGS = {
    "html", "head", "meta", "link", "title", "style", "body", "header", "main", "nav", "span", "a", "h1",
    "h2", "h3", "p", "ol", "ul", "li", "article", "section", "button", "q", "em", "strong", "table",
    "thead", "tbody", "tr", "th", "td", "div", "blockquote", "mark", "details", "summary", "script", "br",
}

TOKENS = [*"<>\"'&=/ :;()", "script", "onerror", "img", "href", "javascript", "x", "</", "<!--", "-->",
          "]]>", "\n", "é", "“"]
hostile = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=14).map("".join)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=hostile, text=hostile, outlet=hostile, url=hostile, speaker=hostile)
def test_no_markup_from_articles(title: str, text: str, outlet: str, url: str, speaker: str) -> None:
    aid = "a1"
    story = Story(
        id=title or "s", title=title,
        articles=(StoryArticle(id=aid, outlet=outlet, title=title, url=url, published=text),),
        brief=(BriefSentence(text=text, sources=(aid,)),),
        discrepancies=(Discrepancy(kind=text, subject=title, values=(
            DiscrepancyValue(value=text, text=text, sources=(aid,), attributed_to=(speaker,)),)),),
        quotes=(Quote(speaker=speaker, text=text, sources=(aid,)),),
        entities=(Entity(name=speaker, type=text, variants=(title,), sources=(aid,)),),
        timeline=(TimelineEvent(text=text, sources=(aid,), order=0, expression=title),),
        exclusive=(Exclusive(text=text, source=aid),),
        keywords=(title,),
    )
    html = render_html([story], {})
    parser = _Tags()
    parser.feed(html)
    tags = [t for t, _ in parser.tags]
    assert set(tags) <= ALLOWED_TAGS, set(tags) - ALLOWED_TAGS
    assert tags.count("script") == 1 and tags.count("style") == 1
    for _tag, attrs in parser.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (name, value)
            if name == "href" and value:
                assert value.startswith(("#", "http://", "https://", "data:,")), value
