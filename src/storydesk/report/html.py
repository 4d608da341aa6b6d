"""Render `report.html`: one self-contained page with every story.

Stories and their articles in, one HTML string out. The stylesheet and script are the web app's
(`storydesk/web/static/`), inlined; a Content-Security-Policy meta tag allows only that inline
script (by hash) and inline styles, so the page can make no network request at all, even if an
article smuggled markup past escaping. Everything from articles goes through Jinja2 autoescape.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from storydesk.records import Article, Story, StoryArticle
from storydesk.report.view import outlet_name, story_view

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).resolve().parents[1] / "web" / "static"


def safe_url(url: str | None) -> str | None:
    """`url` if it is an absolute http(s) URL, else None: escaping alone does not stop
    `javascript:` links, so only these schemes ever become an href."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def plural(n: int | None, word: str, many: str | None = None) -> str:
    """"1 article", "3 articles"; `many` for irregular plurals ("stories")."""
    n = n or 0
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def environment(*extra_dirs: Path) -> jinja2.Environment:
    """A Jinja2 environment over `extra_dirs` then the report templates, always autoescaping."""
    loader = jinja2.FileSystemLoader([*map(str, extra_dirs), str(TEMPLATES)])
    env = jinja2.Environment(
        loader=loader,
        # Autoescape every template whatever its extension: article text is untrusted input.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters["safe_url"] = safe_url
    env.filters["plural"] = plural
    # The shared outlet rule, so no template writes a fallback of its own ("unknown outlet").
    env.filters["outlet"] = article_outlet
    return env


def article_outlet(a: Article | StoryArticle) -> str:
    """An article's outlet as every page prints it (`storydesk.outlets.display_outlet`)."""
    return outlet_name(a, a.id)


def asset(name: str) -> str:
    """The text of a static asset (storydesk.css, storydesk.js)."""
    return (STATIC / name).read_text(encoding="utf-8")


def _report_href(anchor: str) -> Callable[[str, int], str]:
    def href(aid: str, n: int) -> str:
        return f"#{anchor}-a{n}"

    return href


def render_html(stories: Sequence[Story], articles: Mapping[str, Article], *, generated: str = "",
                schema_version: str = "") -> str:
    """The whole report page for `stories`; `articles` supplies the texts shown side by side."""
    env = environment()
    js = asset("storydesk.js")
    css = asset("storydesk.css")
    digest = base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )
    views = [story_view(s, articles) for s in stories]
    # The story template is shared with the web app, which links citations to /articles/{id};
    # here they jump to the article's column on the same page.
    parts = []
    tmpl = env.get_template("_story.html.j2")
    for v in views:
        parts.append(Markup(tmpl.render(v=v, web=False, article_href=_report_href(v.anchor))))
    page = env.get_template("report.html.j2")
    return page.render(
        views=views, bodies=parts, csp=Markup(csp), generated=generated, schema_version=schema_version,
        css=Markup(css), js=Markup(js),
    )
