"""The story page's timeline chart: an inline SVG with one row per outlet and one mark per dated
timeline entry and outlet reporting it, drawn from a story built here (no pipeline run)."""

from __future__ import annotations

from html.parser import HTMLParser

from storydesk.records import Story, StoryArticle, TimelineEvent
from storydesk.report import render_html
from storydesk.report.view import TimelineChartConfig, story_view

HOSTILE = 'Troops <script>alert("t")</script> crossed <img src=x onerror=alert(1)> & "left"'


class _Svg(HTMLParser):
    """The chart's rows, marks (shape, attributes, tooltip) and tick labels, from the page's HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.svgs = 0
        self.in_chart = False
        self.stack: list[str] = []  # classes of the open <g>s
        self.rows: list[str] = []
        self.marks: list[dict[str, str]] = []
        self.ticks: list[str] = []
        self.tags: list[str] = []
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "svg":
            self.svgs += 1
            self.in_chart = True
            self.viewbox, self.width = a.get("viewbox", ""), a.get("width", "")
        if not self.in_chart:
            return
        self.tags.append(tag)
        if tag == "g":
            self.stack.append(a.get("class", ""))
            if "tlc-mark" in a.get("class", ""):
                self.marks.append({"class": a["class"]})
        elif tag in ("circle", "rect") and self.stack and "tlc-mark" in self.stack[-1]:
            self.marks[-1].update(a, shape=tag)
        self._text = []

    def handle_endtag(self, tag: str) -> None:
        if not self.in_chart:
            return
        text = "".join(self._text)
        top = self.stack[-1] if self.stack else ""
        if tag == "title" and "tlc-mark" in top:
            self.marks[-1]["title"] = text
        elif tag == "title" and "tlc-row" in top:
            self.rows.append(text)
        elif tag == "text" and "tlc-tick" in top:
            self.ticks.append(text)
        elif tag == "g":
            self.stack.pop()
        elif tag == "svg":
            self.in_chart = False

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def _story(timeline: tuple[TimelineEvent, ...]) -> Story:
    arts = (
        StoryArticle(id="a1", outlet="Reuters", title="t1", url="https://reuters.example/1", published=None),
        StoryArticle(id="a2", outlet="BBC News", title="t2", url="https://bbc.example/2", published=None),
        StoryArticle(id="a3", outlet="Reuters", title="t3", url="https://reuters.example/3", published=None),
        StoryArticle(id="a4", outlet='<b>Evil</b> "Outlet"', title="t4", url=None, published=None),
    )
    return Story(id="s-chart", title="A story", articles=arts, timeline=timeline)


DATED = (
    TimelineEvent(text="Talks opened.", sources=("a1", "a2"), order=0, date="2024-01-10", resolved=True),
    TimelineEvent(text="Nobody knows when.", sources=("a1",), order=1, expression="some day"),
    TimelineEvent(text=HOSTILE, sources=("a4",), order=2, date="2024-01-12T09:30:00+02:00", resolved=False),
    # two articles of one outlet: one mark for that outlet
    TimelineEvent(text="A week of strikes.", sources=("a2", "a3", "a1"), order=3, date="2024-01-14",
                  date_end="2024-01-20", resolved=True),
    TimelineEvent(text="A garbled date.", sources=("a2",), order=4, date="2024-13-45", resolved=True),
)


def _chart(html: str) -> _Svg:
    p = _Svg()
    p.feed(html[html.index('class="timeline-section"'):])
    return p


def test_chart_has_a_row_per_outlet_and_a_mark_per_dated_entry_and_outlet() -> None:
    p = _chart(render_html([_story(DATED)], {}))
    assert p.svgs == 1
    assert p.rows == ["Reuters", "BBC News", '<b>Evil</b> "Outlet"']
    # entry 0: 2 outlets, entry 2: 1, entry 3: 2 outlets (Reuters twice counts once); undated and
    # unparseable entries draw nothing
    assert len(p.marks) == 5
    titles = [m["title"] for m in p.marks]
    assert sum("Talks opened." in t for t in titles) == 2
    assert sum("A week of strikes." in t for t in titles) == 2
    assert not any("Nobody knows" in t or "garbled" in t for t in titles)
    bars = [m for m in p.marks if m["shape"] == "rect"]
    assert len(bars) == 2 and all(float(b["width"]) > 0 for b in bars)
    assert all("2024-01-14 – 2024-01-20" in b["title"] for b in bars)
    dots = [m for m in p.marks if m["shape"] == "circle"]
    # time runs left to right: the 10th before the 12th, the range starting after both
    x = {m["title"].split(":")[0][:10]: float(m.get("cx") or m.get("x") or 0) for m in p.marks}
    assert x["2024-01-10"] < x["2024-01-12"] < x["2024-01-14"]
    assert any("tlc-approx" in m["class"] for m in dots)  # the unresolved entry is drawn hollow
    assert p.ticks[0] == "2024-01-10" and p.ticks[-1] == "2024-01-20" and 2 <= len(p.ticks) <= 4
    # scales to its container: a view box and 100% width, never a fixed pixel width
    assert p.viewbox.startswith("0 0 ") and p.width == "100%"


def test_chart_text_is_escaped() -> None:
    html = render_html([_story(DATED)], {})
    p = _chart(html)
    hostile = [m["title"] for m in p.marks if "Troops" in m["title"]]
    assert hostile and HOSTILE in hostile[0]  # shown as text, character for character
    assert set(p.tags) <= {"svg", "title", "g", "line", "text", "circle", "rect"}  # no tag of theirs
    assert "<script>alert(\"t\")" not in html and "<img src=x" not in html and "<b>Evil</b>" not in html


def test_no_dated_entry_means_no_chart_but_the_list() -> None:
    undated = tuple(e for e in DATED if e.date is None or e.text == "A garbled date.")
    html = render_html([_story(undated)], {})
    section = html[html.index('class="timeline-section"'):]
    assert "<svg" not in section and "Nobody knows when." in section
    assert story_view(_story(()), {}).chart is None


def test_entries_on_one_instant_sit_mid_axis_and_long_names_are_cut() -> None:
    cfg = TimelineChartConfig(label_chars=8)
    one = (TimelineEvent(text="x", sources=("a4", "a2"), order=0, date="2024-01-10", resolved=True),)
    chart = story_view(_story(one), {}, timeline_chart=cfg).chart
    assert chart is not None
    assert {m.x for m in chart.marks} == {(chart.plot_left + chart.plot_right) / 2}
    assert [r.label for r in chart.rows] == ["Reuters", "BBC News", "<b>Evil…"]
    assert len(chart.ticks) == 1
