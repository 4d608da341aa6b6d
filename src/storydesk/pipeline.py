"""Wire the stages: ingest -> clean -> store -> cluster -> cross-check -> brief -> reports.

`run()` is the main job behind `storydesk run`; `ingest()`, `cluster()` and `analyse()` are its
steps, also used alone by the CLI. The stage functions live in their subpackages; this module only
moves records between them and the store, reporting progress through an optional `Progress`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from storydesk.embed import reads
from storydesk.engine import Engine
from storydesk.errors import InputError, UsageError
from storydesk.records import (
    Article,
    Assignment,
    BriefSentence,
    Original,
    RawDocument,
    RunSummary,
    Skip,
    Story,
)
from storydesk.settings import Settings
from storydesk.store import SqliteStore, open_store

# Documents cleaned and stored per batch: each batch is committed before the next is read, so a
# killed ingest keeps everything before the batch in flight.
INGEST_BATCH = 200
# Articles clustered per step: StoryIndex.add takes them in one call while the workers already
# embed the next step's leads, so a step should be a few embedding batches (not the whole run,
# or the workers would idle during every add); bounds memory to one step of articles and vectors.
CLUSTER_CHUNK = 256
# Leads per embedding task: MiniLM's own batch, small enough that a step spreads over the workers.
LEAD_BATCH = 64
# Stories handed to the engine per task in `analyse`: most stories are one or two articles, so one
# story per task would spend more time shipping than working. A task takes whole stories, largest
# first, until it holds ANALYSE_ARTICLES articles (or ANALYSE_CHUNK stories): a story's analysis
# grows with its articles, and with a day's Zipf-like story sizes a fixed four stories per task in
# id order left one worker idle while the other finished a task holding a big story.
ANALYSE_CHUNK = 4
ANALYSE_ARTICLES = 8


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


class OriginalsInFlight:
    """The bytes each document was read from, held here while the document is cleaned elsewhere.

    `hold` takes a document's bytes off it before it goes to a worker (they would be pickled
    beside its text for nothing) and queues them; an engine's `map` gives one outcome per
    document in order, so `match` pairs the head of the queue with the outcome in hand and keeps
    it when that is an article naming it; `take` hands the kept ones to `add_articles`.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes  # Settings.max_bytes: the bound on anything read, kept too
        self._queue: deque[Original | None] = deque()
        self._kept: dict[str, Original] = {}

    def hold(self, doc: RawDocument) -> RawDocument:
        if doc.original is None:
            self._queue.append(None)
            return doc
        self._queue.append(doc.original if len(doc.original.data) <= self.max_bytes else None)
        return dataclasses.replace(doc, original=None)

    def match(self, outcome: Article | Skip) -> None:
        original = self._queue.popleft() if self._queue else None
        sha = outcome.provenance.original_sha256 if isinstance(outcome, Article) and outcome.provenance else None
        if original is not None and sha is not None:
            self._kept[sha] = original

    def take(self) -> dict[str, Original]:
        kept, self._kept = self._kept, {}
        return kept


def open_engine(settings: Settings) -> Engine:
    """The run's executor, its workers loading the per-process models once at start.

    MiniLM is loaded only when `settings.embed` (clustering and cross-check embed on the workers).
    """
    from storydesk.engine import get_engine, warm_up

    return get_engine(settings, initializer=functools.partial(warm_up, embed=settings.embed))


@contextlib.contextmanager
def _engine(settings: Settings, engine: Engine | None, embed: bool) -> Iterator[Engine]:
    """`engine` as given (the caller closes it), or a fresh one closed on exit.

    `embed`: whether the fresh one's workers will embed (and so should load MiniLM at start).
    """
    if engine is not None:
        yield engine
        return
    own = open_engine(settings.replace(embed=settings.embed and embed))
    try:
        yield own
    finally:
        own.close()


def ingest(paths: Sequence[str | Path], settings: Settings, store: SqliteStore,
           progress: Progress | None = None, engine: Engine | None = None) -> IngestResult:
    """Read, clean and store every input; re-learn outlet templates for the outlets touched.

    Streaming: documents are read, cleaned on `engine` (one is started when None) and stored one
    batch of INGEST_BATCH at a time, each batch in one transaction, so memory stays flat in the
    input's size.
    """
    from storydesk.ingest import iter_inputs

    progress = progress or _Silent()
    result = IngestResult()
    clean = functools.partial(clean_one, settings=settings)
    progress.stage("ingest + clean")
    seen: set[str] = set()
    originals = OriginalsInFlight(settings.max_bytes)

    def documents() -> Iterator[RawDocument]:
        # inputs that cannot be read are reported as they are met; the rest go to the workers
        for d in iter_inputs(paths, settings):
            if isinstance(d, Skip):
                result.skipped.append(d)
                progress.skipped(d)
                progress.advance()
            else:
                yield originals.hold(d)

    def store_batch(articles: list[Article], done: int) -> None:
        result.new += store.add_articles(articles, originals.take())
        progress.advance(done)

    with _engine(settings, engine, embed=False) as eng:
        articles: list[Article] = []
        done = 0
        # One map over the whole input, so the workers never wait for a batch to drain while
        # this process stores it. Chunks of 8: a page takes ~10-100 ms to clean, so 8 amortise
        # the pickling while keeping both workers busy.
        for out in eng.map(clean, documents(), chunksize=8):
            done += 1
            originals.match(out)
            if isinstance(out, Skip):
                result.skipped.append(out)
                progress.skipped(out)
            elif out.id not in seen:
                seen.add(out.id)
                articles.append(out)
                result.seen.append(out.id)
            if done >= INGEST_BATCH:
                store_batch(articles, done)
                articles, done = [], 0
        if articles or done:
            store_batch(articles, done)
    if result.new:
        result.recleaned = _apply_templates(store, set(result.new), progress)
    return result


def _apply_templates(store: SqliteStore, new_ids: set[str], progress: Progress) -> list[str]:
    """Learn each touched outlet's template lines from all its stored articles; re-clean them.

    Each outlet's articles are read once and held only while that outlet is processed.
    """
    from storydesk.clean import apply_templates, learn_templates

    outlets = store.outlets_of(new_ids)
    changed: list[str] = []
    progress.stage("outlet templates", len(outlets))
    for outlet in outlets:
        arts = list(store.iter_articles(store.article_ids(outlet=outlet)))
        if len(arts) >= 2:
            templates = learn_templates(arts)
            updated = [u for a in arts if (u := apply_templates(a, templates)) != a]
            if updated:
                store.update_articles(updated)
                changed += [a.id for a in updated]
        progress.advance()
    return changed


def _with_leads(engine: Engine, articles: Iterable[Article]) -> Iterator[tuple[list[Article], np.ndarray]]:
    """(articles, their title + lead MiniLM vectors) in steps of CLUSTER_CHUNK, embedded on the workers.

    The embedding runs ahead of the caller (the engine keeps its in-flight batches busy while the
    caller assigns the previous step), and each article is read from the store once.
    """
    from storydesk.cluster.features import lead
    from storydesk.engine.candidates import embed_nonempty_batch

    waiting: deque[Article] = deque()

    def texts() -> Iterator[str]:
        for a in articles:
            waiting.append(a)
            yield lead(a)

    arts: list[Article] = []
    vecs: list[np.ndarray] = []
    for batch in engine.map_batches(embed_nonempty_batch, texts(), batch_size=LEAD_BATCH):
        arts += [waiting.popleft() for _ in range(len(batch))]
        vecs.append(batch)
        if len(arts) >= CLUSTER_CHUNK:
            yield arts, np.concatenate(vecs)
            arts, vecs = [], []
    if arts:
        yield arts, np.concatenate(vecs)


def cluster(store: SqliteStore, settings: Settings, article_ids: Sequence[str],
            progress: Progress | None = None, engine: Engine | None = None) -> set[str]:
    """Give each not-yet-clustered article a story; return the ids of stories that changed.

    The per-article half (lead embeddings) runs on `engine`'s workers, one step ahead; the
    assignment itself is sequential (each article sees the ones before it) and runs here.
    """
    from storydesk.cluster import StoryIndex
    from storydesk.cluster.threads import THREAD_STATE, ThreadMap

    progress = progress or _Silent()
    known = store.assignments_of(article_ids)
    todo = [i for i in dict.fromkeys(article_ids) if i not in known]
    if not todo:
        return set()
    progress.stage("cluster", len(todo))
    index = StoryIndex.load(store.get_state("cluster"), settings)
    assignments: list[Assignment] = []
    if index.dense:
        with _engine(settings, engine, embed=True) as eng:
            for arts, vectors in _with_leads(eng, store.iter_articles(todo)):
                assignments += index.add(arts, vectors)
                progress.advance(len(arts))
    else:
        for i in range(0, len(todo), CLUSTER_CHUNK):
            arts = list(store.iter_articles(todo[i : i + CLUSTER_CHUNK]))
            assignments += index.add(arts)
            progress.advance(len(arts))
    # earlier articles whose assignment changed (a merge moved them, or their syndicated_from
    # changed): the stories they left must be rebuilt or dropped too
    before = store.assignments_of(a.article for a in assignments)
    store.set_assignments(assignments)
    store.put_state("cluster", index.dump())
    store.put_story_aliases(index.drain_aliases())  # merged-away story ids keep resolving (issue 22)
    affected = {a.story for a in assignments}
    affected |= {before[a.article].story for a in assignments if a.article in before}
    # a new text of a page replaces its older text in that text's story too (issue 25)
    affected |= {a.story for a in store.assignments_of(store.earlier_versions(todo)).values()}
    # the thread map goes to the store beside the index, so `analyse` and the web read it without
    # loading the index again; stories left untouched whose thread changed (two threads joined)
    # are analysed again, or their stored `thread` would name a thread that no longer exists
    threads = ThreadMap.from_index(index)
    old_threads = ThreadMap.from_bytes(store.get_state(THREAD_STATE))
    store.put_state(THREAD_STATE, threads.to_bytes())
    if old_threads is not None:
        affected |= threads.moved(old_threads)
    return affected


def _analyse_chunk(items: list[tuple[str, list[Article], dict[str, Assignment]]],
                   settings: Settings) -> list[tuple[Story, Skip | None]]:
    """Analyse a few stories in a worker; a story whose analysis fails keeps its description."""
    from storydesk.brief import summarise
    from storydesk.cluster import describe
    from storydesk.crosscheck import crosscheck

    out: list[tuple[Story, Skip | None]] = []
    for sid, arts, assignments in items:
        try:
            out.append((analyse_story(sid, arts, assignments, settings, describe, crosscheck, summarise), None))
        except Exception as exc:  # one story's bug must not lose the run's other stories
            skip = Skip(source=f"story {sid}", reason="analyse-failed", detail=f"{type(exc).__name__}: {exc}")
            out.append((describe(sid, arts, assignments), skip))
    return out


def _analyse_tasks(items: list[list[tuple[str, list[Article], dict[str, Assignment]]]],
                   settings: Settings) -> list[tuple[Story, Skip | None]]:
    """`_analyse_chunk` over one engine batch of tasks (`analyse` sends one task per batch)."""
    return [out for task in items for out in _analyse_chunk(task, settings)]


def _story_inputs(store: SqliteStore, wanted: Sequence[str], members: dict[str, list[str]],
                  assignments: dict[str, Assignment]) -> Iterator[tuple[str, list[Article], dict[str, Assignment]]]:
    """(story id, its articles, their assignments) per story, reading each story's articles once."""
    for sid in wanted:
        ids = members[sid]
        yield sid, list(store.iter_articles(ids)), {i: assignments[i] for i in ids}


def _largest_first(wanted: Sequence[str], members: Mapping[str, Sequence[str]]) -> tuple[list[str], list[int]]:
    """Stories in the order they go to the workers (most articles first, then id) and task sizes.

    Largest first, so the long analyses start while small ones can still fill the other
    workers; a task closes at ANALYSE_ARTICLES articles or ANALYSE_CHUNK stories.
    """
    order = sorted(wanted, key=lambda s: (-len(members[s]), s))
    sizes: list[int] = []
    stories = articles = 0
    for sid in order:
        stories += 1
        articles += len(members[sid])
        if stories >= ANALYSE_CHUNK or articles >= ANALYSE_ARTICLES:
            sizes.append(stories)
            stories = articles = 0
    if stories:
        sizes.append(stories)
    return order, sizes


def _tasks(items: Iterator[tuple[str, list[Article], dict[str, Assignment]]],
           sizes: Sequence[int]) -> Iterator[list[tuple[str, list[Article], dict[str, Assignment]]]]:
    for n in sizes:
        yield [next(items) for _ in range(n)]


def _threads(store: SqliteStore, settings: Settings, story_ids: Sequence[str]) -> dict[str, str]:
    """Story id -> the id of its thread, from the map `cluster` handed over (empty before any
    clustering); a store clustered before that map was kept reads the clustering state instead."""
    from storydesk.cluster import StoryIndex
    from storydesk.cluster.threads import THREAD_STATE, ThreadMap

    threads = ThreadMap.from_bytes(store.get_state(THREAD_STATE))
    if threads is None:
        state = store.get_state("cluster")
        if state is None:
            return {}
        threads = ThreadMap.from_index(StoryIndex.load(state, settings))
    return {sid: t for sid in story_ids if (t := threads.thread_of(sid)) is not None}


def analyse(store: SqliteStore, settings: Settings, story_ids: Iterable[str],
            progress: Progress | None = None, engine: Engine | None = None,
            skipped: list[Skip] | None = None) -> list[Story]:
    """Describe, cross-check and brief each given story on `engine`'s workers; store and return them.

    Only the given stories are touched (a run passes the ones its articles changed). Stories come
    back in the order given and are stored in batches. A story whose cross-check or brief fails is
    stored with its description only, and a Skip for it goes to `progress` (and `skipped`).
    """
    progress = progress or _Silent()
    wanted_all = sorted(set(story_ids))
    assignments = store.assignments_of_stories(wanted_all)
    members: dict[str, list[str]] = defaultdict(list)
    for a in assignments.values():
        members[a.story].append(a.article)
    gone = [s for s in wanted_all if s not in members]
    if gone:
        store.delete_stories(gone)
    wanted = [s for s in wanted_all if s in members]
    stories: list[Story] = []
    if not wanted:
        return stories
    progress.stage("cross-check + brief", len(wanted))
    fn = functools.partial(_analyse_tasks, settings=settings)
    order, sizes = _largest_first(wanted, members)
    tasks = _tasks(_story_inputs(store, order, members, assignments), sizes)
    pending: list[Story] = []
    threads = _threads(store, settings, wanted)
    with _engine(settings, engine, embed=True) as eng:
        for result in eng.map_batches(fn, tasks, batch_size=1):
            for story, skip in result:
                story = dataclasses.replace(story, thread=threads.get(story.id))
                if skip is not None:
                    progress.skipped(skip)
                    if skipped is not None:
                        skipped.append(skip)
                pending.append(story)
                progress.advance()
            if len(pending) >= INGEST_BATCH:
                store.put_stories(pending, analysed_with=settings.analysis_key())
                stories += pending
                pending = []
    if pending:
        store.put_stories(pending, analysed_with=settings.analysis_key())
        stories += pending
    rank = {sid: k for k, sid in enumerate(wanted)}
    return sorted(stories, key=lambda st: rank[st.id])


def _independent(arts: Sequence[Article], assignments: Mapping[str, Assignment]) -> int:
    """How many of the articles are originals (a syndicated copy counts as its original)."""
    return len({(assignments[a.id].syndicated_from if a.id in assignments else None) or a.id for a in arts})


def analyse_story(sid: str, arts: Sequence[Article], assignments: Mapping[str, Assignment],
                  settings: Settings, describe: Callable[..., Story], crosscheck: Callable[..., object],
                  summarise: Callable[..., tuple[BriefSentence, ...]]) -> Story:
    """One story from its articles: description, cross-check, brief.

    A story told by one original (alone or with copies of it) has nothing to align across
    sources, so it is cross-checked and briefed on word overlap instead of MiniLM embeddings:
    the same fields, at a fraction of the cost, for what is most stories of a day's news. So is
    a story with an article in a language MiniLM does not read (`embed.reads`).
    Outlets the user hid (storydesk.trust, issue 25) sit out the whole analysis; a story they alone
    tell keeps only its description.
    """
    from storydesk.trust import trusted_inputs

    trusted = trusted_inputs(arts, assignments, settings.outlet_trust)
    if not trusted.articles:
        return trusted.finish(describe(sid, arts, assignments))
    arts, assignments = trusted.articles, trusted.assignments
    story = describe(sid, arts, assignments)
    syndicated = {a.id: assignments[a.id].syndicated_from if a.id in assignments else None for a in arts}
    # MiniLM reads English only: a story with an article in another language is aligned and
    # briefed on word overlap, which reads every language alike (and costs a fraction)
    if _independent(arts, assignments) <= 1 or not all(reads(a.language) for a in arts):
        settings = settings.replace(embed=False)
    cross = crosscheck(arts, syndicated, settings)
    brief = summarise(arts, cross, syndicated, settings)
    return trusted.finish(dataclasses.replace(
        story,
        brief=tuple(brief),
        claims=cross.claims,  # type: ignore[attr-defined]
        discrepancies=cross.discrepancies,  # type: ignore[attr-defined]
        quotes=cross.quotes,  # type: ignore[attr-defined]
        entities=cross.entities,  # type: ignore[attr-defined]
        timeline=cross.timeline,  # type: ignore[attr-defined]
        exclusive=cross.exclusive,  # type: ignore[attr-defined]
        facts=cross.facts,  # type: ignore[attr-defined]
    ))


def run(paths: Sequence[str | Path], out_dir: Path | str, settings: Settings,
        progress: Progress | None = None, store: SqliteStore | None = None) -> RunSummary:
    """The main job: ingest, clean, cluster, cross-check, brief, and write reports into `out_dir`.

    The reports cover every story holding an article from these inputs (not the whole store).
    One engine serves every stage, so its workers load their models once for the whole run.
    """
    from storydesk.report import write_reports

    if not paths:
        raise UsageError("give at least one file, directory, feed URL or archive")
    out = Path(out_dir)
    progress = progress or _Silent()
    own = store is None
    store = store or open_store(settings.data_dir)
    timings: dict[str, float] = {}
    skipped: list[Skip] = []
    try:
        t = time.perf_counter()
        with _engine(settings, None, embed=True) as engine:
            timings["engine"] = time.perf_counter() - t
            t = time.perf_counter()
            res = ingest(paths, settings, store, progress, engine)
            skipped += res.skipped
            timings["ingest"] = time.perf_counter() - t

            t = time.perf_counter()
            touched = cluster(store, settings, res.seen, progress, engine)
            timings["cluster"] = time.perf_counter() - t

            assignments = store.assignments_of(res.seen + res.recleaned)
            # stories whose articles were re-cleaned by a template update need a fresh analysis too
            touched |= {assignments[i].story for i in res.recleaned if i in assignments}
            # and those made with other analysis settings (another --brief-words): what this run
            # is asked for wins over what the store holds (issue 24)
            touched |= store.stale_stories({assignments[i].story for i in res.seen if i in assignments},
                                           settings.analysis_key())
            t = time.perf_counter()
            analyse(store, settings, touched, progress, engine, skipped)
            timings["analyse"] = time.perf_counter() - t

        t = time.perf_counter()
        run_stories = sorted({assignments[i].story for i in res.seen if i in assignments})
        stories = [store.get_story(s) for s in run_stories]
        stories.sort(key=lambda s: (-(s.article_count), s.last_seen or "", s.id))
        articles = {a.id: a for a in store.iter_articles(
            [x.id for s in stories for x in s.articles])}
        progress.stage("reports")
        write_reports(stories, out, articles)
        timings["report"] = time.perf_counter() - t
        return RunSummary(
            ingested=len(res.seen), new=len(res.new), skipped=tuple(skipped),
            stories=len(stories), out_dir=str(out), timings=timings,
        )
    finally:
        if own:
            store.close()
