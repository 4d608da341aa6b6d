"""Script, HTML and Markdown injection from article fields into report.html and brief.md.

Titles, outlets, URLs and text come from the open web. report.html must carry no markup of theirs
and make no network request; brief.md must not turn their text into raw HTML, headings, images
or links with other schemes than http(s).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from storydesk.records import BriefSentence, Story, StoryArticle
from storydesk.report import write_reports

EVIL_OUTLET = '<img src=x onerror=alert(1)> [x](javascript:alert(1))'
EVIL_TITLE = "T <script>alert(1)</script> ![i](http://evil.example/t.png)\n# Injected heading"


def hostile_story() -> Story:
    arts = (
        StoryArticle(id="a1", outlet=EVIL_OUTLET, title=EVIL_TITLE, url="javascript:alert(1)", published=None),
        StoryArticle(id="b2", outlet="O", title="t2", url="https://ok.example/a> [click](javascript:alert(2)) <",
                     published=None),
    )
    brief = (BriefSentence(text="Said <b>x</b> [y](javascript:z) `code` <!-- c --> &lt;script&gt;", sources=("a1",)),)
    return Story(id="s1", title="Title\n\n<script>x</script>\n## Injected", articles=arts, brief=brief)


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "action", "srcset", "poster", "data") and value is not None:
                self.refs.append((tag, name, value))


def test_report_html_makes_no_request_and_links_only_http(tmp_path: Path, evil_set) -> None:  # type: ignore[no-untyped-def]
    story, arts = evil_set
    write_reports([story, hostile_story()], tmp_path, {a.id: a for a in arts})
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    parser = _Refs()
    parser.feed(page)
    for tag, name, value in parser.refs:
        # Nothing loads by itself: only <a href> (a click) may leave the page, and only to http(s);
        # the favicon is an inline data: URI.
        assert (tag == "a" and name == "href") or value.startswith("data:"), (tag, name, value)
        if tag == "a":
            assert value.startswith(("#", "http://", "https://")), value
    assert not any(v.strip().lower().startswith("javascript:") for _, _, v in parser.refs)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp and "default-src 'none'" in csp.group(1) and "connect-src" not in csp.group(1)
    assert "<script>alert" not in page and "<img src=x" not in page


def _unescaped(md: str, pattern: str) -> list[str]:
    """Matches of `pattern` not preceded by a Markdown backslash escape."""
    return [m.group(0) for m in re.finditer(r"(?<!\\)" + pattern, md)]


def test_brief_md_keeps_article_text_as_text(tmp_path: Path) -> None:
    write_reports([hostile_story()], tmp_path, {})
    md = (tmp_path / "brief.md").read_text(encoding="utf-8")
    assert not _unescaped(md, r"<(?:script|img|b|!--)"), "raw HTML from an article"
    assert not _unescaped(md, r"!\["), "an image (a network request) from an article"
    headings = [ln for ln in md.splitlines() if ln.startswith("#")]
    assert not any(re.match(r"#+\s*Injected", h) for h in headings), headings  # a newline made a heading
    assert not _unescaped(md, r"\[(?:x|y)\]\(javascript:"), "a link written inside article text"


def test_brief_md_links_only_http_urls(tmp_path: Path) -> None:
    write_reports([hostile_story()], tmp_path, {})
    md = (tmp_path / "brief.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(<?([^)>\s]*)", md)
    assert targets and all(t.startswith(("http://", "https://")) for t in targets), targets
    assert "[click](javascript:" not in md
