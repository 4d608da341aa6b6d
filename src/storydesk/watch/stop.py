"""A stop request that SIGINT and SIGTERM set, checked by the watch loop between steps.

The signal handler only sets a flag: it never raises inside a store transaction or a worker
map, so the step under way (one source's ingest, clustering, a batch of analyses) finishes and
commits, and the loop stops before the next one. A second signal while stopping is the usual
KeyboardInterrupt (stop now: storydesk's CLI reports it and exits 1; SQLite rolls back any
transaction it cut short).
"""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Callable, Iterator
from types import FrameType

# How often a sleeping watch looks at the flag: a stop waits at most this long.
POLL_S = 0.2


class StopFlag:
    """Set once a stop is asked for (by a signal, or `request()`); `sleep` wakes up early for it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.signal_name: str | None = None
        self._clock = clock

    @property
    def requested(self) -> bool:
        return self.signal_name is not None

    def request(self, reason: str = "request") -> None:
        self.signal_name = self.signal_name or reason

    def sleep(self, seconds: float) -> bool:
        """Wait up to `seconds`; return False as soon as a stop is requested (True: slept it all)."""
        end = self._clock() + max(seconds, 0.0)
        while not self.requested:
            left = end - self._clock()
            if left <= 0:
                return True
            time.sleep(min(POLL_S, left))
        return False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt  # the second signal: stop now
        self.request(signal.Signals(signum).name)

    @classmethod
    @contextlib.contextmanager
    def installed(cls, signums: tuple[int, ...] = (signal.SIGINT, signal.SIGTERM)) -> Iterator[StopFlag]:
        """A flag that `signums` set while the `with` lasts; the previous handlers come back after.

        Must be entered in the main thread (Python delivers signals only there).
        """
        flag = cls()
        previous = {s: signal.signal(s, flag._handle) for s in signums}
        try:
            yield flag
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)


__all__ = ["POLL_S", "StopFlag"]
