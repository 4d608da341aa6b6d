"""Wire the stages: ingest -> clean -> store -> cluster -> cross-check -> brief -> reports.

`run()` is the main job behind `storydesk run`; `ingest()`, `cluster()` and `analyse()` are its
steps, also used alone by the CLI. The stage functions live in their subpackages; this module only
moves records between them and the store, reporting progress through an optional `Progress`.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from storydesk.errors import InputError, UsageError
from storydesk.records import Article, Assignment, RawDocument, RunSummary, Skip, Story
from storydesk.settings import Settings
from storydesk.store import SqliteStore, open_store

# Documents cleaned and stored per batch: each batch is committed before the next is read, so a
# killed ingest keeps everything before the batch in flight.
INGEST_BATCH = 200


class Progress(Protocol):
    """What the pipeline tells its caller while it works (the CLI draws rich bars from it)."""

    def stage(self, name: str, total: int | None = None) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def skipped(self, skip: Skip) -> None: ...


class _Silent:
    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def skipped(self, skip: Skip) -> None:
        pass


@dataclass(slots=True)
class IngestResult:
    """What one ingest did: every article id it saw (new or already stored), the new ones, skips."""

    seen: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    recleaned: list[str] = field(default_factory=list)


def clean_one(doc: RawDocument, settings: Settings | None = None) -> Article | Skip:
    """Clean one document; a failure becomes a Skip for that document, never a crash of the run.

    Module-level so process pools and Dask can pickle it (with `functools.partial` for settings).
    """
    from storydesk.clean import clean_document

    name = doc.provenance.source + (f" {doc.provenance.locator}" if doc.provenance.locator else "")
    try:
        art = clean_document(doc, settings or Settings.from_env())
    except InputError as exc:
        return Skip(source=name, reason=exc.reason, detail=exc.detail)
    except Exception as exc:  # a bug on one odd page must not lose the rest of the run
        return Skip(source=name, reason="clean-failed", detail=f"{type(exc).__name__}: {exc}")
    if not art.text.strip():
        return Skip(source=name, reason="no-text", detail="nothing left after cleaning")
    return art


def _batched(items: Iterable[RawDocument | Skip], size: int) -> Iterator[list[RawDocument | Skip]]:
    batch: list[RawDocument | Skip] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ingest(paths: Sequence[str | Path], settings: Settings, store: SqliteStore,
           progress: Progress | None = None) -> IngestResult:
    """Read, clean and store every input; re-learn outlet templates for the outlets touched."""
    from storydesk.engine import get_engine
    from storydesk.ingest import iter_inputs

    progress = progress or _Silent()
    result = IngestResult()
    clean = functools.partial(clean_one, settings=settings)
    engine = get_engine(settings)
    progress.stage("ingest + clean")
    seen: set[str] = set()
    try:
        for batch in _batched(iter_inputs(paths, settings), INGEST_BATCH):
            docs = [d for d in batch if isinstance(d, RawDocument)]
            for d in batch:
                if isinstance(d, Skip):
                    result.skipped.append(d)
                    progress.skipped(d)
            articles: list[Article] = []
            for out in engine.map(clean, docs):
                if isinstance(out, Skip):
                    result.skipped.append(out)
                    progress.skipped(out)
                elif out.id not in seen:
                    seen.add(out.id)
                    articles.append(out)
                    result.seen.append(out.id)
            result.new += store.add_articles(articles)
            progress.advance(len(batch))
    finally:
        engine.close()
    if result.new:
        result.recleaned = _apply_templates(store, set(result.new), progress)
    return result


def _apply_templates(store: SqliteStore, new_ids: set[str], progress: Progress) -> list[str]:
    """Learn each touched outlet's template lines from all its stored articles; re-clean them."""
    from storydesk.clean import apply_templates, learn_templates

    outlets = {a.outlet for a in store.iter_articles(new_ids) if a.outlet}
    changed: list[Article] = []
    progress.stage("outlet templates", len(outlets))
    for outlet in sorted(outlets):
        ids = [r["id"] for r in store.list_articles(outlet=outlet)]
        if len(ids) < 2:
            progress.advance()
            continue
        templates = learn_templates(store.iter_articles(ids))
        for art in store.iter_articles(ids):
            updated = apply_templates(art, templates)
            if updated != art:
                changed.append(updated)
        progress.advance()
    if changed:
        store.update_articles(changed)
    return [a.id for a in changed]


def cluster(store: SqliteStore, settings: Settings, article_ids: Sequence[str],
            progress: Progress | None = None) -> set[str]:
    """Give each not-yet-clustered article a story; return the ids of stories that changed."""
    from storydesk.cluster import StoryIndex

    progress = progress or _Silent()
    known = store.assignments()
    todo = [i for i in dict.fromkeys(article_ids) if i not in known]
    if not todo:
        return set()
    progress.stage("cluster", len(todo))
    index = StoryIndex.load(store.get_state("cluster"), settings)
    assignments: list[Assignment] = []
    chunk = 1000
    for i in range(0, len(todo), chunk):
        arts = list(store.iter_articles(todo[i : i + chunk]))
        assignments += index.add(arts)
        progress.advance(len(arts))
    store.set_assignments(assignments)
    store.put_state("cluster", index.dump())
    affected = {a.story for a in assignments}
    # a story an article left (merge) must be rebuilt or dropped too
    affected |= {known[a.article].story for a in assignments if a.article in known}
    return affected


def analyse(store: SqliteStore, settings: Settings, story_ids: Iterable[str],
            progress: Progress | None = None) -> list[Story]:
    """Describe, cross-check and brief each given story; store and return them."""
    from storydesk.brief import summarise
    from storydesk.cluster import describe
    from storydesk.crosscheck import crosscheck

    progress = progress or _Silent()
    assignments = store.assignments()
    members: dict[str, list[str]] = defaultdict(list)
    for a in assignments.values():
        members[a.story].append(a.article)
    wanted = sorted(set(story_ids))
    gone = [s for s in wanted if s not in members]
    if gone:
        store.delete_stories(gone)
    stories: list[Story] = []
    progress.stage("cross-check + brief", len(wanted) - len(gone))
    for sid in wanted:
        if sid not in members:
            continue
        arts = list(store.iter_articles(members[sid]))
        story = analyse_story(sid, arts, assignments, settings, describe, crosscheck, summarise)
        store.put_stories([story])
        stories.append(story)
        progress.advance()
    return stories


def analyse_story(sid: str, arts: Sequence[Article], assignments: dict[str, Assignment],
                  settings: Settings, describe: Callable[..., Story], crosscheck: Callable[..., object],
                  summarise: Callable[..., tuple[object, ...]]) -> Story:
    """One story from its articles: description, cross-check, brief."""
    story = describe(sid, arts, assignments)
    syndicated = {a.id: assignments[a.id].syndicated_from if a.id in assignments else None for a in arts}
    cross = crosscheck(arts, syndicated, settings)
    brief = summarise(arts, cross, syndicated, settings)
    return dataclasses.replace(
        story,
        brief=tuple(brief),
        claims=cross.claims,  # type: ignore[attr-defined]
        discrepancies=cross.discrepancies,  # type: ignore[attr-defined]
        quotes=cross.quotes,  # type: ignore[attr-defined]
        entities=cross.entities,  # type: ignore[attr-defined]
        timeline=cross.timeline,  # type: ignore[attr-defined]
        exclusive=cross.exclusive,  # type: ignore[attr-defined]
    )


def run(paths: Sequence[str | Path], out_dir: Path | str, settings: Settings,
        progress: Progress | None = None, store: SqliteStore | None = None) -> RunSummary:
    """The main job: ingest, clean, cluster, cross-check, brief, and write reports into `out_dir`.

    The reports cover every story holding an article from these inputs (not the whole store).
    """
    from storydesk.report import write_reports

    if not paths:
        raise UsageError("give at least one file, directory, feed URL or archive")
    out = Path(out_dir)
    progress = progress or _Silent()
    own = store is None
    store = store or open_store(settings.data_dir)
    timings: dict[str, float] = {}
    try:
        t = time.perf_counter()
        res = ingest(paths, settings, store, progress)
        timings["ingest"] = time.perf_counter() - t

        t = time.perf_counter()
        touched = cluster(store, settings, res.seen, progress)
        timings["cluster"] = time.perf_counter() - t

        assignments = store.assignments()
        # stories whose articles were re-cleaned by a template update need a fresh analysis too
        touched |= {assignments[i].story for i in res.recleaned if i in assignments}
        t = time.perf_counter()
        analyse(store, settings, touched, progress)
        timings["analyse"] = time.perf_counter() - t

        run_stories = sorted({assignments[i].story for i in res.seen if i in assignments})
        stories = [store.get_story(s) for s in run_stories]
        stories.sort(key=lambda s: (-(s.article_count), s.last_seen or "", s.id))
        articles = {a.id: a for a in store.iter_articles(
            [x.id for s in stories for x in s.articles])}
        t = time.perf_counter()
        progress.stage("reports")
        write_reports(stories, out, articles)
        timings["report"] = time.perf_counter() - t
        return RunSummary(
            ingested=len(res.seen), new=len(res.new), skipped=tuple(res.skipped),
            stories=len(stories), out_dir=str(out), timings=timings,
        )
    finally:
        if own:
            store.close()
