"""JSON API under /api/: the same data as the pages, in the CLI's `--json` shapes.

`GET /api/stories` is `storydesk stories --json`; `GET /api/stories/{id}` one entry of
stories.json; `GET /api/articles/{id}` is `storydesk show --json`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from storydesk.history import changes_since, parse_since
from storydesk.outlets import shown_row
from storydesk.report.json import load_schema
from storydesk.store.sqlite import SqliteStore
from storydesk.web.deps import StoryFilters, get_store, story_filters
from storydesk.web.errors import API_ERRORS, STORY_RESPONSE

router = APIRouter(prefix="/api", tags=["api"], responses=API_ERRORS)

StoreDep = Annotated[SqliteStore, Depends(get_store)]


PAGE_HEADERS: dict[int | str, dict[str, Any]] = {200: {"description": "Story rows", "headers": {
    "X-Total-Count": {"description": "How many stories match the filters", "schema": {"type": "integer"}},
    "Link": {"description": 'The next and previous pages (rel="next", rel="prev"), when `limit` is given',
             "schema": {"type": "string"}},
}}}


@router.get("/stories", summary="List stories, biggest live story first", responses=PAGE_HEADERS)
def list_stories(request: Request, response: Response, store: StoreDep,
                 filters: Annotated[StoryFilters, Depends(story_filters)],
                 limit: Annotated[int | None, Query(ge=1, le=10_000)] = None,
                 offset: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
    """Stories (id, title, article, outlet and independent-source counts, first/last seen,
    keywords, outlets, conflicts), ranked by coverage and recency with undated stories last;
    filtered by a full-text query `q`, an `outlet`, and a date range `since`/`until`
    (YYYY-MM-DD, which leaves undated stories out). Page with `limit` and `offset`: the
    `X-Total-Count` header gives the number of matching stories, and `Link` the next and
    previous pages (`rel="next"`, `rel="prev"`), as GitHub's API does."""
    rows = store.list_stories(**filters.store_args(), limit=limit, offset=offset)
    total = store.count_stories(**filters.store_args())
    response.headers["X-Total-Count"] = str(total)
    links = []
    if limit and offset + limit < total:
        links.append(f'<{request.url.include_query_params(offset=offset + limit)}>; rel="next"')
    if limit and offset > 0:
        links.append(f'<{request.url.include_query_params(offset=max(offset - limit, 0))}>; rel="prev"')
    if links:
        response.headers["Link"] = ", ".join(links)
    return rows


@router.get("/stories/{story_id}", summary="One story in the stories.json shape",
            responses=STORY_RESPONSE, response_model=None)
def get_story(story_id: str, store: StoreDep) -> dict[str, Any]:
    """One story (id or unique id prefix), as an entry of stories.json."""
    return store.get_story(story_id).to_dict()


@router.get("/stories/{story_id}/changes", summary="What changed in a story since a time")
def get_story_changes(story_id: str, store: StoreDep, since: str | None = None) -> dict[str, Any]:
    """`storydesk changes STORY --since TIME --json`: new outlets, new facts, revised values (old ->
    new, which outlet, when; `correction` when the outlet edited its own article), conflicts that
    appeared or were resolved, brief sentences added or dropped. `since` is an ISO time or a date
    (today, yesterday, '3 days ago' too); without it, what the story's latest analysis changed.
    Nothing is remembered here: the story page keeps the reader's last visit in the browser."""
    when = parse_since(since, name="since") if since and since.strip() else None
    return changes_since(store, story_id, when).to_dict()


@router.get("/articles", summary="List articles")
def list_articles(store: StoreDep, q: str | None = None, outlet: str | None = None,
                  story: str | None = None,
                  limit: Annotated[int | None, Query(ge=1, le=10_000)] = None) -> list[dict[str, Any]]:
    """Articles (id, outlet, title, url, published, language, story), optionally filtered."""
    rows = store.list_articles(limit=limit, query=q or None, outlet=outlet or None, story=story or None)
    return [shown_row(r) for r in rows]


@router.get("/articles/{article_id}", summary="One article in the `show --json` shape")
def get_article(article_id: str, store: StoreDep) -> dict[str, Any]:
    """One article (id or unique id prefix): cleaned text and every removed piece with its reason."""
    return shown_row(store.get_article(article_id).show())


@router.get("/schema/stories.json", summary="The JSON Schema of stories.json", response_model=None)
def stories_schema() -> dict[str, Any]:
    """The packaged JSON Schema (draft 2020-12) that stories.json and `GET /api/stories/{id}` follow."""
    return load_schema()
