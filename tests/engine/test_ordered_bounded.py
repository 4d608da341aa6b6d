"""ordered_bounded: order kept, a slow chunk at the head does not idle the other workers."""

from __future__ import annotations

import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from storydesk.engine.base import ordered_bounded


def _run(in_flight: int, ahead: int | None, early: bool) -> tuple[list[int], int]:
    """Map over 20 one-item chunks on 2 threads, chunk 0 held until 0.5 s have passed.

    Returns the results and how many chunks had started by the time chunk 0 was let go.
    """
    release = threading.Event()
    started: list[int] = []
    at_release: list[int] = []

    def work(chunk: list[int]) -> int:
        started.append(chunk[0])
        if chunk[0] == 0:
            release.wait(10)
        return chunk[0] * 10

    def let_go() -> None:
        at_release.append(len(started))
        release.set()

    timer = threading.Timer(0.5, let_go)
    with ThreadPoolExecutor(2) as pool:
        def submit(chunk: list[int]) -> Future[int]:
            return pool.submit(work, chunk)

        timer.start()
        kwargs = {"done": lambda f: f.done(), "wait_any": lambda fs: wait(fs, return_when=FIRST_COMPLETED)}
        out = [r for _, r in ordered_bounded(submit, lambda f: f.result(), ([i] for i in range(20)),
                                             in_flight, ahead=ahead, **(kwargs if early else {}))]
    timer.join()
    return out, at_release[0]


def test_without_early_refill_a_slow_head_blocks_new_work() -> None:
    out, started = _run(in_flight=2, ahead=None, early=False)
    assert out == [i * 10 for i in range(20)]
    assert started == 2  # the head and the one chunk beside it


def test_a_slow_head_chunk_does_not_hold_back_the_next_ones() -> None:
    out, started = _run(in_flight=2, ahead=8, early=True)
    assert out == [i * 10 for i in range(20)]
    # the free thread went on through chunks 1-7, stopping at `ahead` chunks not yet yielded
    assert started == 8


def test_ahead_never_below_in_flight() -> None:
    out, started = _run(in_flight=4, ahead=1, early=True)
    assert out == [i * 10 for i in range(20)]
    assert started == 4
