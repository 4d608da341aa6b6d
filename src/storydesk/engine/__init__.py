"""Executors for the per-article stages: `local` (default) and `dask` (optional extra).

Both run the same stage functions on the same records; only the executor differs. `get_engine`
picks one from the settings; `candidates` runs clustering's per-article half on either.
"""

from storydesk.engine.base import WORKER_DIED, WORKER_ERROR, Engine, WorkerError, warm_up
from storydesk.engine.local import LocalEngine, get_engine

__all__ = ["WORKER_DIED", "WORKER_ERROR", "Engine", "LocalEngine", "WorkerError", "get_engine", "warm_up"]
