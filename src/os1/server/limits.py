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

    def allow(self, key: str) -> bool:
        """Count one event for ``key``; False (and not counted) once the limit is reached."""
        now = time.monotonic()
        seen = self._seen.setdefault(key, deque())
        while seen and now - seen[0] > self.window_s:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(now)
        return True
