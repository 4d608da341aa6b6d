"""The local executor: in-process for one worker, a pool of worker processes for several.

Stage functions are module-level and load their models lazily into module singletons
(storydesk.embed, storydesk.lang, storydesk.segment), so each worker process loads each model once
and keeps it for the life of the engine: the pool is created on first use and reused by every
later `map` until `close()`. Work goes out in chunks with a bounded number in flight, results come
back in input order, and a failing item becomes a `Skip` in its place. A worker that dies (segfault,
OOM kill) breaks the pool; the engine starts a fresh one and reruns the chunks it lost one item at
a time in a separate one-process pool, so only the item that killed the worker is reported
(`worker-died`), not its neighbours.

Workers start with the `forkserver` method: forking a parent that has already run torch or
lingua threads can deadlock the child (OpenMP is not fork-safe), and forkserver forks from a clean
server process instead, much cheaper than `spawn` per worker.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from storydesk.engine.base import (
    DIED,
    ERROR,
    Engine,
    OnError,
    Outcome,
    WorkerError,
    chunked,
    ordered_bounded,
    run_batch,
    run_chunk,
    unpack,
    worker_threads_env,
)
from storydesk.errors import UsageError
from storydesk.records import Skip
from storydesk.settings import Settings

A = TypeVar("A")
B = TypeVar("B")
R = TypeVar("R")

# Chunks in flight per worker: 2 keeps every worker busy while the parent unpacks the previous
# chunk, and bounds parent memory to about 2 x workers x chunksize records.
IN_FLIGHT_PER_WORKER = 2
# Chunks submitted and not yet handed back, per worker: finished chunks wait behind a slow one at
# the head (results come back in input order) while the workers go on with the next ones. The
# analyse stage sends the biggest story first (134 of 1,000 articles in the bench corpus), so with
# only the in-flight chunks the other worker idled until it finished. 16 per worker holds at most
# 32 tasks' inputs and results (a few MB) in the parent.
AHEAD_PER_WORKER = 16
# Modules the forkserver imports once, before it forks any worker, so workers inherit them instead
# of each importing them again: importing torch + sentence_transformers + spaCy is ~7 s CPU per
# worker (measured on this 2-core box), against ~2.5 s for loading the models after it. Importing
# starts no math-library threads (those start on first use, in the worker, after
# `worker_threads_env`), so forking after it stays safe. MiniLM's modules only when workers embed,
# and only those of the backend storydesk.embed will use: onnxruntime + tokenizers by default
# (0.25 s CPU to import), torch + sentence_transformers (7.1 s) only when
# STORYDESK_EMBED_BACKEND=torch asks for them, so an ONNX run no longer pays 7 s of imports nor
# keeps torch's memory in every worker.
PRELOAD = ("spacy",)
PRELOAD_EMBED = ("onnxruntime", "tokenizers")
PRELOAD_EMBED_TORCH = ("torch", "sentence_transformers")


def embed_preload() -> tuple[str, ...]:
    """The modules of the MiniLM backend this process's settings select (see storydesk.embed)."""
    from storydesk.embed import BACKEND_ENV

    backend = os.environ.get(BACKEND_ENV, "").strip().lower()
    return PRELOAD_EMBED_TORCH if backend == "torch" else PRELOAD_EMBED


def _init_worker(initializer: Callable[[], object] | None, threads: int) -> None:
    """Runs once in each new worker process, before any task."""
    worker_threads_env(threads)
    if initializer is not None:
        initializer()


class LocalEngine:
    """Run stage functions in this process (workers=1) or in a pool of `workers` processes.

    Args:
        workers: processes for the per-article stages; 1 runs in-process with no pool.
        initializer: module-level callable run once per worker process before any task (e.g. to
            load a model eagerly); run once in-process when workers=1.
        in_flight: chunks running (submitted, not finished) at once; default 2 per worker.
            Finished chunks wait for their turn, up to `ahead` (16 per worker) not yet yielded.
        start_method: multiprocessing start method for the pool (default "forkserver").
        preload: modules the forkserver imports once for all workers (only when it is started
            by this engine: the forkserver is one per process).

    Example:
        >>> with LocalEngine(workers=2) as engine:
        ...     sentences = list(engine.map(split_text, texts))
    """

    def __init__(self, workers: int = 1, *, initializer: Callable[[], object] | None = None,
                 in_flight: int | None = None, start_method: str | None = None,
                 preload: Sequence[str] = ()) -> None:
        if workers < 1:
            raise UsageError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.initializer = initializer
        self.in_flight = max(1, in_flight if in_flight is not None else IN_FLIGHT_PER_WORKER * workers)
        self.ahead = max(self.in_flight, AHEAD_PER_WORKER * workers)
        methods = multiprocessing.get_all_start_methods()
        self.start_method = start_method or ("forkserver" if "forkserver" in methods else "spawn")
        if self.start_method not in methods:
            raise UsageError(f"start method {self.start_method!r} not available here: use one of {methods}")
        self.preload = tuple(preload)
        self._pool: ProcessPoolExecutor | None = None
        self._spare: ProcessPoolExecutor | None = None  # one process, for rerunning lost chunks
        self._generation = 0  # bumped each time a broken pool is replaced
        self._initialised_inline = False

    # ------------------------------------------------------------------ pool

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            ctx = multiprocessing.get_context(self.start_method)
            if self.preload and self.start_method == "forkserver":
                # "__main__" is the forkserver's own default; a module that fails to import is skipped
                ctx.set_forkserver_preload(["__main__", *self.preload])
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=ctx,
                initializer=_init_worker,
                # one math-library thread per worker: workers x threads = the cores asked for
                initargs=(self.initializer, 1),
            )
        return self._pool

    def _replace_pool(self, generation: int) -> None:
        """Drop a broken pool (once per breakage, however many futures report it)."""
        if generation != self._generation:
            return
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None
        self._generation += 1

    def _inline_init(self) -> None:
        if not self._initialised_inline and self.initializer is not None:
            self.initializer()
        self._initialised_inline = True

    # ------------------------------------------------------------------ map

    def map(self, fn: Callable[[A], B], items: Iterable[A], chunksize: int = 16,
            on_error: OnError = "skip") -> Iterator[B | Skip]:
        """Apply `fn` to every item; yield results in input order, a `Skip` for each failed item.

        Args:
            fn: a picklable, module-level function (or functools.partial of one).
            items: any iterable; pulled lazily, at most `in_flight x chunksize` items ahead.
            chunksize: items per task; larger amortises pickling, smaller balances better.
            on_error: "skip" yields `Skip(reason="worker-error"|"worker-died")` for an item whose
                function raised or whose worker died; "raise" raises `WorkerError` instead.
        """
        start = 0
        if self.workers == 1:
            self._inline_init()
            for chunk in chunked(items, chunksize):
                yield from unpack(chunk, start, run_chunk(fn, chunk), on_error)
                start += len(chunk)
            return

        def submit(chunk: list[A]) -> tuple[Future[list[Outcome]], int, list[A]]:
            generation = self._generation
            try:
                return self._get_pool().submit(run_chunk, fn, chunk), generation, chunk
            except BrokenProcessPool:  # a worker died since the last submit: start a fresh pool
                self._replace_pool(generation)
                return self._get_pool().submit(run_chunk, fn, chunk), self._generation, chunk

        for chunk, outcomes in ordered_bounded(
            submit, lambda h: self._collect(fn, h), chunked(items, chunksize), self.in_flight,
            ahead=self.ahead, done=lambda h: h[0].done(), wait_any=lambda hs: wait([h[0] for h in hs],
                                                                                  return_when=FIRST_COMPLETED),
        ):
            yield from unpack(chunk, start, outcomes, on_error)
            start += len(chunk)

    def _collect(self, fn: Callable[[Any], Any],
                 handle: tuple[Future[list[Outcome]], int, list[Any]]) -> list[Outcome]:
        future, generation, chunk = handle
        try:
            return future.result()
        except BrokenProcessPool:
            self._replace_pool(generation)
            return self._isolated(fn, chunk)
        except Exception:  # e.g. a result that cannot be pickled back: find which item it was
            return self._isolated(fn, chunk)

    def _isolated(self, fn: Callable[[Any], Any], chunk: list[Any]) -> list[Outcome]:
        """Rerun a chunk lost with a dead worker one item at a time, to find the item that kills.

        Runs in a separate one-process pool: in the main pool another chunk could kill a worker
        at the same moment and the death would be blamed on an innocent item.
        """
        out: list[Outcome] = []
        for item in chunk:
            if self._spare is None:
                self._spare = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context(self.start_method),
                    initializer=_init_worker, initargs=(self.initializer, 1),
                )
            try:
                out += self._spare.submit(run_chunk, fn, [item]).result()
            except BrokenProcessPool as exc:
                self._spare.shutdown(wait=False, cancel_futures=True)
                self._spare = None
                out.append((DIED, f"the worker process died running this item ({exc})"))
            except Exception as exc:  # the result could not travel back (not picklable)
                out.append((ERROR, f"{type(exc).__name__}: {exc}"))
        return out

    def map_batches(self, fn: Callable[[list[A]], R], items: Iterable[A],
                    batch_size: int = 256) -> Iterator[R]:
        """Apply `fn` to consecutive batches of `items`; yield one result per batch, in order.

        For batched models (embeddings, MinHash signatures). A batch whose function raises
        re-raises here; a batch whose worker died raises `WorkerError`.
        """
        if self.workers == 1:
            self._inline_init()
            for batch in chunked(items, batch_size):
                yield fn(batch)
            return

        def submit(batch: list[A]) -> Future[R]:
            return self._get_pool().submit(run_batch, fn, batch)

        def collect(future: Future[R]) -> R:
            try:
                return future.result()
            except BrokenProcessPool as exc:
                self._replace_pool(self._generation)
                raise WorkerError(f"a worker process died running a batch: {exc}") from exc

        for _batch, result in ordered_bounded(
            submit, collect, chunked(items, batch_size), self.in_flight, ahead=self.ahead,
            done=lambda f: f.done(), wait_any=lambda fs: wait(fs, return_when=FIRST_COMPLETED),
        ):
            yield result

    # ------------------------------------------------------------------ lifetime

    def close(self) -> None:
        """Stop the worker processes (cancelling queued work); the engine can be used again."""
        for pool in (self._pool, self._spare):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        self._pool = self._spare = None

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LocalEngine(workers={self.workers}, pid={os.getpid()})"


def get_engine(settings: Settings, initializer: Callable[[], object] | None = None) -> Engine:
    """The executor `settings.engine` names, with `settings.workers` workers.

    "local" is a process pool on this machine; "dask" connects to `settings.engine_address`
    (a Dask scheduler, "tcp://host:8786") or, without one, starts a LocalCluster on 127.0.0.1.
    """
    preload = PRELOAD + (embed_preload() if settings.embed else ())
    if settings.engine == "local":
        return LocalEngine(settings.workers, initializer=initializer, preload=preload)
    if settings.engine == "dask":
        from storydesk.engine.dask import DaskEngine  # optional extra: imports distributed

        return DaskEngine(settings.engine_address, settings.workers, initializer=initializer, preload=preload)
    raise UsageError(f"unknown engine {settings.engine!r}: use 'local' or 'dask'")
