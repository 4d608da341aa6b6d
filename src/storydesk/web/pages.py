"""Server-rendered HTML pages: the story list, a story, an article, and a plain API docs page."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from storydesk.errors import NotFound
from storydesk.report.html import environment
from storydesk.report.json import SCHEMA_VERSION
from storydesk.report.view import story_view
from storydesk.segment import split_text
from storydesk.store.ranking import parse_time
from storydesk.store.sqlite import SqliteStore
from storydesk.web.deps import StoryFilters, get_store, story_filters

TEMPLATES = Path(__file__).with_name("templates")
ENV = environment(TEMPLATES)

# Stories per list page: a screen or two of cards, each read from the listing columns only
# (never a story's JSON), so a page costs the same at 400 or 100,000 stories.
PAGE_SIZE = 50

router = APIRouter(include_in_schema=False)
StoreDep = Annotated[SqliteStore, Depends(get_store)]


def render(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page template (autoescaped) into a response."""
    return HTMLResponse(ENV.get_template(name).render(**context), status_code=status_code)


def article_href(aid: str, n: int = 0, start: int | None = None) -> str:
    """The article page; with `start`, at the sentence that begins at that offset (`#s-<start>`)."""
    return "/articles/" + quote(aid, safe="") + (f"#s-{int(start)}" if start is not None else "")


def _when(value: str | None) -> str:
    """"18 Jan 2024, 09:30" from an ISO time as stored (its own offset kept); "" if unreadable."""
    t = parse_time(value)
    if t is None:
        return ""
    day = f"{t.day} {t:%b %Y}"
    return day if len(value or "") <= 10 else f"{day}, {t:%H:%M}"


def time_span(first: str | None, last: str | None) -> str:
    """A story's span for its card: one time, one day's hours, or two days; "undated" if none."""
    a, b = _when(first), _when(last)
    if not a or not b or a == b:
        return a or b or "undated"
    if a.split(",")[0] == b.split(",")[0]:  # one day: its hours, or the day alone
        return f"{a}–{b.split(', ')[1]}" if "," in a and "," in b else a.split(",")[0]
    return f"{a.split(',')[0]} – {b.split(',')[0]}"


ENV.filters["time_span"] = time_span


def page_href(filters: StoryFilters, page: int) -> str:
    """The list page `page` with the same filters."""
    params = {**filters.params(), **({"page": str(page)} if page > 1 else {})}
    return "/" + ("?" + urlencode(params) if params else "")


@router.get("/", response_class=HTMLResponse)
def index(store: StoreDep, filters: Annotated[StoryFilters, Depends(story_filters)],
          page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> HTMLResponse:
    total = store.count_stories(**filters.store_args())
    pages = max(1, -(-total // PAGE_SIZE))
    stories = store.list_stories(**filters.store_args(), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render("index.html", title="Stories" if page == 1 else f"Stories, page {page}", stories=stories,
                  filters=filters, outlets=store.outlets(), total=total, all_total=store.count_stories(),
                  page=page, pages=pages, first=(page - 1) * PAGE_SIZE + 1,
                  prev_href=page_href(filters, page - 1) if page > 1 else None,
                  next_href=page_href(filters, page + 1) if page < pages else None,
                  first_href=page_href(filters, 1))


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(story_id: str, store: StoreDep) -> HTMLResponse:
    story = store.get_story(story_id)
    articles = {a.id: a for a in store.iter_articles(a.id for a in story.articles)}
    v = story_view(story, articles)
    return render("story.html", title=story.title, v=v, web=True, article_href=article_href)


def package_filename(story_id: str) -> str:
    """The download's file name: only characters safe in any file system and in a quoted
    Content-Disposition value (a story id is hex, but the name must hold whatever it is)."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", story_id)[:64] or "story"
    return f"storydesk-evidence-{safe}.zip"


@router.get("/stories/{story_id}/package.zip")
def story_package(story_id: str, store: StoreDep) -> Response:
    """The story's evidence package (`storydesk export-story`'s zip), built on request."""
    from storydesk.evidence import package_story, package_zip

    package = package_story(store, story_id)
    return Response(
        package_zip(package), media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{package_filename(package.story_id)}"',
                 "Cache-Control": "no-store"},
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(article_id: str, store: StoreDep) -> HTMLResponse:
    """The cleaned text, each sentence anchored as `#s-<offset>` (the offset a citation's passage
    starts at), a link back to the article's story, and every removed piece with its reason."""
    article = store.get_article(article_id)
    assignment = store.assignments_of([article.id]).get(article.id)
    story = None
    if assignment is not None:
        with contextlib.suppress(NotFound):  # assigned, but its story is not written yet
            story = store.get_story(assignment.story)
    # every text of the page this article was read from, oldest first (issue 25), newest last
    versions = sorted(store.article_versions(article.id), key=lambda v: v.superseded_by is None)
    newest = next((v.id for v in versions if v.superseded_by is None), None)
    return render("article.html", title=article.title or article.id, a=article,
                  pieces=sentence_pieces(article.text), story=story, versions=versions, newest=newest)


def sentence_pieces(text: str) -> list[tuple[int | None, str]]:
    """`text` cut into (offset, sentence) and (None, what lies between): joined, they are `text`."""
    out: list[tuple[int | None, str]] = []
    at = 0
    for start, end, sentence in split_text(text):
        if start < at:  # overlapping spans cannot happen; never repeat text if they did
            continue
        if start > at:
            out.append((None, text[at:start]))
        out.append((start, sentence))
        at = end
    if at < len(text):
        out.append((None, text[at:]))
    return out


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    """API docs without a CDN: FastAPI's Swagger page loads JS from the network, so list the
    routes from the OpenAPI document instead."""
    spec = request.app.openapi()
    routes = []
    for path, ops in spec.get("paths", {}).items():
        for method, op in ops.items():
            params = [p["name"] for p in op.get("parameters", [])]
            routes.append((method.upper(), path, op.get("summary", ""), op.get("description", ""), params))
    return render("docs.html", title="API", routes=routes, schema_version=SCHEMA_VERSION)
