"""Executors for the per-article stages: `local` (default) and `dask` (optional extra).

Both run the same stage functions on the same records; only the executor differs.
"""

from storydesk.engine.local import Engine, LocalEngine, get_engine

__all__ = ["Engine", "LocalEngine", "get_engine"]
