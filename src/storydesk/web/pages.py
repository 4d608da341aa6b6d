"""Server-rendered HTML pages: the story list, a story, an article, and a plain API docs page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from storydesk.report.html import environment
from storydesk.report.json import SCHEMA_VERSION
from storydesk.report.view import story_view
from storydesk.store.sqlite import SqliteStore
from storydesk.web.deps import StoryFilters, get_store, story_filters

TEMPLATES = Path(__file__).with_name("templates")
ENV = environment(TEMPLATES)

# The list page shows the newest stories only; the search box and filters reach the rest.
# (list_stories decodes every row's story JSON: ~3.5 ms a story on the shared 2-core dev box,
# measured with 200 synthetic stories, so 100 rows keep the page well under a second.)
PAGE_LIMIT = 100

router = APIRouter(include_in_schema=False)
StoreDep = Annotated[SqliteStore, Depends(get_store)]


def render(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page template (autoescaped) into a response."""
    return HTMLResponse(ENV.get_template(name).render(**context), status_code=status_code)


def article_href(aid: str, n: int = 0) -> str:
    return "/articles/" + quote(aid, safe="")


@router.get("/", response_class=HTMLResponse)
def index(store: StoreDep, filters: Annotated[StoryFilters, Depends(story_filters)]) -> HTMLResponse:
    stories = store.list_stories(query=filters.q, outlet=filters.outlet, since=filters.since,
                                 until=filters.until, limit=PAGE_LIMIT)
    return render("index.html", title="Stories", stories=stories, filters=filters,
                  outlets=store.outlets(), total=store.count_stories(), limit=PAGE_LIMIT)


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(story_id: str, store: StoreDep) -> HTMLResponse:
    story = store.get_story(story_id)
    articles = {a.id: a for a in store.iter_articles(a.id for a in story.articles)}
    v = story_view(story, articles)
    return render("story.html", title=story.title, v=v, web=True, article_href=article_href)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(article_id: str, store: StoreDep) -> HTMLResponse:
    article = store.get_article(article_id)
    return render("article.html", title=article.title or article.id, a=article)


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
