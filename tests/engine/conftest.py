"""Engines for the engine tests: every behaviour test runs on both the local pool and Dask.

The Dask engine (a LocalCluster of two processes on 127.0.0.1) is on by default; set
STORYDESK_TEST_DASK=0 to skip it. One engine of each kind is shared by the whole session because
starting a pool or a cluster costs seconds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from storydesk.engine import LocalEngine


@pytest.fixture(scope="session")
def local_engine() -> Iterator[LocalEngine]:
    engine = LocalEngine(workers=2)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def dask_engine() -> Iterator[Any]:
    if os.environ.get("STORYDESK_TEST_DASK", "1") == "0":
        pytest.skip("STORYDESK_TEST_DASK=0")
    pytest.importorskip("distributed")
    from storydesk.engine.dask import DaskEngine

    engine = DaskEngine(None, workers=2)
    yield engine
    engine.close()


@pytest.fixture(params=["local", "dask"])
def engine(request: pytest.FixtureRequest) -> Any:
    """Each engine in turn, so the same test proves both behave the same."""
    return request.getfixturevalue(f"{request.param}_engine")
