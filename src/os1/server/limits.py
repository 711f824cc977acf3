"""Rate limits: how many times something may happen per key in a sliding window."""

from __future__ import annotations

import time
from collections import deque


class SlidingWindow:
    """At most ``limit`` events per key within ``window_s`` seconds (sign-ins, messages)."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._seen: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        now = time.monotonic()
        seen = self._seen.setdefault(key, deque())
        while seen and now - seen[0] > self.window_s:
            seen.popleft()
        return seen

    def blocked(self, key: str) -> bool:
        """Whether ``key`` used up its events in the window (nothing is counted)."""
        return len(self._recent(key)) >= self.limit

    def count(self, key: str) -> None:
        """Count one event for ``key`` (a failed sign-in, say)."""
        self._recent(key).append(time.monotonic())

    def allow(self, key: str) -> bool:
        """Count one event for ``key``; False (and not counted) once the limit is reached."""
        if self.blocked(key):
            return False
        self.count(key)
        return True
