"""Rate limits: how many times something may happen per key in a sliding window.

One process counts in memory (``SlidingWindow``); several processes on one
database count together in Redis (``RedisWindow``), so a person cannot send
each process its own share of messages, nor guess a password on each.
"""

from __future__ import annotations

import math
import secrets
import time
from collections import deque
from typing import Any, Protocol


class Window(Protocol):
    """At most ``limit`` events per key within ``window_s`` seconds (sign-ins, messages)."""

    async def blocked(self, key: str) -> bool:
        """Whether ``key`` used up its events in the window (nothing is counted)."""
        ...

    async def count(self, key: str) -> None:
        """Count one event for ``key`` (a failed sign-in, say)."""
        ...

    async def allow(self, key: str) -> bool:
        """Count one event for ``key``; False (and not counted) once the limit is reached."""
        ...


class SlidingWindow:
    """The window in this process's memory."""

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

    async def blocked(self, key: str) -> bool:
        """Whether ``key`` used up its events in the window."""
        return len(self._recent(key)) >= self.limit

    async def count(self, key: str) -> None:
        """Count one event for ``key``."""
        self._recent(key).append(time.monotonic())

    async def allow(self, key: str) -> bool:
        """Count one event unless the limit is reached."""
        if await self.blocked(key):
            return False
        await self.count(key)
        return True


class RedisWindow:
    """The window in Redis, shared by every process: a sorted set of event times per key.

    Times are the machines' wall clocks, which processes sharing a database share
    closely enough for windows of seconds and minutes.
    """

    def __init__(self, redis: Any, prefix: str, limit: int, window_s: float) -> None:
        self._redis = redis
        self._prefix = prefix
        self.limit = limit
        self.window_s = window_s

    def _key(self, key: str) -> str:
        return f"{self._prefix}:{key}"

    async def blocked(self, key: str) -> bool:
        """Whether ``key`` used up its events in the window, in any process."""
        pipe = self._redis.pipeline()
        pipe.zremrangebyscore(self._key(key), 0, time.time() - self.window_s)
        pipe.zcard(self._key(key))
        _, seen = await pipe.execute()
        return int(seen) >= self.limit

    async def count(self, key: str) -> None:
        """Count one event for ``key``; the set goes once the window has passed."""
        pipe = self._redis.pipeline()
        pipe.zadd(self._key(key), {secrets.token_hex(8): time.time()})
        pipe.expire(self._key(key), math.ceil(self.window_s))
        await pipe.execute()

    async def allow(self, key: str) -> bool:
        """Count one event unless the limit is reached, in one transaction."""
        member = secrets.token_hex(8)
        now = time.time()
        pipe = self._redis.pipeline()
        pipe.zremrangebyscore(self._key(key), 0, now - self.window_s)
        pipe.zadd(self._key(key), {member: now})
        pipe.zcard(self._key(key))
        pipe.expire(self._key(key), math.ceil(self.window_s))
        _, _, seen, _ = await pipe.execute()
        if int(seen) <= self.limit:
            return True
        await self._redis.zrem(self._key(key), member)
        return False
