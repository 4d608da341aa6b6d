"""Turn a `Story` (plus its articles' cleaned text) into what the story templates draw.

Shared by `report.html` and the web app's story page, so both show the same thing: numbered
citations that carry the exact source sentence, the discrepancy table with outlet names,
quotes grouped by speaker, the time line in order, the fact table (one row per fact, one column
per outlet), and each outlet's article cut into plain and highlighted segments from the claim and
exclusive passages' character offsets.

Pure functions over records; nothing here escapes HTML (the Jinja2 templates autoescape).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from storydesk.outlets import display_outlet
from storydesk.records import Article, Fact, FactCell, Passage, Story, StoryArticle

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Cite:
    """One citation marker: the article's number on the page and the sentence it supports."""

    n: int
    article: str
    outlet: str
    title: str
    sentence: str  # the exact source sentence ("" when the article text is not stored)
    # Where the cited sentence starts in the article's text: the article page's `#s-<start>` anchor.
    # None when the article text is not stored or the passage is not found in it.
    start: int | None = None


@dataclass(frozen=True, slots=True)
class CitedText:
    """A sentence of the page (brief, claim, timeline event) with its citation markers."""

    text: str
    cites: tuple[Cite, ...]


@dataclass(frozen=True, slots=True)
class ValueRow:
    """One row of the discrepancy table."""

    value: str
    outlets: tuple[str, ...]
    text: str
    cites: tuple[Cite, ...]
    attributed_to: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DiscrepancyView:
    kind: str
    subject: str
    rows: tuple[ValueRow, ...]


@dataclass(frozen=True, slots=True)
class QuoteGroup:
    speaker: str
    quotes: tuple[CitedText, ...]


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of an article's text; `kind` is "" (plain), "shared" (a claim other outlets also
    report), "single" (a claim only this article states) or "exclusive"."""

    text: str
    kind: str = ""
    claim: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Column:
    """One outlet's article in the side-by-side view."""

    n: int
    article: StoryArticle
    outlet: str
    available: bool  # False when the store no longer has the article's text
    segments: tuple[Segment, ...]
    exclusives: tuple[str, ...]
    syndicated_from_n: int | None = None


@dataclass(frozen=True, slots=True)
class FactValue:
    """One outlet's value in a fact-table cell, with the sentence that states it."""

    value: str
    text: str
    attributed_to: str
    cites: tuple[Cite, ...]


@dataclass(frozen=True, slots=True)
class FactRow:
    """A fact-table row; `cells[i]` are the values of `FactTable.outlets[i]` (empty: not reported)."""

    id: str
    kind: str
    subject: str
    status: str
    cells: tuple[tuple[FactValue, ...], ...]
    low_trust: bool = False  # only outlets the user weighted as low trust report it (issue 25)


@dataclass(frozen=True, slots=True)
class FactTable:
    """The claim x outlet matrix: `rows` are shown, `more` sit behind a "show all"."""

    outlets: tuple[str, ...] = ()
    rows: tuple[FactRow, ...] = ()
    more: tuple[FactRow, ...] = ()


@dataclass(frozen=True, slots=True)
class FactTableConfig:
    """How the fact table is cut for reading.

    A wire story yields dozens of loose "other"/"single" facts that bury the few that matter, so
    only the first `minor_shown` of those are shown; conflicts and checked numbers always are.
    """

    minor_shown: int = 40
    # Reading order: what the outlets dispute first, what only one outlet says last.
    status_order: tuple[str, ...] = ("conflict", "update", "possible", "compatible", "agree", "single")
    # Within a status, figures and dates first: they are what the table checks most reliably.
    kind_order: tuple[str, ...] = ("number", "date", "place", "person", "org", "quote", "other")


FACT_TABLE = FactTableConfig()


@dataclass(frozen=True, slots=True)
class ChartRow:
    """One outlet's row of the timeline chart: `label` is `outlet` cut to fit the label column."""

    outlet: str
    label: str
    y: float


@dataclass(frozen=True, slots=True)
class ChartMark:
    """A dated timeline entry as one outlet reports it: a dot at `x`, or a bar to `x_end` when the
    entry is a range. `title` (date and entry text) is the mark's tooltip; `approx` when no
    publication time anchored the date."""

    x: float
    y: float
    title: str
    x_end: float | None = None
    approx: bool = False


@dataclass(frozen=True, slots=True)
class ChartTick:
    x: float
    label: str


@dataclass(frozen=True, slots=True)
class TimelineChart:
    """The SVG timeline in viewBox units: time on x, one row per outlet on y."""

    width: int
    height: int
    plot_left: int  # where the time axis starts (the outlet labels sit left of it)
    plot_right: int
    axis_y: float
    rows: tuple[ChartRow, ...]
    marks: tuple[ChartMark, ...]
    ticks: tuple[ChartTick, ...]
    events: int  # dated entries drawn


@dataclass(frozen=True, slots=True)
class TimelineChartConfig:
    """Geometry of the timeline chart, in viewBox units.

    The SVG scales to its container's width, so on a 390 px phone (a ~320 px section) a 440-unit
    view box is drawn at about 0.73x: 13-unit labels stay near 9.5 px, and outlet names are cut
    to `label_chars` to fit the label column. On a desktop the stylesheet caps it at 34rem.
    """

    width: int = 440
    label_width: int = 120
    right_pad: int = 40  # room for half of the last tick label, centred on the plot's right edge
    row_height: int = 24
    top_pad: int = 10
    axis_height: int = 30
    label_chars: int = 16
    max_ticks: int = 4


TIMELINE_CHART = TimelineChartConfig()


@dataclass(frozen=True, slots=True)
class StoryView:
    story: Story
    anchor: str  # a safe HTML id prefix for this story
    numbers: Mapping[str, int]
    brief: tuple[CitedText, ...]
    claims: tuple[CitedText, ...]
    discrepancies: tuple[DiscrepancyView, ...]
    quotes: tuple[QuoteGroup, ...]
    timeline: tuple[tuple[str, CitedText], ...]
    columns: tuple[Column, ...]
    exclusive_by_outlet: tuple[tuple[str, tuple[CitedText, ...]], ...]
    outlets: tuple[str, ...] = field(default=())
    facts: FactTable = field(default=FactTable())
    chart: TimelineChart | None = None


def outlet_name(a: StoryArticle | Article | None, aid: str) -> str:
    """The outlet shown for article `aid` (never blank): `storydesk.outlets.display_outlet`, the
    one rule the CLI, the JSON lists, the web pages and the reports all print."""
    if a is None:
        return display_outlet(None, None, aid)
    return display_outlet(a.outlet, a.url, aid)


def _cell_outlet(cell: FactCell, c: _Citer) -> str:
    """A fact cell's column: its outlet as displayed, else its first source's outlet."""
    if cell.outlet:
        return display_outlet(cell.outlet)
    return c.outlet(cell.sources[0]) if cell.sources else display_outlet(None)


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def passage_span(passage: Passage, text: str) -> tuple[int, int] | None:
    """The passage's (start, end) in `text`, checked: offsets are trusted only when the text at
    them is the passage's text; otherwise the passage is searched for, and None if absent."""
    if 0 <= passage.start < passage.end <= len(text) and text[passage.start : passage.end] == passage.text:
        return passage.start, passage.end
    if passage.text:
        i = text.find(passage.text)
        if i >= 0:
            return i, i + len(passage.text)
    return None


def best_sentence(statement: str, text: str, sentences: Sequence[str] | None = None) -> str:
    """The sentence of `text` sharing most words with `statement` (Jaccard); "" if none shares any.

    Used only when a brief sentence or claim carries no passage for a source article.
    `sentences` are `text`'s sentences when the caller already split it.
    """
    want = _words(statement)
    if not want or not text:
        return ""
    if sentences is None:
        from storydesk.segment import split_text  # spaCy is loaded lazily, only when needed

        sentences = [t for _s, _e, t in split_text(text)]
    best, best_score = "", 0.0
    for sent in sentences:
        got = _words(sent)
        if not got:
            continue
        score = len(want & got) / len(want | got)
        if score > best_score:
            best, best_score = sent, score
    return best


class _Citer:
    """Numbers a story's articles and finds the source sentence for each citation."""

    def __init__(self, story: Story, articles: Mapping[str, Article]) -> None:
        self.story = story
        self.articles = articles
        self.by_id = {a.id: a for a in story.articles}
        self.numbers: dict[str, int] = {a.id: i for i, a in enumerate(story.articles, 1)}
        # article id -> its sentences as (start, end, text), split once per page
        self._split: dict[str, list[tuple[int, int, str]]] = {}

    def number(self, aid: str) -> int:
        if aid not in self.numbers:  # a source not listed among the story's articles
            self.numbers[aid] = len(self.numbers) + 1
        return self.numbers[aid]

    def outlet(self, aid: str) -> str:
        return outlet_name(self.by_id.get(aid), aid)

    def sentences(self, aid: str) -> list[tuple[int, int, str]]:
        if aid not in self._split:
            from storydesk.segment import split_text  # spaCy is loaded lazily, only when needed

            self._split[aid] = split_text(self.articles[aid].text)
        return self._split[aid]

    def sentence_start(self, aid: str, at: int) -> int | None:
        """The start of the sentence holding offset `at` in the article's text: the anchor the
        article page gives that sentence (a quote's passage can begin mid-sentence)."""
        spans = self.sentences(aid)
        i = bisect.bisect_right([s for s, _e, _t in spans], at) - 1
        return spans[i][0] if i >= 0 and at < spans[i][1] else None

    def cite(self, aid: str, statement: str, passages: Iterable[Passage]) -> Cite:
        sentence = ""
        start: int | None = None
        art = self.articles.get(aid)
        for p in passages:
            if p.article == aid and p.text:
                sentence = p.text
                span = passage_span(p, art.text) if art is not None else None
                if span is not None:
                    start = self.sentence_start(aid, span[0])
                break
        if not sentence and art is not None:
            spans = self.sentences(aid)
            sentence = best_sentence(statement, art.text, [t for _s, _e, t in spans])
            start = next((s for s, _e, t in spans if sentence and t == sentence), None)
        sa = self.by_id.get(aid)
        title = (sa.title if sa else None) or (art.title if art else None) or ""
        return Cite(n=self.number(aid), article=aid, outlet=self.outlet(aid), title=title, sentence=sentence,
                    start=start)

    def cited(self, text: str, sources: Sequence[str], passages: Iterable[Passage] = ()) -> CitedText:
        passages = tuple(passages)
        cites = tuple(self.cite(aid, text, passages) for aid in dict.fromkeys(sources))
        return CitedText(text=text, cites=tuple(sorted(cites, key=lambda c: c.n)))


def _segments(text: str, spans: list[tuple[int, int, str, str | None, str]]) -> tuple[Segment, ...]:
    """Cut `text` into plain and highlighted segments; earlier-starting spans win overlaps,
    and at equal starts the longer span wins."""
    out: list[Segment] = []
    pos = 0
    for start, end, kind, claim, note in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if start < pos:
            continue
        if start > pos:
            out.append(Segment(text=text[pos:start]))
        out.append(Segment(text=text[start:end], kind=kind, claim=claim, note=note))
        pos = end
    if pos < len(text):
        out.append(Segment(text=text[pos:]))
    return tuple(out)


def _anchor(story_id: str) -> str:
    return "s-" + re.sub(r"[^A-Za-z0-9_-]", "_", story_id)


def _fact_table(facts: Sequence[Fact], c: _Citer, cfg: FactTableConfig) -> FactTable:
    """Rows sorted for reading (status, then kind, then the order the cross-check gave), columns
    the outlets of the cells in the order their first article is numbered on the page."""
    first_n: dict[str, int] = {}
    for f in facts:
        for cell in f.cells:
            name = _cell_outlet(cell, c)
            n = min((c.number(a) for a in cell.sources), default=len(c.numbers) + 1)
            first_n[name] = min(n, first_n.get(name, n))
    outlets = tuple(sorted(first_n, key=lambda o: (first_n[o], o.lower())))
    col = {o: i for i, o in enumerate(outlets)}

    def rank(order: tuple[str, ...], value: str) -> int:
        return order.index(value) if value in order else len(order)

    ordered = sorted(enumerate(facts), key=lambda kf: (rank(cfg.status_order, kf[1].status),
                                                        rank(cfg.kind_order, kf[1].kind), kf[0]))
    shown: list[FactRow] = []
    more: list[FactRow] = []
    minor = 0
    for _i, f in ordered:
        cells: list[list[FactValue]] = [[] for _ in outlets]
        for cell in f.cells:
            name = _cell_outlet(cell, c)
            cited = c.cited(cell.text, cell.sources, cell.passages)
            cells[col[name]].append(FactValue(value=cell.value, text=cell.text,
                                              attributed_to=cell.attributed_to, cites=cited.cites))
        row = FactRow(id=f.id, kind=f.kind, subject=f.subject, status=f.status,
                      cells=tuple(tuple(v) for v in cells), low_trust=bool(f.low_trust))
        if f.kind == "other" or f.status == "single":
            minor += 1
            if minor > cfg.minor_shown:
                more.append(row)
                continue
        shown.append(row)
    return FactTable(outlets=outlets, rows=tuple(shown), more=tuple(more))


def _when(value: str | None) -> datetime | None:
    """An ISO date or datetime as a naive UTC datetime; None for anything unparseable (a bad
    date in stored data leaves its entry off the chart, it never breaks the page)."""
    if not value:
        return None
    try:
        d = datetime.fromisoformat(value.strip())
    except (ValueError, TypeError):
        return None
    if d.tzinfo is not None:
        d = d.astimezone(UTC).replace(tzinfo=None)
    return d


def _cut(name: str, n: int) -> str:
    return name if len(name) <= n else name[: max(1, n - 1)].rstrip() + "…"


def _timeline_chart(story: Story, c: _Citer, outlets: Sequence[str],
                    labels: Sequence[tuple[str, str]], cfg: TimelineChartConfig) -> TimelineChart | None:
    """The chart of the story's dated timeline entries; None when no entry has a usable date.

    `labels` are (when, text) per entry of `story.timeline` in `order` order, as the list shows them.
    """
    events = sorted(story.timeline, key=lambda e: e.order)
    dated: list[tuple[datetime, datetime | None, str, bool, tuple[str, ...]]] = []
    for ev, (when, text) in zip(events, labels, strict=True):
        start = _when(ev.date)
        if start is None:
            continue
        end = _when(ev.date_end)
        if end is not None and end <= start:  # an empty or reversed range is drawn as a dot
            end = None
        dated.append((start, end, f"{when}: {text}", ev.resolved, tuple(ev.sources)))
    if not dated:
        return None
    names = list(dict.fromkeys(outlets))
    for *_rest, sources in dated:  # a source not among the story's articles still gets its row
        for aid in sources:
            if c.outlet(aid) not in names:
                names.append(c.outlet(aid))
    lo = min(d[0] for d in dated)
    hi = max(d[1] or d[0] for d in dated)
    span = (hi - lo).total_seconds()
    left, right = cfg.label_width, cfg.width - cfg.right_pad

    def x(t: datetime) -> float:
        if span <= 0:  # every entry on one instant: the middle of the axis
            return round((left + right) / 2, 1)
        return round(left + (t - lo).total_seconds() / span * (right - left), 1)

    row_y = {o: cfg.top_pad + (i + 0.5) * cfg.row_height for i, o in enumerate(names)}
    rows = tuple(ChartRow(outlet=o, label=_cut(o, cfg.label_chars), y=row_y[o]) for o in names)
    marks = []
    for start, end, title, resolved, sources in dated:
        for o in dict.fromkeys(c.outlet(a) for a in sources):
            marks.append(ChartMark(x=x(start), y=row_y[o], title=title,
                                   x_end=x(end) if end is not None else None, approx=not resolved))
    # A few evenly spaced ticks: dates, or month-day and hour when the whole span is under two days.
    fmt = "%Y-%m-%d" if span >= 2 * 86400 else "%m-%d %H:%M"  # short enough to fit the right pad
    if span <= 0:
        tick_times = [lo]
    else:
        n = max(2, min(cfg.max_ticks, len({d[0].date() for d in dated} | {hi.date()})))
        tick_times = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
    ticks = tuple(ChartTick(x=x(t), label=t.strftime(fmt)) for t in tick_times)
    plot_bottom = cfg.top_pad + len(names) * cfg.row_height
    return TimelineChart(width=cfg.width, height=plot_bottom + cfg.axis_height, plot_left=left,
                         plot_right=right, axis_y=plot_bottom, rows=rows, marks=tuple(marks), ticks=ticks,
                         events=len(dated))


def story_view(story: Story, articles: Mapping[str, Article],
               fact_table: FactTableConfig = FACT_TABLE,
               timeline_chart: TimelineChartConfig = TIMELINE_CHART) -> StoryView:
    """Everything the story templates draw for `story`.

    Args:
        story: the story record (an entry of stories.json).
        articles: cleaned articles by id; missing ones are shown as unavailable.
        fact_table: how the fact table is ordered and cut.
        timeline_chart: the timeline chart's geometry.
    """
    c = _Citer(story, articles)
    brief = tuple(c.cited(b.text, b.sources, b.passages) for b in story.brief)
    claims = tuple(c.cited(cl.text, cl.sources, cl.passages) for cl in story.claims)

    discrepancies = []
    for d in story.discrepancies:
        rows = []
        for v in d.values:
            outlets = tuple(dict.fromkeys(c.outlet(a) for a in v.sources))
            cited = c.cited(v.text, v.sources, v.passages)
            rows.append(ValueRow(value=v.value, outlets=outlets, text=v.text, cites=cited.cites,
                                 attributed_to=tuple(v.attributed_to)))
        discrepancies.append(DiscrepancyView(kind=d.kind, subject=d.subject, rows=tuple(rows)))

    speakers: dict[str, list[CitedText]] = {}
    for q in story.quotes:
        speakers.setdefault(q.speaker, []).append(c.cited(q.text, q.sources, q.passages))
    quotes = tuple(
        QuoteGroup(speaker=s, quotes=tuple(qs))
        for s, qs in sorted(speakers.items(), key=lambda kv: (-len(kv[1]), kv[0].lower()))
    )

    timeline = []
    for ev in sorted(story.timeline, key=lambda e: e.order):
        when = ev.date or ev.expression or "undated"
        if ev.date and ev.date_end:
            when = f"{ev.date} – {ev.date_end}"
        if ev.date and not ev.resolved:
            when += " (approx.)"
        timeline.append((when, c.cited(ev.text, ev.sources)))

    # Highlights for the side-by-side view come from passages' offsets.
    spans: dict[str, list[tuple[int, int, str, str | None, str]]] = {}
    for cl in story.claims:
        names = sorted({c.outlet(a) for a in cl.sources})
        kind = "shared" if len(cl.sources) > 1 else "single"
        note = "reported by: " + ", ".join(names) if kind == "shared" else "a claim of this outlet alone"
        for p in cl.passages:
            art = articles.get(p.article)
            span = passage_span(p, art.text) if art else None
            if span:
                spans.setdefault(p.article, []).append((span[0], span[1], kind, cl.id, note))
    excl: dict[str, list[CitedText]] = {}
    excl_by_article: dict[str, list[str]] = {}
    for ex in story.exclusive:
        passages = (ex.passage,) if ex.passage else ()
        excl.setdefault(c.outlet(ex.source), []).append(c.cited(ex.text, (ex.source,), passages))
        excl_by_article.setdefault(ex.source, []).append(ex.text)
        art = articles.get(ex.source)
        if ex.passage and art:
            span = passage_span(ex.passage, art.text)
            if span:
                spans.setdefault(ex.source, []).append((span[0], span[1], "exclusive", None,
                                                        "only this outlet reports this"))

    columns = []
    for sa in story.articles:
        art = articles.get(sa.id)
        segs = _segments(art.text, spans.get(sa.id, [])) if art else ()
        columns.append(Column(
            n=c.number(sa.id), article=sa, outlet=outlet_name(sa, sa.id), available=art is not None,
            segments=segs, exclusives=tuple(excl_by_article.get(sa.id, ())),
            syndicated_from_n=c.numbers.get(sa.syndicated_from) if sa.syndicated_from else None,
        ))

    outlets = tuple(dict.fromkeys(outlet_name(a, a.id) for a in story.articles))
    chart = _timeline_chart(story, c, outlets, [(w, ct.text) for w, ct in timeline], timeline_chart)
    return StoryView(
        story=story, anchor=_anchor(story.id), numbers=dict(c.numbers), brief=brief, claims=claims,
        discrepancies=tuple(discrepancies), quotes=quotes, timeline=tuple(timeline),
        columns=tuple(columns), exclusive_by_outlet=tuple((o, tuple(v)) for o, v in excl.items()),
        outlets=outlets, facts=_fact_table(story.facts, c, fact_table), chart=chart,
    )
