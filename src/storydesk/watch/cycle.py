"""Watch sources: re-read them on a schedule, ingest what is new, update the stories it touches.

In: a `Desk` (the store), the sources (feed or page URLs, files, folders), a `StopFlag`. Out: one
`CycleReport` per cycle (new articles, stories new / updated / merged away, skips), handed to a
callback; nothing here prints.

The one idea: a cycle is a series of committed steps (each source's ingest, clustering, analyses
in batches of `WatchConfig.analyse_step` stories), and a stop request is honoured only between
them. So whatever stops a cycle leaves a consistent store, and each cycle starts by finishing
what an earlier one left: articles stored but in no story are clustered (pipeline.cluster takes
every unassigned article), and stories whose stored record lags their articles (clustered, not
yet analysed; or emptied by a merge, not yet dropped) are analysed again (`unfinished_stories`).
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from storydesk.errors import StorydeskError
from storydesk.records import Record, Skip, Story
from storydesk.watch.stop import StopFlag

if TYPE_CHECKING:
    from storydesk.api import Desk
    from storydesk.engine import Engine
    from storydesk.store import SqliteStore

_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)?\s*$", re.I)
_UNIT_S = {"s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass(frozen=True, slots=True)
class WatchConfig:
    """How a watch runs its cycles."""

    # Stories analysed between two looks at the stop flag. Most stories of a feed cycle are one or
    # two articles (cross-check + brief ~0.1-1 s each on the shared 2-core box), so 16 keep a stop
    # within seconds while still giving a worker pool whole batches.
    analyse_step: int = 16
    # The shortest --every accepted: re-fetching a feed more often than this is abusive to its
    # server and gains nothing (outlets publish minutes apart).
    min_every_s: float = 1.0


WATCH = WatchConfig()


def parse_every(text: str, config: WatchConfig = WATCH) -> float:
    """Seconds from `90s`, `15m`, `2h` or a bare number of seconds; ValueError names the problem."""
    m = _EVERY.match(text or "")
    if not m:
        raise ValueError(f"{text!r} is not a duration: write 90s, 15m or 2h")
    seconds = float(m.group(1)) * _UNIT_S[(m.group(2) or "s")[0].lower()]
    if seconds < config.min_every_s:
        raise ValueError(f"{text!r} is shorter than {config.min_every_s:g} s")
    return seconds


@dataclass(frozen=True, slots=True)
class NewArticle(Record):
    """An article first stored by this cycle."""

    id: str
    outlet: str | None
    title: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class TouchedStory(Record):
    """A story this cycle changed: `status` is "new", "updated" or "removed" (merged into another)."""

    id: str
    status: str
    title: str | None = None
    article_count: int = 0
    outlet_count: int = 0


@dataclass(frozen=True, slots=True)
class CycleReport(Record):
    """What one cycle did.

    `resumed_articles` were stored by an earlier, interrupted run and clustered now;
    `interrupted` names the step a stop request came before ("ingest", "cluster", "analyse"),
    None when the cycle finished.
    """

    cycle: int
    started: str
    seconds: float
    new_articles: tuple[NewArticle, ...] = ()
    stories: tuple[TouchedStory, ...] = ()
    resumed_articles: int = 0
    skipped: tuple[Skip, ...] = ()
    interrupted: str | None = None

    def lines(self) -> list[str]:
        """The report as lines for people: a summary, then one line per article and story."""
        counts = Counter(s.status for s in self.stories)
        parts = [f"{_n(len(self.new_articles), 'new article')}",
                 f"{_n(counts['new'], 'new story', 'new stories')}", f"{counts['updated']} updated"]
        if counts["removed"]:
            parts.append(f"{counts['removed']} merged away")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        head = f"cycle {self.cycle} ({self.started}, {self.seconds:.1f} s): "
        quiet = not (self.new_articles or self.stories or self.skipped or self.resumed_articles)
        out = [head + ("nothing new" if quiet else ", ".join(parts))]
        out += [f"  + article {a.id}  {a.outlet or '?'}: {a.title or '(untitled)'}" for a in self.new_articles]
        for s in self.stories:
            mark = {"new": "+", "updated": "~", "removed": "-"}.get(s.status, "?")
            what = ("merged into another story" if s.status == "removed" else
                    f"\"{s.title or ''}\" ({_n(s.article_count, 'article')}, {_n(s.outlet_count, 'outlet')}) "
                    f"{s.status}")
            out.append(f"  {mark} story {s.id}  {what}")
        if self.resumed_articles:
            out.append(f"  completed from an interrupted run: {_n(self.resumed_articles, 'article')} clustered")
        if self.interrupted:
            out.append(f"  stopped before {self.interrupted}: the next run completes it")
        return out


def _n(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(slots=True)
class WatchState:
    """What a watch remembers between cycles: each local file's (mtime, size) when last ingested.

    Only files that changed are read again; a restart reads them all once (ingest is idempotent).
    """

    files: dict[str, tuple[int, int]] = field(default_factory=dict)


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def _walk(root: Path) -> Iterator[Path]:
    """Files under `root` as ingest walks them: sorted, hidden names (".") left out."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def _inputs(sources: Sequence[str], state: WatchState) -> Iterator[tuple[str, tuple[int, int] | None]]:
    """(input, its file signature or None for a URL) for every URL and every changed local file."""
    for source in sources:
        if _is_url(source):
            yield source, None
            continue
        path = Path(source)
        files = _walk(path) if path.is_dir() else [path]
        for f in files:
            try:
                st = f.stat()
            except OSError:
                continue  # gone since the walk listed it: nothing to read
            sig = (st.st_mtime_ns, st.st_size)
            if state.files.get(str(f)) != sig:
                yield str(f), sig


def unfinished_stories(store: SqliteStore) -> set[str]:
    """Stories whose stored record does not match their articles: clustered but not yet analysed
    (missing, or counting other articles), or left without articles by a merge and not yet dropped.

    Members are counted as `pipeline.analyse` reads them (`assignments_of_stories`: a page's
    newest text only), so a story with an edited page is not taken for unfinished forever; and
    the articles of outlets the user hid, which a stored story does not count but names in its
    `trust` note, count as read.
    """
    stored = {r["id"]: r["article_count"] for r in store.list_stories()}
    ids = {a.story for a in store.assignments().values()} | set(stored)
    members = Counter(a.story for a in store.assignments_of_stories(ids).values())
    lagging = {sid for sid, n in members.items() if stored.get(sid) != n}
    for sid in [s for s in lagging if s in stored and stored[s] < members[s]]:
        trust = store.get_story(sid).trust  # only the few stories that look behind are read
        if trust is not None and stored[sid] + len(trust.hidden_articles) == members[sid]:
            lagging.discard(sid)
    return lagging | {sid for sid in stored if sid not in members}


def run_cycle(desk: Desk, sources: Sequence[str], stop: StopFlag, *, cycle: int = 1,
              state: WatchState | None = None, on_skip: Callable[[Skip], None] | None = None,
              config: WatchConfig = WATCH) -> CycleReport:
    """One cycle: ingest each source, cluster, analyse the stories touched (and any left unfinished).

    A stop request is honoured between steps; the report says which step it came before.
    """
    from storydesk.pipeline import open_engine

    state = state if state is not None else WatchState()
    started, t0 = _now(), time.monotonic()
    store = desk.store
    stored_before = set(store.article_ids())
    stories_before = {r["id"] for r in store.list_stories()}
    new_ids: list[str] = []
    skips: list[Skip] = []

    def report(interrupted: str | None, stories: Sequence[TouchedStory] = (), resumed: int = 0) -> CycleReport:
        arts = {a.id: a for a in store.iter_articles(new_ids)}
        return CycleReport(
            cycle=cycle, started=started, seconds=round(time.monotonic() - t0, 3),
            new_articles=tuple(NewArticle(i, arts[i].outlet, arts[i].title, arts[i].url) for i in new_ids if i in arts),
            stories=tuple(stories), resumed_articles=resumed, skipped=tuple(skips), interrupted=interrupted,
        )

    for source, sig in _inputs(sources, state):
        if stop.requested:
            return report("ingest")
        first_skip = len(desk.skipped)
        try:
            seen = desk.ingest([source])
        except StorydeskError as exc:  # e.g. a watched file deleted between listing and reading
            desk.skipped.append(Skip(source, "not-found", str(exc)))
            seen = []
        for skip in desk.skipped[first_skip:]:
            skips.append(skip)
            if on_skip is not None:
                on_skip(skip)
        del desk.skipped[first_skip:]  # the report keeps them; a long watch must not pile them up
        new_ids += [i for i in seen if i not in stored_before and i not in new_ids]
        if sig is not None:
            state.files[source] = sig
    if stop.requested:
        return report("cluster")

    all_ids = store.article_ids()
    known = store.assignments_of(all_ids)
    unclustered = [i for i in all_ids if i not in known]
    pending = unfinished_stories(store)
    if not unclustered and not pending:
        return report(None)
    resumed = len([i for i in unclustered if i in stored_before])
    engine = open_engine(desk.settings)
    try:
        pending |= _cluster(desk, all_ids, engine)
        if stop.requested:
            return report("analyse", _touched(store, pending, stories_before, ()), resumed)
        done: list[Story] = []
        order = sorted(pending)
        for i in range(0, len(order), config.analyse_step):
            if stop.requested:
                return report("analyse", _touched(store, pending, stories_before, done), resumed)
            done += _analyse(desk, order[i : i + config.analyse_step], engine, skips, on_skip)
    finally:
        engine.close()
    return report(None, _touched(store, pending, stories_before, done), resumed)


def _cluster(desk: Desk, article_ids: Sequence[str], engine: Engine) -> set[str]:
    from storydesk.pipeline import cluster

    return cluster(desk.store, desk.settings, article_ids, engine=engine)


def _analyse(desk: Desk, story_ids: Sequence[str], engine: Engine, skips: list[Skip],
             on_skip: Callable[[Skip], None] | None) -> list[Story]:
    from storydesk.pipeline import analyse

    failed: list[Skip] = []
    stories = analyse(desk.store, desk.settings, story_ids, engine=engine, skipped=failed)
    skips += failed
    for skip in failed:
        if on_skip is not None:
            on_skip(skip)
    return stories


def _touched(store: SqliteStore, story_ids: set[str], before: set[str], done: Sequence[Story]) -> list[TouchedStory]:
    """The stories analysed (new or updated) and those a merge emptied (removed), by id.

    Before analysis (`done` empty for them) a story is left out: it has not changed visibly yet.
    """
    out: list[TouchedStory] = []
    analysed = {s.id for s in done}
    for s in done:
        out.append(TouchedStory(s.id, "updated" if s.id in before else "new", s.title, s.article_count,
                                s.outlet_count))
    live = {r["id"] for r in store.list_stories()}
    out += [TouchedStory(sid, "removed") for sid in sorted(story_ids - analysed) if sid in before and sid not in live]
    return sorted(out, key=lambda t: ({"new": 0, "updated": 1, "removed": 2}[t.status], t.id))


def run_watch(desk: Desk, sources: Sequence[str], every_s: float, stop: StopFlag, *,
              on_cycle: Callable[[CycleReport], None], on_skip: Callable[[Skip], None] | None = None,
              once: bool = False, config: WatchConfig = WATCH) -> int:
    """Run cycles every `every_s` seconds (start to start) until `stop` is requested; return how many ran.

    Example:
        >>> with StopFlag.installed() as stop, Desk("newsroom") as desk:  # doctest: +SKIP
        ...     run_watch(desk, ["https://example.org/feed.xml"], 900, stop, on_cycle=print)
    """
    state = WatchState()
    cycles = 0
    while not stop.requested:
        cycles += 1
        t0 = time.monotonic()
        on_cycle(run_cycle(desk, sources, stop, cycle=cycles, state=state, on_skip=on_skip, config=config))
        if once:
            break
        stop.sleep(every_s - (time.monotonic() - t0))
    return cycles


__all__ = [
    "WATCH",
    "CycleReport",
    "NewArticle",
    "TouchedStory",
    "WatchConfig",
    "WatchState",
    "parse_every",
    "run_cycle",
    "run_watch",
    "unfinished_stories",
]
