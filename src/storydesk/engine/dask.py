"""The distributed executor on Dask: the same stage functions, run by a Dask cluster's workers.

`DaskEngine(address, workers)` connects to a running scheduler (`tcp://host:8786`, started with
`dask scheduler` and `dask worker` on the cluster's machines, each with storydesk installed), or,
with no address, starts a LocalCluster of `workers` single-threaded worker processes bound to
127.0.0.1 with no dashboard (nothing listens beyond loopback). It keeps the local engine's
contract: results in input order, a bounded number of chunks in flight, a failed item becomes a
`Skip` in its place.

Dask, not Ray: Ray probes cloud metadata services and binds non-loopback addresses on start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from storydesk.engine.base import (
    DIED,
    ERROR,
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

A = TypeVar("A")
B = TypeVar("B")
R = TypeVar("R")

# Chunks in flight per worker: as for the local engine, 2 keeps each worker fed while the client
# unpacks; more only adds memory on the client and the scheduler.
IN_FLIGHT_PER_WORKER = 2
# Seconds to wait for a remote scheduler before giving up with a usage error.
CONNECT_TIMEOUT_S = 30


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:  # the optional extra is not installed
        raise UsageError(
            "the dask engine needs the 'dask' extra: pip install 'storydesk[dask]'"
        ) from exc
    return distributed


def _make_plugin(initializer: Callable[[], object] | None) -> Any:
    """A WorkerPlugin that limits math threads and runs `initializer` once on each worker."""
    distributed = _distributed()

    class StorydeskWorkerInit(distributed.WorkerPlugin):  # type: ignore[misc,name-defined]
        name = "storydesk-init"

        def __init__(self, init: Callable[[], object] | None) -> None:
            self.init = init

        def setup(self, worker: Any) -> None:
            worker_threads_env(1)
            if self.init is not None:
                self.init()

    return StorydeskWorkerInit(initializer)


class DaskEngine:
    """Run stage functions on a Dask cluster: a remote scheduler, or a LocalCluster on 127.0.0.1.

    Args:
        address: scheduler address ("tcp://10.0.0.5:8786"); None starts a LocalCluster here.
        workers: worker processes of the LocalCluster (ignored with an address: the cluster's
            own workers are used, and the in-flight bound follows their count).
        initializer: module-level callable run once on each worker before its first task.
        in_flight: chunks submitted but not yet collected; default 2 per worker.

    Stage functions travel by reference (module and name), so workers of a remote cluster need
    storydesk installed at the same version.
    """

    def __init__(self, address: str | None = None, workers: int = 1, *,
                 initializer: Callable[[], object] | None = None, in_flight: int | None = None) -> None:
        if workers < 1:
            raise UsageError(f"workers must be at least 1, got {workers}")
        distributed = _distributed()
        self.address = address
        self._cluster: Any = None
        if address:
            try:
                self._client = distributed.Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
            except OSError as exc:
                raise UsageError(
                    f"cannot reach the Dask scheduler at {address}: {exc} (start it with `dask scheduler`,"
                    " or drop --address to run a local cluster)"
                ) from exc
            n = len(self._client.scheduler_info().get("workers", {})) or workers
        else:
            self._cluster = distributed.LocalCluster(
                host="127.0.0.1", processes=True, n_workers=workers, threads_per_worker=1,
                dashboard_address=None,
                # ERROR: a worker slow to exit at close is killed with a WARNING line, normal here
                silence_logs=logging.ERROR,
                # The scheduler serves its HTTP routes even without a dashboard, by default on
                # :8787; port 0 on loopback avoids clashing with another cluster on this machine.
                scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
            )
            self._client = distributed.Client(self._cluster, set_as_default=False)
            n = workers
        self.workers = n
        self.in_flight = max(1, in_flight if in_flight is not None else IN_FLIGHT_PER_WORKER * n)
        self._client.register_plugin(_make_plugin(initializer))

    def map(self, fn: Callable[[A], B], items: Iterable[A], chunksize: int = 16,
            on_error: OnError = "skip") -> Iterator[B | Skip]:
        """Apply `fn` to every item on the cluster; same contract as `LocalEngine.map`."""
        client = self._client

        def submit(chunk: list[A]) -> tuple[Any, list[A]]:
            return client.submit(run_chunk, fn, chunk, pure=False), chunk

        def collect(handle: tuple[Any, list[A]]) -> list[Outcome]:
            future, chunk = handle
            try:
                return list(future.result())
            except Exception:  # the task's worker died (KilledWorker) or the chunk could not travel
                return self._isolated(fn, chunk)
            finally:
                future.release()

        start = 0
        for chunk, outcomes in ordered_bounded(submit, collect, chunked(items, chunksize), self.in_flight):
            yield from unpack(chunk, start, outcomes, on_error)
            start += len(chunk)

    def _isolated(self, fn: Callable[[Any], Any], chunk: list[Any]) -> list[Outcome]:
        """Rerun a lost chunk one item per task, so only the item that fails is reported."""
        killed = _distributed().scheduler.KilledWorker
        out: list[Outcome] = []
        for item in chunk:
            future = self._client.submit(run_chunk, fn, [item], pure=False)
            try:
                out += future.result()
            except killed as exc:  # the item's worker died on every retry the scheduler allows
                out.append((DIED, f"{type(exc).__name__}: {exc}"))
            except Exception as exc:  # the item or its result could not travel (not picklable)
                out.append((ERROR, f"{type(exc).__name__}: {exc}"))
            finally:
                future.release()
        return out

    def map_batches(self, fn: Callable[[list[A]], R], items: Iterable[A],
                    batch_size: int = 256) -> Iterator[R]:
        """Apply `fn` to consecutive batches on the cluster; one result per batch, in order.

        A batch whose function raises re-raises here; a lost worker raises `WorkerError`.
        """
        distributed = _distributed()
        client = self._client

        def submit(batch: list[A]) -> Any:
            return client.submit(run_batch, fn, batch, pure=False)

        def collect(future: Any) -> R:
            try:
                return future.result()  # type: ignore[no-any-return]
            except distributed.scheduler.KilledWorker as exc:
                raise WorkerError(f"a Dask worker died running a batch: {exc}") from exc
            finally:
                future.release()

        for _batch, result in ordered_bounded(submit, collect, chunked(items, batch_size), self.in_flight):
            yield result

    def close(self) -> None:
        """Disconnect; stop the LocalCluster if this engine started it."""
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self.address or "LocalCluster on 127.0.0.1"
        return f"DaskEngine({where}, workers={self.workers})"
