"""Watch mode: re-read feeds, URLs and folders on a schedule and keep their stories current.

`run_watch(desk, sources, every_s, stop, on_cycle=...)` runs cycles (`run_cycle`) until a
`StopFlag` is set (SIGINT or SIGTERM under `StopFlag.installed()`); each cycle's `CycleReport`
says what changed. `storydesk watch` (cli_more.py) is the command over it.
"""

from storydesk.watch.cycle import (
    WATCH,
    CycleReport,
    NewArticle,
    TouchedStory,
    WatchConfig,
    WatchState,
    parse_every,
    run_cycle,
    run_watch,
    unfinished_stories,
)
from storydesk.watch.stop import StopFlag

__all__ = [
    "WATCH",
    "CycleReport",
    "NewArticle",
    "StopFlag",
    "TouchedStory",
    "WatchConfig",
    "WatchState",
    "parse_every",
    "run_cycle",
    "run_watch",
    "unfinished_stories",
]
