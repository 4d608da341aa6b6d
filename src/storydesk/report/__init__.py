"""Reports: `stories.json`, `brief.md` and a self-contained `report.html` from finished stories.

`write_reports` is the one entry point the pipeline calls; the pieces live in `json.py`,
`html.py` (shares its story template and `view.py` with the web app) and `markdown.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from storydesk.records import Article, Story
from storydesk.report.html import render_html
from storydesk.report.json import SCHEMA_PATH, SCHEMA_VERSION, load_schema, now_iso, stories_document, write_json
from storydesk.report.view import outlet_name


def _markdown_fallback(stories: Sequence[Story], path: Path) -> Path:
    """Title and brief with citations, used only while `report/markdown.py` is not installed."""
    lines: list[str] = []
    for s in stories:
        numbers = {a.id: i for i, a in enumerate(s.articles, 1)}
        lines += [f"## {s.title}", ""]
        for b in s.brief:
            marks = "".join(f"[{numbers.get(a, a)}]" for a in b.sources)
            lines.append(f"{b.text} {marks}".rstrip())
        lines.append("")
        for a in s.articles:
            lines.append(f"[{numbers[a.id]}]: {outlet_name(a, a.id)}, {a.title or a.id}"
                         + (f" <{a.url}>" if a.url else ""))
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_markdown_any(stories: Sequence[Story], path: Path) -> Path:
    """`brief.md` through `storydesk.report.markdown.write_markdown`, or the fallback above."""
    try:
        from storydesk.report.markdown import write_markdown
    except ImportError:
        return _markdown_fallback(stories, path)
    write_markdown(stories, path)
    return path


def write_reports(stories: Sequence[Story], out_dir: Path, articles: Mapping[str, Article],
                  *, generated: str | None = None) -> list[Path]:
    """Write `stories.json`, `brief.md` and `report.html` into `out_dir`; return their paths.

    Args:
        stories: finished stories, in the order the reports list them.
        out_dir: created if missing.
        articles: cleaned articles by id, for the side-by-side view and citation sentences.
        generated: the timestamp recorded in the reports (default: now, UTC).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    generated = generated or now_iso()
    paths = [write_json(stories, out_dir / "stories.json", generated)]
    paths.append(write_markdown_any(stories, out_dir / "brief.md"))
    html = render_html(stories, articles, generated=generated, schema_version=SCHEMA_VERSION)
    html_path = out_dir / "report.html"
    html_path.write_text(html, encoding="utf-8")
    paths.append(html_path)
    return paths


__all__ = [
    "SCHEMA_PATH",
    "SCHEMA_VERSION",
    "load_schema",
    "render_html",
    "stories_document",
    "write_json",
    "write_reports",
]
