"""The Python API: `analyse(documents)` in memory, and `Desk(path)` over a store on disk.

Documents come as dicts in the JSONL input shape (`{"url", "outlet", "title", "published",
"text" or "html"}`, other fields ignored, missing ones allowed) or as paths the CLI would take
(files, directories, feed URLs, WARC archives), mixed freely. They go through the same stages
as `storydesk run`: the same parser turns a dict into a document as a JSONL line (so a dict and
that dict written to a .jsonl file give the same article id), then cleaning, clustering,
cross-check and brief. Out come `Story` records, biggest live story first.

    >>> import storydesk
    >>> stories = storydesk.analyse([{"outlet": "Daily", "title": "...", "text": "..."}, "more/"])  # doctest: +SKIP

A document that cannot be read never stops the others: it becomes a `Skip`, appended to the
`skipped` list when one is given. Nothing here prints.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from storydesk.errors import UsageError
from storydesk.records import Article, RawDocument, Skip, Story
from storydesk.settings import Settings, default_data_dir
from storydesk.store.sqlite import SqliteStore, open_store

Document = Mapping[str, Any] | str | os.PathLike[str]

# Cleaned articles stored per transaction (as `storydesk ingest` does: pipeline.INGEST_BATCH).
_BATCH = 200


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def _as_list(documents: Iterable[Document] | Document) -> Iterable[Document]:
    """One document (a dict or a path) or many."""
    if isinstance(documents, Mapping | str | os.PathLike):
        return [documents]
    return documents


def _check_paths(documents: Iterable[Document]) -> None:
    """A local path that does not exist is a usage error before anything runs (as in the CLI).

    Only a list or tuple is checked up front; an iterator is read once, so a missing path met
    in it becomes a Skip with reason "not-found".
    """
    if not isinstance(documents, Sequence):
        return
    missing = [os.fspath(d) for d in documents if isinstance(d, str | os.PathLike)
               and not _is_url(os.fspath(d)) and not Path(d).exists()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")


def _items(documents: Iterable[Document], settings: Settings) -> Iterator[RawDocument | Skip]:
    """Every document as a RawDocument (or a Skip naming it): dicts parsed, paths read."""
    from storydesk.ingest import iter_inputs
    from storydesk.ingest.jsonl import record_document

    for n, doc in enumerate(documents, 1):
        if isinstance(doc, Mapping):
            yield record_document(dict(doc), "documents", f"item {n}", settings)
        elif isinstance(doc, str | os.PathLike):
            yield from iter_inputs([os.fspath(doc)], settings)
        else:
            yield Skip(f"documents item {n}", "bad-record",
                       f"expected a dict or a path, found {type(doc).__name__}")


class Desk:
    """A storydesk store you can fill and read from Python: ingest, cluster, stories, story.

    Args:
        path: the data directory (what `--data` names); None: STORYDESK_DATA or the per-user
            data directory, as the CLI. Created when missing unless `create=False`.
        settings: stage options (brief length, workers, ...); None: `Settings.from_env()`.
        memory: keep the store in memory only (nothing written to disk); `path` is then ignored.
        create: False to refuse a directory that holds no store (StoreError), as the CLI's read
            commands do.

    Example:
        >>> with Desk("newsroom-data") as desk:  # doctest: +SKIP
        ...     desk.ingest(["feeds/today.jsonl", {"outlet": "Daily", "text": "..."}])
        ...     desk.cluster()
        ...     top = desk.stories(limit=10)
        ...     story = desk.story(top[0]["id"])
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, settings: Settings | None = None, *,
                 memory: bool = False, create: bool = True) -> None:
        data_dir = Path(path) if path is not None else (settings.data_dir if settings else default_data_dir())
        self.settings = (settings or Settings.from_env()).replace(data_dir=data_dir)
        self.memory = memory
        self.skipped: list[Skip] = []
        self.store: SqliteStore = (SqliteStore(Path(":memory:")) if memory
                                   else open_store(data_dir, create=create))

    # ------------------------------------------------------------------ writing

    def ingest(self, documents: Iterable[Document] | Document) -> list[str]:
        """Read, clean and store documents; return the ids of the articles they hold (new or not).

        Idempotent: the same content is one article. Skipped documents are appended to
        `self.skipped` (each with its source and reason); the rest carry on.
        """
        from storydesk.clean import apply_templates, learn_templates
        from storydesk.pipeline import OriginalsInFlight, clean_one, open_engine

        docs = _as_list(documents)
        _check_paths(docs)
        clean = functools.partial(clean_one, settings=self.settings)
        seen: list[str] = []
        new: list[str] = []
        batch: list[Article] = []
        originals = OriginalsInFlight(self.settings.max_bytes)  # the bytes each was read from

        def items() -> Iterator[RawDocument]:
            for item in _items(docs, self.settings):
                if isinstance(item, Skip):
                    self.skipped.append(item)
                else:
                    yield originals.hold(item)

        engine = open_engine(self.settings.replace(embed=False))
        try:
            for out in engine.map(clean, items(), chunksize=8):
                originals.match(out)
                if isinstance(out, Skip):
                    self.skipped.append(out)
                    continue
                if out.id not in seen:
                    seen.append(out.id)
                    batch.append(out)
                if len(batch) >= _BATCH:
                    new += self.store.add_articles(batch, originals.take())
                    batch = []
            new += self.store.add_articles(batch, originals.take())
        finally:
            engine.close()
        # as `storydesk ingest`: re-learn the touched outlets' templates (repeated page chrome)
        for outlet in self.store.outlets_of(new):
            arts = list(self.store.iter_articles(self.store.article_ids(outlet=outlet)))
            if len(arts) >= 2:
                templates = learn_templates(arts)
                updated = [u for a in arts if (u := apply_templates(a, templates)) != a]
                if updated:
                    self.store.update_articles(updated)
        return seen

    def cluster(self) -> list[Story]:
        """Give every stored article not yet in a story a story; cross-check and brief the stories
        that changed; return them, biggest first (as `storydesk cluster`)."""
        from storydesk.pipeline import analyse, cluster

        touched = cluster(self.store, self.settings, self.store.article_ids())
        changed = {s.id: s for s in analyse(self.store, self.settings, touched, skipped=self.skipped)}
        return [changed[r["id"]] for r in self.store.list_stories() if r["id"] in changed]

    # ------------------------------------------------------------------ reading

    def stories(self, query: str | None = None, outlet: str | None = None, since: str | None = None,
                until: str | None = None, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """Story rows (the `storydesk stories --json` shape), biggest live story first.

        `since`/`until` take 2024-01-18, "today", "yesterday" or "3 days ago" and leave
        undated stories out.
        """
        from storydesk.store.ranking import parse_day

        return self.store.list_stories(query=query, outlet=outlet, since=parse_day("since", since),
                                       until=parse_day("until", until), limit=limit, offset=offset)

    def story(self, ref: str) -> Story:
        """One story by id or unique id prefix (NotFound if none)."""
        return self.store.get_story(ref)

    def articles(self, query: str | None = None, outlet: str | None = None, story: str | None = None,
                 limit: int | None = None) -> list[dict[str, Any]]:
        """Article rows (the `storydesk articles --json` shape), in ingestion order."""
        return self.store.list_articles(limit=limit, query=query, outlet=outlet, story=story)

    def article(self, ref: str) -> Article:
        """One article by id or unique id prefix: cleaned text and every removed piece."""
        return self.store.get_article(ref)

    # ------------------------------------------------------------------ lifetime

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Desk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "memory" if self.memory else str(self.settings.data_dir)
        return f"Desk({where!r})"


def analyse(documents: Iterable[Document] | Document, settings: Settings | None = None, *,
            skipped: list[Skip] | None = None) -> list[Story]:
    """Cross-check and brief documents in memory; return their stories, biggest live story first.

    Nothing is written to disk. Each story has the `stories.json` fields: articles, brief (each
    sentence with its sources), claims, discrepancies, quotes, entities, timeline, exclusives.

    Args:
        documents: dicts in the JSONL input shape (`{"url", "outlet", "title", "published",
            "text" or "html"}`) and/or paths (files, directories, feed URLs, archives).
        settings: stage options; None: `Settings.from_env()` (e.g. `Settings(brief_words=60)`).
        skipped: a list that receives a Skip for each document that could not be read.

    Example:
        >>> stories = analyse([{"outlet": "Daily", "title": "Dam bursts", "text": "..."},
        ...                    {"outlet": "Herald", "title": "Dam breaks", "text": "..."}])  # doctest: +SKIP
        >>> stories[0].brief[0].text, stories[0].brief[0].sources  # doctest: +SKIP
    """
    with Desk(settings=settings, memory=True) as desk:
        desk.ingest(documents)
        desk.cluster()
        if skipped is not None:
            skipped += desk.skipped
        return [desk.story(r["id"]) for r in desk.stories()]
