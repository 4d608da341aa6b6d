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

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
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
# unpacks; more only adds memory on the client and the scheduler. Finished chunks wait for their
# turn on the client, up to AHEAD_PER_WORKER per worker (as in the local engine, engine/local.py).
IN_FLIGHT_PER_WORKER = 2
AHEAD_PER_WORKER = 16
# Seconds to wait for a remote scheduler before giving up with a usage error.
CONNECT_TIMEOUT_S = 30
# Dask settings for the workers of a LocalCluster this engine starts (a remote cluster's workers
# keep their own configuration: set the same there, e.g. DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED).
#  - profile off: each worker's statistical profiler samples the task thread's stack every 10 ms;
#    with torch's deep stacks that cost the two workers 68.6 -> 59.4 CPU-s on a 300-article
#    pipeline.run (/tmp cpu-split run, bench/throughput.py corpus, 2 workers).
#  - forkserver: workers fork from one server that imported distributed, spaCy and MiniLM once
#    (as the local engine's workers do), instead of each worker importing them again after a
#    spawn (~7 s CPU per worker on this 2-core box). With profile off, the run's CPU went
#    80.3 -> 64.8 s (local engine: 54.7 s).
#  - event-loop health tick every 500 ms, not 20 ms: every scheduler, nanny and worker loop
#    wakes at each tick and takes the GIL from the task thread; 64.8 -> 60.8 CPU-s on that run.
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.worker.multiprocessing-method": "forkserver",
    "distributed.admin.tick.interval": "500ms",
}


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


def _quiet_for_shutdown() -> None:
    """Run on each worker of a LocalCluster this engine started, just before it is closed.

    A worker's periodic heartbeat can be in flight while the cluster closes its connections;
    distributed then logs "Failed to communicate with scheduler during heartbeat" with a full
    traceback on the worker's stderr, which is ours (seen in CI under load after a successful
    run). All work is finished at this point, so nothing a worker logs now is news to the user.
    """
    logging.getLogger("distributed").setLevel(logging.CRITICAL)


def _preload_forkserver(preload: Sequence[str]) -> None:
    """Have Dask's worker forkserver import distributed and `preload` before it forks a worker.

    distributed sets its own list (itself and what it imports anyway) the first time it asks for
    the forkserver context, so it is asked first and then replaced. No effect when this process's
    forkserver already runs (a local engine started it): the workers then import on first use.
    """
    from distributed.utils import get_mp_context

    get_mp_context().set_forkserver_preload(["distributed", *preload])


class DaskEngine:
    """Run stage functions on a Dask cluster: a remote scheduler, or a LocalCluster on 127.0.0.1.

    Args:
        address: scheduler address ("tcp://10.0.0.5:8786"); None starts a LocalCluster here.
        workers: worker processes of the LocalCluster (ignored with an address: the cluster's
            own workers are used, and the in-flight bound follows their count).
        initializer: module-level callable run once on each worker before its first task.
        in_flight: chunks running (submitted, not finished) at once; default 2 per worker.
            Finished chunks wait for their turn, up to `ahead` (16 per worker) not yet yielded.
        preload: modules the LocalCluster's worker forkserver imports once for all workers (only
            when it is started by this engine: the forkserver is one per process).

    Stage functions travel by reference (module and name), so workers of a remote cluster need
    storydesk installed at the same version.
    """

    def __init__(self, address: str | None = None, workers: int = 1, *,
                 initializer: Callable[[], object] | None = None, in_flight: int | None = None,
                 preload: Sequence[str] = ()) -> None:
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
            import dask

            # The nannies read the multiprocessing method as they start the workers and hand
            # the configuration to them, so it only has to hold while the cluster starts.
            with dask.config.set(LOCAL_CLUSTER_CONFIG):
                _preload_forkserver(preload)
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
        self.ahead = max(self.in_flight, AHEAD_PER_WORKER * n)
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
        for chunk, outcomes in ordered_bounded(
            submit, collect, chunked(items, chunksize), self.in_flight, ahead=self.ahead,
            done=lambda h: h[0].done(), wait_any=lambda hs: self._wait_any([h[0] for h in hs]),
        ):
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

        for _batch, result in ordered_bounded(
            submit, collect, chunked(items, batch_size), self.in_flight, ahead=self.ahead,
            done=lambda f: f.done(), wait_any=self._wait_any,
        ):
            yield result

    def _wait_any(self, futures: list[Any]) -> None:
        """Block until one of `futures` has finished (or failed).

        `distributed.wait` would look for a default client, and this engine's is not one
        (set_as_default=False), so the futures are watched on this client's loop instead.
        """
        next(iter(_distributed().as_completed(futures, loop=self._client.loop)))

    def close(self) -> None:
        """Disconnect; stop the LocalCluster if this engine started it."""
        if self._cluster is not None:
            # a worker already gone has nothing left to say
            with contextlib.suppress(Exception):
                self._client.run(_quiet_for_shutdown, wait=True, on_error="ignore")
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
