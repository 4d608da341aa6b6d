"""The thread page: the stories of one thread (an event's follow-ups, reactions, anniversaries)
in time order, each linked to its story page. A story page links here through its `thread`."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from storydesk.cluster.threads import THREAD_STATE, ThreadMap
from storydesk.errors import NotFound
from storydesk.records import Story
from storydesk.settings import Settings
from storydesk.store.ranking import parse_time
from storydesk.store.sqlite import SqliteStore
from storydesk.trust import NO_TRUST
from storydesk.web.deps import get_store
from storydesk.web.pages import render

# Stories drawn on one thread page. A thread is one event's coverage over time, tens of stories
# at most in the benches; the cap only bounds a page (each story is read whole) if clustering
# ever chained far more.
MAX_THREAD_STORIES = 200

router = APIRouter(include_in_schema=False)
StoreDep = Annotated[SqliteStore, Depends(get_store)]

_UNDATED = datetime.max.replace(tzinfo=UTC)


def thread_map(store: SqliteStore) -> ThreadMap | None:
    """The thread map clustering handed over; for a store clustered before it was kept, the one
    in the clustering state (slower: the whole index is read); None before any clustering."""
    threads = ThreadMap.from_bytes(store.get_state(THREAD_STATE))
    if threads is not None:
        return threads
    state = store.get_state("cluster")
    if state is None:
        return None
    from storydesk.cluster import StoryIndex  # only for that older store: the index is heavy

    # a loaded index keeps the kind it was built with; the settings only matter for a new one
    # NO_TRUST: the thread map does not depend on outlet trust, and the default data directory's
    # outlets.toml (not this app's store) must not be read here
    return ThreadMap.from_index(StoryIndex.load(state, Settings(trust=NO_TRUST)))


def in_time_order(stories: list[Story]) -> list[Story]:
    """Earliest first (by first article), undated stories last, ties by id."""
    return sorted(stories, key=lambda s: (parse_time(s.first_seen) or parse_time(s.last_seen) or _UNDATED, s.id))


@router.get("/threads/{thread_id}", response_class=HTMLResponse)
def thread_page(thread_id: str, store: StoreDep) -> HTMLResponse:
    threads = thread_map(store)
    ids = threads.stories_of(thread_id.strip()) if threads is not None else ()
    stories: list[Story] = []
    for sid in ids:
        with contextlib.suppress(NotFound):  # clustered, but its analysis is not written yet
            stories.append(store.get_story(sid))
    if not stories:
        raise NotFound(f"no thread with id {thread_id!r} (a story page links to its thread)")
    ordered = in_time_order(stories)
    shown = ordered[:MAX_THREAD_STORIES]
    first = ordered[0]
    return render("thread.html", title=f"Thread: {first.title}", thread_id=thread_id.strip(), stories=shown,
                  total=len(ordered), more=len(ordered) - len(shown))
