"""How `analyse` hands stories to the workers: largest first, tasks closed by articles or stories."""

from __future__ import annotations

from storydesk.pipeline import ANALYSE_ARTICLES, ANALYSE_CHUNK, _largest_first


def test_big_stories_go_first_and_alone_small_ones_share_a_task() -> None:
    members = {"a": ["x"], "b": ["y"] * ANALYSE_ARTICLES, "c": ["z", "w"], "d": ["v"], "e": ["u"], "f": ["t"]}
    order, sizes = _largest_first(sorted(members), members)
    assert order == ["b", "c", "a", "d", "e", "f"]
    assert sizes[0] == 1  # the big story is a task of its own
    assert sum(sizes) == len(members) and max(sizes) <= ANALYSE_CHUNK
