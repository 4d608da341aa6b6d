"""`brief.md`: every story's brief as Markdown, each sentence with footnote-style citations.

In: finished `Story` records. Out: one Markdown document with a section per story: its title, the
numbered source list (outlet, headline, link, date; copies marked), the brief with `[1][3]` after
each sentence (numbers index that source list), "Where sources differ" from the story's
discrepancies (each value with its outlets and the exact text stating it) and "Reported by one
outlet only" from its exclusive facts. `differences()` and `only_one()` give the last two as plain
records so other reports can draw the same content.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from storydesk.brief import support as sp
from storydesk.records import BriefSentence, Story, StoryArticle, TrustNote
from storydesk.report.view import outlet_name


@dataclass(frozen=True, slots=True)
class SourceRef:
    """One cited article: its number in the story's source list, id and outlet name."""

    number: int
    id: str
    outlet: str


@dataclass(frozen=True, slots=True)
class DifferenceValue:
    """One value of a discrepancy, who reports it and the exact text that says so."""

    value: str
    text: str
    sources: tuple[SourceRef, ...]
    attributed_to: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Difference:
    """A point where outlets disagree: what about, and each value with its outlets."""

    kind: str
    subject: str
    values: tuple[DifferenceValue, ...]


@dataclass(frozen=True, slots=True)
class OnlyOne:
    """A fact only one outlet reports."""

    text: str
    source: SourceRef


def _outlet(a: StoryArticle) -> str:
    # Same name as the HTML report: outlet, else the URL's host, else "article <id>" (never the
    # headline, which would read as an outlet name).
    return outlet_name(a, a.id)


def source_numbers(story: Story) -> dict[str, SourceRef]:
    """Article id -> its `SourceRef`, numbered from 1 in the story's article order."""
    return {a.id: SourceRef(i, a.id, _outlet(a)) for i, a in enumerate(story.articles, 1)}


def _refs(story: Story, ids: Sequence[str], numbers: dict[str, SourceRef]) -> tuple[SourceRef, ...]:
    out = [numbers.get(aid) or SourceRef(0, aid, aid[:8]) for aid in dict.fromkeys(ids)]
    # in source-list order ("[4][5]", never "[5][4]"); ids outside the story's list go last
    return tuple(sorted(out, key=lambda r: r.number or len(numbers) + 1))


def differences(story: Story) -> list[Difference]:
    """The story's discrepancies with outlet names and source numbers resolved.

    Discrepancies with fewer than two values are left out: nothing differs in them.
    """
    numbers = source_numbers(story)
    out = []
    for d in story.discrepancies:
        if len(d.values) < 2:
            continue
        vals = tuple(
            DifferenceValue(v.value, v.text, _refs(story, v.sources, numbers), tuple(v.attributed_to))
            for v in d.values
        )
        out.append(Difference(d.kind, d.subject, vals))
    return out


def only_one(story: Story) -> list[OnlyOne]:
    """The facts only one outlet reports, each with its source resolved."""
    numbers = source_numbers(story)
    return [OnlyOne(e.text, _refs(story, [e.source], numbers)[0]) for e in story.exclusive]


def disputed(story: Story, sentence: BriefSentence) -> bool:
    """True when `sentence` states one value of a numeric disagreement in `story`: it states the
    value's number and is (or overlaps) a passage cross-check found that value in."""
    for d in story.discrepancies:
        if d.kind != "number" or len(d.values) < 2:
            continue
        for v in d.values:
            need = sp.numbers(v.value)
            if not need or not need <= sp.numbers(sentence.text):
                continue
            if sentence.text in v.text or v.text in sentence.text:
                return True
            if any(p.article == q.article and p.start < q.end and q.start < p.end
                   for p in sentence.passages for q in v.passages):
                return True
    return False


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


def _md(text: str) -> str:
    """Text as one Markdown line, with characters that would become markup escaped."""
    out = _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    # "\](" cannot open a link once its bracket is escaped, but escaping the parenthesis too means
    # no reader or link-spotting regex can take an article's "[x](javascript:...)" for one
    return out.replace("\\](", "\\]\\(")


def link_target(url: str | None) -> str | None:
    """`url` made safe as a Markdown link destination, or None when it must not become a link.

    Only absolute http(s) URLs are linked (a `javascript:` or `data:` URL from a page would run on
    a click); characters that could end the `<...>` destination or the link, or start a new one,
    are percent-encoded, so a URL like `https://x/a> [click](javascript:...)` stays one link.
    """
    if not url:
        return None
    u = url.strip()
    try:
        parts = urlsplit(u)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    # keep what URLs legitimately use unencoded; everything else (spaces, <>()[]`"\, controls) goes
    return quote(u, safe="/:?#@!$&'*+,;=%-._~")


def _marks(refs: Sequence[SourceRef]) -> str:
    return "".join(f"[{r.number}]" if r.number else f"[{r.id[:8]}]" for r in refs)


def _outlets(refs: Sequence[SourceRef]) -> str:
    names = list(dict.fromkeys(r.outlet for r in refs))
    return ", ".join(names)


def trust_line(note: TrustNote) -> str:
    """The outlet trust settings a story was analysed under, as one line (issue 25)."""
    hidden = [o.outlet for o in note.outlets if o.hidden]
    parts = []
    if hidden:
        left = f" ({len(note.hidden_articles)} of this story's articles left out)" if note.hidden_articles else ""
        parts.append(f"hidden {', '.join(hidden)}{left}")
    parts += [f"{o.outlet} weight {o.weight:g}" + (" (low trust)" if o.weight < note.low_trust_below else "")
              for o in note.outlets if not o.hidden]
    parts.append(f"low trust below weight {note.low_trust_below:g}")
    return _md("Outlet trust settings in force: " + "; ".join(parts) + ".")


def render_story(story: Story, level: int = 2) -> str:
    """One story's section of `brief.md`."""
    h = "#" * level
    numbers = source_numbers(story)
    lines = [f"{h} {_md(story.title or story.id)}", ""]
    meta = [f"{len(story.articles)} article{'s' if len(story.articles) != 1 else ''}"]
    n_out = story.outlet_count or len({_outlet(a) for a in story.articles})
    meta.append(f"{n_out} outlet{'s' if n_out != 1 else ''}")
    if story.independent_sources and story.independent_sources != n_out:
        meta.append(f"{story.independent_sources} independent")
    if story.first_seen:
        meta.append(f"first seen {story.first_seen}")
    lines += [f"*{' · '.join(meta)}*", ""]
    if story.trust is not None:
        lines += [trust_line(story.trust), ""]

    lines += [f"{h}# Brief", ""]
    if story.brief:
        for b in story.brief:
            refs = _refs(story, b.sources, numbers)
            # a sentence stating one side of a disagreement names who says it, not just [n]
            per = f" (per {_md(_outlets(refs))})" if disputed(story, b) else ""
            lines.append(f"{_md(b.text)} {_marks(refs)}{per}".rstrip())
            lines.append("")
    else:
        lines += ["*No brief could be written for this story.*", ""]

    diffs = differences(story)
    if diffs:
        lines += [f"{h}# Where sources differ", ""]
        for d in diffs:
            lines.append(f"- **{_md(d.subject)}** ({d.kind})")
            for v in d.values:
                who = _outlets(v.sources)
                att = f", attributed to {_md(', '.join(v.attributed_to))}" if v.attributed_to else ""
                lines.append(f"  - **{_md(v.value)}**: {_md(who)}{att} {_marks(v.sources)}: “{_md(v.text)}”")
        lines.append("")

    singles = only_one(story)
    if singles:
        lines += [f"{h}# Reported by one outlet only", ""]
        for o in singles:
            lines.append(f"- {_md(o.text)} ({_md(o.source.outlet)}) {_marks([o.source])}")
        lines.append("")

    lines += [f"{h}# Sources", ""]
    for a in story.articles:
        ref = numbers[a.id]
        # an untitled article still needs a visible link text; its id lets a reader look it up
        title = _md(a.title or a.url or f"untitled article {a.id}")
        target = link_target(a.url)
        link = f"[{title}](<{target}>)" if target else title
        bits = [f"{ref.number}. **{_md(ref.outlet)}**: {link}"]
        if a.published:
            bits.append(f"({a.published})")
        if a.syndicated_from:
            orig = numbers.get(a.syndicated_from)
            bits.append(f"(copy of [{orig.number}])" if orig else "(syndicated copy)")
        lines.append(" ".join(bits))
    lines.append("")
    return "\n".join(lines)


def render_markdown(stories: Sequence[Story]) -> str:
    """The whole `brief.md`: a heading, then one section per story in the order given."""
    n = len(stories)
    head = ["# Story briefs", "", f"{n} stor{'y' if n == 1 else 'ies'}. Numbers in brackets cite "
            "the numbered sources listed under each story.", ""]
    return "\n".join(head) + "\n" + "\n".join(render_story(s) for s in stories)


def write_markdown(stories: Sequence[Story], path: Path) -> Path:
    """Write `render_markdown(stories)` to `path` (UTF-8); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(stories), encoding="utf-8")
    return path


__all__ = [
    "Difference",
    "DifferenceValue",
    "OnlyOne",
    "SourceRef",
    "differences",
    "disputed",
    "link_target",
    "only_one",
    "render_markdown",
    "render_story",
    "source_numbers",
    "write_markdown",
]
