"""brief.md: citations on every sentence, the discrepancy and one-outlet sections, sources."""

from __future__ import annotations

import re

from storydesk.brief import summarise
from storydesk.records import (
    BriefSentence,
    CrossCheck,
    Discrepancy,
    DiscrepancyValue,
    Exclusive,
    Story,
    StoryArticle,
)
from storydesk.report.markdown import differences, disputed, only_one, render_markdown, write_markdown
from storydesk.settings import Settings


def story() -> Story:
    arts = (
        StoryArticle("a1", "Al Jazeera", "Pakistan strikes Iran", "https://aj.example/1", "2024-01-18"),
        StoryArticle("b2", "BBC", "Pakistan hits back", "https://bbc.example/2", "2024-01-18"),
        StoryArticle("c3", "Reprint Daily", "Pakistan hits back", None, None, syndicated_from="b2"),
        StoryArticle("d4", "Time", "Strikes on militants", "https://time.example/4", "2024-01-18"),
    )
    return Story(
        id="s1", title="Pakistan strikes Iran", articles=arts,
        brief=(BriefSentence("Pakistan launched missile strikes on Iran on Thursday.", ("a1", "b2", "d4")),
               BriefSentence("Tehran summoned Pakistan's envoy.", ("b2",)),
               BriefSentence("Pakistan has launched strikes into Iran, reportedly killing seven people.",
                             ("a1", "d4"))),
        discrepancies=(
            Discrepancy("number", "people killed in Pakistan's strikes", (
                DiscrepancyValue("7", "Pakistan has launched strikes into Iran, reportedly killing seven "
                                 "people.", ("a1", "d4")),
                DiscrepancyValue("at least 9", "Pakistan launched air strikes on Iran, reportedly killing "
                                 "at least nine people.", ("b2",), attributed_to=("Iranian state media",)),
            )),
            Discrepancy("place", "single value only", (DiscrepancyValue("Saravan", "x", ("a1",)),)),
        ),
        exclusive=(Exclusive("Markets in Karachi closed slightly lower.", "d4"),),
    )


def test_every_brief_sentence_carries_citations_mapped_to_sources():
    md = render_markdown([story()])
    assert "Pakistan launched missile strikes on Iran on Thursday. [1][2][4]" in md
    assert "Tehran summoned Pakistan's envoy. [2]" in md
    assert "1. **Al Jazeera**: [Pakistan strikes Iran](<https://aj.example/1>)" in md
    assert "3. **Reprint Daily**: Pakistan hits back (copy of [2])" in md


def test_where_sources_differ_lists_each_value_with_outlets_and_text():
    md = render_markdown([story()])
    section = md.split("### Where sources differ")[1].split("###")[0]
    assert "**people killed in Pakistan's strikes** (number)" in section
    assert ("**7**: Al Jazeera, Time [1][4]: “Pakistan has launched strikes into Iran, reportedly "
            "killing seven people.”") in section
    assert "**at least 9**: BBC, attributed to Iranian state media [2]" in section
    assert "single value only" not in section


def test_reported_by_one_outlet_only_section():
    md = render_markdown([story()])
    section = md.split("### Reported by one outlet only")[1].split("###")[0]
    assert "- Markets in Karachi closed slightly lower. (Time) [4]" in section


def test_sections_are_left_out_when_empty(tmp_path):
    bare = Story(id="s2", title="Quiet story", articles=(StoryArticle("z", "Z", "t", None, None),))
    path = write_markdown([story(), bare], tmp_path / "out" / "brief.md")
    md = path.read_text(encoding="utf-8")
    assert md.count("### Where sources differ") == 1
    assert md.count("### Reported by one outlet only") == 1
    assert "## Quiet story" in md and "No brief could be written" in md


def test_helpers_resolve_outlets():
    diffs = differences(story())
    assert [d.subject for d in diffs] == ["people killed in Pakistan's strikes"]
    assert [(r.number, r.outlet) for r in diffs[0].values[0].sources] == [(1, "Al Jazeera"), (4, "Time")]
    singles = only_one(story())
    assert singles[0].source.outlet == "Time" and singles[0].source.number == 4


def test_markup_in_article_text_is_escaped():
    s = Story(id="s3", title="A <b>bold</b> # title", articles=(StoryArticle("q", "Q", "t", None, None),),
              brief=(BriefSentence("Costs rose *sharply* [sic] in <script>x</script>.", ("q",)),))
    md = render_markdown([s])
    assert "<script>" not in md and "<b>" not in md
    assert "\\*sharply\\* \\[sic\\]" in md


def test_seed_brief_renders_with_a_citation_on_every_sentence(seed_articles):
    brief = summarise(seed_articles, CrossCheck(), {}, Settings(embed=False, brief_words=120))
    arts = tuple(StoryArticle(a.id, a.outlet, a.title, a.url, a.published) for a in seed_articles)
    md = render_markdown([Story(id="seeds", title="Seeds", articles=arts, brief=brief)])
    lines = md.split("### Brief")[1].split("###")[0].strip().splitlines()
    lines = [ln for ln in lines if ln.strip()]
    assert len(lines) == len(brief) >= 3
    assert all(re.search(r"(\[\d+\])+$", ln) for ln in lines)


def test_a_sentence_stating_a_disputed_number_names_its_outlets():
    md = render_markdown([story()])
    brief = md.split("### Brief")[1].split("###")[0]
    assert ("Pakistan has launched strikes into Iran, reportedly killing seven people. [1][4] "
            "(per Al Jazeera, Time)") in brief
    # undisputed sentences carry their numbers only
    assert "Pakistan launched missile strikes on Iran on Thursday. [1][2][4]\n" in brief
    assert disputed(story(), story().brief[2]) and not disputed(story(), story().brief[0])


def test_only_http_urls_become_links_and_cannot_break_out():
    arts = (
        StoryArticle("j", "J", "Click me", "javascript:alert(1)", None),
        StoryArticle("k", "K", "Breakout", "https://ok.example/a> [click](javascript:alert(2)) <", None),
        StoryArticle("d", "D", "Data", "data:text/html,<script>x</script>", None),
        StoryArticle("h", "H", "Fine", "https://news.example/a?b=1&c=d#e", None),
    )
    md = render_markdown([Story(id="s", title="t", articles=arts)])
    sources = md.split("### Sources")[1]
    assert "1. **J**: Click me" in sources and "javascript:alert(1)" not in md
    assert "3. **D**: Data" in sources and "data:" not in md
    assert "[click](javascript:" not in md
    assert "[Breakout](<https://ok.example/a%3E%20%5Bclick%5D%28javascript:alert%282%29%29%20%3C>)" in sources
    assert "[Fine](<https://news.example/a?b=1&c=d#e>)" in sources
    # every link destination in the file is http(s)
    assert all(t.startswith(("http://", "https://")) for t in re.findall(r"\]\(<?([^)>\s]*)", md))


def test_an_escaped_bracket_never_reads_as_a_link():
    s = Story(id="s", title="t", articles=(StoryArticle("q", "Q", "t", None, None),),
              brief=(BriefSentence("See [x](javascript:z) now.", ("q",)),))
    md = render_markdown([s])
    assert "\\[x\\]\\(javascript:z) now." in md
    assert "](" not in md.split("### Sources")[0]


def test_citations_follow_the_source_list_order_and_untitled_sources_show_their_id():
    s = story()
    d = s.discrepancies[0]
    swapped = Discrepancy(d.kind, d.subject, (
        DiscrepancyValue("7", d.values[0].text, ("d4", "a1")), d.values[1]))
    arts = (*s.articles, StoryArticle("e5", "Wire", None, None, None))
    s = Story(id=s.id, title=s.title, articles=arts, discrepancies=(swapped,),
              brief=(BriefSentence("Pakistan launched missile strikes on Iran on Thursday.", ("d4", "b2", "a1")),))
    md = render_markdown([s])
    assert "on Thursday. [1][2][4]" in md
    assert "**7**: Al Jazeera, Time [1][4]" in md
    assert "5. **Wire**: untitled article e5\n" in md
