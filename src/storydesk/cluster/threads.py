"""Threads above stories, handed over from clustering: which stories each thread holds.

`StoryIndex` decides threads while it clusters (`StoryIndex._threads`); `pipeline.cluster` then
keeps the map it gives (`StoryIndex.thread_map()`) in the store as the state `THREAD_STATE`, a few
dozen bytes per story. The analysis (each story's `thread` in stories.json) and the web thread
page read that map instead of loading the whole clustering state again (every article's terms,
vectors and signatures), which is what `ThreadMap.from_index` falls back to for a store clustered
before the map was kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storydesk.cluster.stories import StoryIndex

# the store's state key of the thread map, next to the clustering state ("cluster")
THREAD_STATE = "threads"
# bumped when the stored shape changes; another version reads as no map (rebuilt on next cluster)
THREAD_MAP_VERSION = 1


@dataclass(frozen=True, slots=True)
class ThreadMap:
    """Thread id -> its story ids (first-opened first), and each story's thread id.

    Example:
        threads = ThreadMap.from_bytes(store.get_state(THREAD_STATE))
        threads.stories_of(story.thread)
    """

    threads: Mapping[str, tuple[str, ...]]
    _thread_of: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, threads: Mapping[str, Sequence[str]]) -> ThreadMap:
        """The map of `threads` (thread id -> story ids), with the story -> thread inverse."""
        frozen = {t: tuple(s) for t, s in threads.items()}
        return cls(frozen, {sid: t for t, ss in frozen.items() for sid in ss})

    @classmethod
    def from_index(cls, index: StoryIndex) -> ThreadMap:
        """The map of every live story in `index`."""
        return cls.build(index.thread_map())

    def thread_of(self, story_id: str) -> str | None:
        """The thread of `story_id`; None for a story the map does not know (not clustered yet)."""
        return self._thread_of.get(story_id)

    def stories_of(self, thread_id: str) -> tuple[str, ...]:
        """The stories of thread `thread_id`, first-opened first; () for an unknown thread."""
        return self.threads.get(thread_id, ())

    def moved(self, before: ThreadMap, stories: Iterable[str] | None = None) -> set[str]:
        """The stories (of `stories`, default all of this map's) whose thread differs from `before`'s
        and that `before` knew: their stored `thread` is out of date."""
        wanted = self._thread_of if stories is None else stories
        return {s for s in wanted if s in before._thread_of and before._thread_of[s] != self._thread_of.get(s)}

    def to_bytes(self) -> bytes:
        return json.dumps({"version": THREAD_MAP_VERSION, "threads": {t: list(s) for t, s in self.threads.items()}},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, blob: bytes | None) -> ThreadMap | None:
        """The map `to_bytes` wrote; None when there is none or it cannot be read (another version,
        damaged bytes): the caller then rebuilds it from the clustering state."""
        if not blob:
            return None
        try:
            data = json.loads(blob.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("version") != THREAD_MAP_VERSION:
            return None
        threads = data.get("threads")
        if not isinstance(threads, dict):
            return None
        return cls.build({str(t): [str(s) for s in ss] for t, ss in threads.items() if isinstance(ss, list)})
