"""The local executor: in-process for one worker, a process pool for several."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol, TypeVar

from storydesk.errors import UsageError
from storydesk.settings import Settings

A = TypeVar("A")
B = TypeVar("B")


class Engine(Protocol):
    """Maps a picklable, pure stage function over records, preserving order."""

    def map(self, fn: Callable[[A], B], items: Iterable[A], chunksize: int = 16) -> Iterator[B]: ...

    def close(self) -> None: ...


class LocalEngine:
    """Run in this process (workers=1) or in a pool of `workers` processes."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[A], B], items: Iterable[A], chunksize: int = 16) -> Iterator[B]:
        if self.workers == 1:
            return map(fn, items)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers)
        return self._pool.map(fn, items, chunksize=chunksize)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def get_engine(settings: Settings) -> Any:
    """The executor `settings.engine` names."""
    if settings.engine == "local":
        return LocalEngine(settings.workers)
    if settings.engine == "dask":
        from storydesk.engine.dask import DaskEngine  # optional extra

        return DaskEngine(settings.engine_address, settings.workers)
    raise UsageError(f"unknown engine {settings.engine!r}: use 'local' or 'dask'")
