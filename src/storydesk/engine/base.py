"""What every executor shares: the `Engine` protocol, chunking, and per-item failure capture.

A stage function is mapped over records in chunks. Each chunk runs inside a worker through
`run_chunk`, which catches an exception per item, so one bad record becomes one `Skip` (reason
`worker-error`) in its place in the output and never stops the run. The parent keeps only a bounded
number of chunks in flight (`ordered_bounded`), so memory stays flat however long the input is.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Literal, Protocol, TypeVar

from storydesk.records import Skip

A = TypeVar("A")
B = TypeVar("B")
R = TypeVar("R")

OnError = Literal["skip", "raise"]

# Skip reasons the engines produce (machine-readable, like the ingest reasons).
WORKER_ERROR = "worker-error"  # the stage function raised on this item
WORKER_DIED = "worker-died"  # the worker process running this item died (segfault, OOM kill, exit)


class Engine(Protocol):
    """Maps a picklable, module-level stage function over records, preserving order.

    `map` yields one output per input, in input order; an item whose function raised yields a
    `Skip` in its place (with `on_error="skip"`, the default). `map_batches` hands whole batches to
    the function (for batched models: embeddings, MinHash) and re-raises a batch's error.
    """

    workers: int

    def map(self, fn: Callable[[A], B], items: Iterable[A], chunksize: int = 16,
            on_error: OnError = "skip") -> Iterator[B | Skip]: ...

    def map_batches(self, fn: Callable[[list[A]], R], items: Iterable[A],
                    batch_size: int = 256) -> Iterator[R]: ...

    def close(self) -> None: ...


class WorkerError(Exception):
    """A stage function raised inside a worker (with `on_error="raise"`); carries its traceback text."""


def chunked(items: Iterable[A], size: int) -> Iterator[list[A]]:
    """Consecutive lists of `size` items (the last may be shorter), pulled lazily from `items`."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size}")
    chunk: list[A] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# Status of one item's outcome inside a chunk's result list.
OK, ERROR, DIED = "ok", "error", "died"
Outcome = tuple[str, Any]


def run_chunk(fn: Callable[[Any], Any], chunk: Sequence[Any]) -> list[Outcome]:
    """Run `fn` on each item of `chunk` in this (worker) process.

    Returns `("ok", result)` or `("error", "TypeName: message\\n<traceback>")` per item, so one
    failing item does not lose the chunk's other results. Module-level so every executor can ship it.
    """
    out: list[Outcome] = []
    for item in chunk:
        try:
            out.append((OK, fn(item)))
        except Exception as exc:  # one bad record must not lose the others (STYLE.md section 4)
            out.append((ERROR, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=8)}"))
    return out


def run_batch(fn: Callable[[list[Any]], R], batch: list[Any]) -> R:
    """Run a batch function in a worker; module-level so executors can ship it."""
    return fn(batch)


def item_name(item: Any, index: int) -> str:
    """A name for an item in a Skip: its input and locator, its id, or its position."""
    prov = getattr(item, "provenance", None)
    source = getattr(prov, "source", None)
    if isinstance(source, str):
        locator = getattr(prov, "locator", "")
        return f"{source} {locator}" if locator else source
    ident = getattr(item, "id", None)
    if isinstance(ident, str):
        return ident
    return f"item {index}"


def failure(item: Any, index: int, reason: str, detail: str) -> Skip:
    """The Skip that stands in for an item the worker could not process."""
    first_line = detail.splitlines()[0] if detail else ""
    return Skip(source=item_name(item, index), reason=reason, detail=first_line)


def unpack(chunk: Sequence[Any], start: int, results: list[Outcome],
           on_error: OnError) -> Iterator[Any]:
    """Turn `run_chunk` output back into results, Skips, or (on_error="raise") a WorkerError."""
    for offset, (status, value) in enumerate(results):
        if status == OK:
            yield value
        elif on_error == "raise":
            raise WorkerError(f"item {start + offset} failed in a worker: {value}")
        else:
            reason = WORKER_DIED if status == DIED else WORKER_ERROR
            yield failure(chunk[offset], start + offset, reason, value)


def ordered_bounded(submit: Callable[[list[A]], Any], result: Callable[[Any], R],
                    chunks: Iterable[list[A]], in_flight: int, *, ahead: int | None = None,
                    done: Callable[[Any], bool] | None = None,
                    wait_any: Callable[[list[Any]], object] | None = None) -> Iterator[tuple[list[A], R]]:
    """Submit chunks, at most `in_flight` running at once; yield (chunk, result) in input order.

    `submit(chunk)` returns a handle (a future); `result(handle)` waits for it. Chunks are pulled
    from `chunks` only as slots free up, so an unbounded input never piles up in memory.

    Without `done` and `wait_any`, a slot frees only when the oldest chunk is collected: one
    long chunk at the head (a day's biggest story) then leaves every other worker idle once
    they finish what was submitted after it. With them (`done(handle)`: finished?,
    `wait_any(handles)`: block until one of them finishes), a chunk that finishes early frees its
    slot at once and its result waits for its turn; at most `ahead` chunks (default `in_flight`)
    are submitted and not yet yielded, which bounds the results held.
    """
    limit = max(in_flight, ahead or in_flight)
    early = done is not None and wait_any is not None
    pending: deque[tuple[list[A], Any]] = deque()
    it = iter(chunks)
    exhausted = False

    def running() -> list[Any]:
        return [h for _, h in pending if not done(h)] if done is not None else [h for _, h in pending]

    while True:
        while not exhausted and len(pending) < limit and (len(pending) < in_flight or len(running()) < in_flight):
            try:
                chunk = next(it)
            except StopIteration:
                exhausted = True
                break
            pending.append((chunk, submit(chunk)))
        if not pending:
            return
        if early and not exhausted and len(pending) < limit and not done(pending[0][1]):  # type: ignore[misc]
            # the head still runs and more input waits: sleep until any chunk finishes, then refill
            wait_any(running())  # type: ignore[misc]
            continue
        chunk, handle = pending.popleft()
        yield chunk, result(handle)


def worker_threads_env(threads: int = 1) -> None:
    """Limit math libraries to `threads` per worker process so workers x threads = cores.

    Called at worker start, before torch or numpy spin up their own pools (each would otherwise
    start one thread per core in every worker and the workers would fight over the cores).
    """
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(threads)
    # The variables above only reach libraries loaded after this point. A forkserver worker
    # inherits numpy's OpenBLAS and a second OpenMP runtime already loaded (by the preload of
    # spaCy and torch) with one thread per core: measured in a local-engine worker on this 2-core
    # box, threadpoolctl listed openblas x2 at 2 threads and openmp at 2, so every large numpy
    # product (the story similarity matrices) ran 2 threads in each of 2 workers. threadpoolctl
    # (pinned, a dependency of scikit-learn) resizes the loaded pools in place.
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # scikit-learn, which requires it, is a dependency: only a broken install
        return
    threadpool_limits(limits=threads)


def warm_up(segment: bool = True, lang: bool = True, embed: bool = False) -> None:
    """Load the per-process models now rather than on a worker's first item.

    Pass as an engine `initializer` (with functools.partial for the flags) so every worker loads
    them at start, in parallel, and the first chunks are not slowed by model loading. `lang`
    warms what cleaning uses: the language screen (storydesk.clean.language) and the HTML
    extractor's start-up (dateparser locales, justext stop lists: storydesk.ingest.html), so
    each worker pays them once, outside the per-page time bound, instead of on its first page.
    MiniLM is off by default: it costs ~300 MB per worker, wasted on stages that do not embed.
    """
    if segment:
        from storydesk.segment import get_nlp

        get_nlp()
    if lang:
        from storydesk.clean.language import warm_up as warm_language
        from storydesk.ingest.html import warm_up as warm_html

        warm_language()
        warm_html()
    if embed:
        from storydesk.embed import get_model

        get_model()
