"""Both engines: same results as running in-process, order kept, failures per item, bounded work."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import pytest

from storydesk.engine import WORKER_DIED, WORKER_ERROR, LocalEngine, WorkerError, get_engine
from storydesk.engine.candidates import minhash_batch, parallel_embeddings, parallel_minhash
from storydesk.errors import UsageError
from storydesk.records import Provenance, RawDocument, Skip
from storydesk.segment import split_text
from storydesk.settings import Settings


def _seed_paragraphs(seeds_dir: Path) -> list[str]:
    """Every paragraph of the seed articles, in a fixed order (real news text, varied lengths)."""
    paras: list[str] = []
    for path in sorted(seeds_dir.glob("*.txt")):
        paras += [p for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
    return paras


def test_stage_results_match_in_process(engine: Any, seeds_dir: Path) -> None:
    texts = _seed_paragraphs(seeds_dir)
    assert len(texts) > 20
    expected = [split_text(t) for t in texts]
    got = list(engine.map(split_text, texts, chunksize=7))
    assert got == expected


def test_order_is_kept_for_every_chunk_size(engine: Any) -> None:
    items = [f"{i} * 3" for i in range(101)]
    for chunksize in (1, 4, 50, 500):
        assert list(engine.map(eval, items, chunksize=chunksize)) == [i * 3 for i in range(101)]


def test_empty_input_gives_nothing(engine: Any) -> None:
    assert list(engine.map(eval, [])) == []
    assert list(engine.map_batches(len, [])) == []


def test_a_failing_item_becomes_a_skip_in_its_place(engine: Any) -> None:
    out = list(engine.map(eval, ["1 + 1", "1 / 0", "undefined_name", "2 + 2"], chunksize=4))
    assert out[0] == 2 and out[3] == 4
    assert isinstance(out[1], Skip) and isinstance(out[2], Skip)
    assert (out[1].source, out[1].reason) == ("item 1", WORKER_ERROR)
    assert out[1].detail.startswith("ZeroDivisionError")
    assert out[2].detail.startswith("NameError")


def test_a_failing_document_is_named_by_its_input(engine: Any) -> None:
    docs = [
        RawDocument(provenance=Provenance(source="feed.xml", fmt="rss", locator="entry 2"), text="ok"),
        RawDocument(provenance=Provenance(source="a.txt", fmt="text"), text="x"),
    ]
    # RawDocument has no len() of its own fields beyond tuple-like access: len() raises TypeError.
    out = list(engine.map(len, docs))
    assert [s.source for s in out] == ["feed.xml entry 2", "a.txt"]
    assert all(s.reason == WORKER_ERROR for s in out)


def test_a_result_that_cannot_travel_back_is_a_skip(engine: Any) -> None:
    # a generator object cannot be pickled, so its worker cannot send it back
    out = list(engine.map(eval, ["1", "(x for x in [])", "3"], chunksize=3))
    assert out[0] == 1 and out[2] == 3
    assert isinstance(out[1], Skip) and out[1].reason == WORKER_ERROR and out[1].source == "item 1"


def test_on_error_raise(engine: Any) -> None:
    with pytest.raises(WorkerError, match=r"item 2 failed.*ZeroDivisionError"):
        list(engine.map(eval, ["1", "2", "1 / 0", "3"], chunksize=1, on_error="raise"))


def test_in_flight_work_is_bounded(engine: Any) -> None:
    pulled = 0

    def source() -> Any:
        nonlocal pulled
        for i in range(2000):
            pulled += 1
            yield str(i)

    chunksize = 10
    # at most `ahead` chunks submitted and not yet yielded, plus the chunk being assembled
    bound = (engine.ahead + 1) * chunksize
    lead = 0
    for n, value in enumerate(engine.map(eval, source(), chunksize=chunksize), start=1):
        assert value == n - 1
        lead = max(lead, pulled - n)
    assert pulled == 2000
    assert 0 < lead <= bound


def test_map_batches_keeps_order(engine: Any) -> None:
    assert list(engine.map_batches(sum, range(10), batch_size=3)) == [3, 12, 21, 9]


def test_map_batches_reraises_the_batch_error(engine: Any) -> None:
    with pytest.raises(TypeError):
        list(engine.map_batches(sum, ["a", "b"], batch_size=2))


def test_parallel_minhash_matches_in_process(engine: Any, seeds_dir: Path) -> None:
    texts = _seed_paragraphs(seeds_dir)
    sigs = parallel_minhash(engine, texts, num_perm=64, batch_size=5)
    assert sigs.shape == (len(texts), 64) and sigs.dtype == np.uint64
    assert np.array_equal(sigs, minhash_batch(texts, num_perm=64))
    # the same text in two places gets the same signature; different paragraphs do not
    assert not np.array_equal(sigs[0], sigs[1])


# Local pool only: MiniLM loads in every worker (~30-70 s on 2 busy cores); Dask workers embed
# in test_pipeline_engines.py, whose dask run must cluster the seeds as the in-process run does.
@pytest.mark.slow
def test_parallel_embeddings_match_in_process(local_engine: LocalEngine, seeds_dir: Path) -> None:
    texts = _seed_paragraphs(seeds_dir)[:12]
    vecs = parallel_embeddings(local_engine, texts, batch_size=6)
    assert vecs.shape == (12, 384)
    from storydesk.embed import embed

    # batch composition changes float rounding slightly, never the meaning
    assert np.allclose(vecs, embed(texts), atol=1e-4)


def test_local_engine_survives_a_dying_worker() -> None:
    items = ["1", "__import__('os')._exit(7)", "3", "4", "5", "6"]
    with LocalEngine(workers=2) as engine:
        out = list(engine.map(eval, items, chunksize=2))
        assert out[0] == 1 and out[2:] == [3, 4, 5, 6]
        assert isinstance(out[1], Skip) and out[1].reason == WORKER_DIED
        assert out[1].source == "item 1"
        # the pool was replaced: the engine keeps working
        assert list(engine.map(eval, ["7", "8"])) == [7, 8]


def test_one_worker_runs_in_process() -> None:
    engine = LocalEngine(workers=1)
    out = list(engine.map(os.getpid, [()], chunksize=1))
    # os.getpid() takes no argument, so the item fails; the failure is still a per-item Skip
    assert isinstance(out[0], Skip) and out[0].reason == WORKER_ERROR
    assert list(engine.map(abs, [-1, -2])) == [1, 2]
    engine.close()


def test_get_engine_picks_by_settings() -> None:
    engine = get_engine(Settings(engine="local", workers=3))
    assert isinstance(engine, LocalEngine) and engine.workers == 3
    engine.close()
    with pytest.raises(UsageError, match="unknown engine 'ray'"):
        get_engine(Settings(engine="ray"))
    with pytest.raises(UsageError):
        LocalEngine(workers=0)


def test_get_engine_connects_to_a_dask_scheduler(dask_engine: Any) -> None:
    address = dask_engine._cluster.scheduler_address
    assert address.startswith("tcp://127.0.0.1:")
    engine = get_engine(Settings(engine="dask", engine_address=address))
    try:
        assert engine.workers == 2
        out = list(engine.map(eval, ["1 + 2", "1 / 0"]))
        assert out[0] == 3 and isinstance(out[1], Skip)
    finally:
        engine.close()


def test_dask_local_cluster_listens_on_loopback_only(dask_engine: Any) -> None:
    me = psutil.Process()
    procs = [me, *me.children(recursive=True)]
    listening = [c.laddr for p in procs for c in p.net_connections("inet") if c.status == psutil.CONN_LISTEN]
    assert listening, "the cluster should be listening somewhere"
    assert {a.ip for a in listening} <= {"127.0.0.1"}


def test_the_forkserver_preloads_minilm_modules_only_for_engines_that_embed() -> None:
    from storydesk.engine.local import PRELOAD, PRELOAD_EMBED, get_engine
    from storydesk.settings import Settings

    assert get_engine(Settings(workers=2, embed=False)).preload == PRELOAD  # type: ignore[attr-defined]
    assert get_engine(Settings(workers=2, embed=True)).preload == PRELOAD + PRELOAD_EMBED  # type: ignore[attr-defined]
