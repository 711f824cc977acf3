"""Relays: how a frame for a person reaches every socket of theirs, in any server process.

A relay also keeps each person's turns in order: one at a time per person,
in whichever process they were started, so two devices talking at once never
answer from the same history twice.

``LocalRelay`` hands frames straight to this process's hub: one process
serves everyone (the default). ``RedisRelay`` (when ``redis_url`` is set)
publishes each frame on a Redis channel that every server process on the
same database listens to, and each process delivers the frames of the people
whose sockets it holds; so a phone on one process sees the reply a laptop
started on another.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

from os1.server.limits import RedisWindow, SlidingWindow, Window

log = logging.getLogger(__name__)

Deliver = Callable[[int, str], None]
"""Hands one frame to this process's sockets of one person."""


class Relay(Protocol):
    """Carries frames to every process that may hold a socket of the person."""

    async def publish(self, user_id: int, frame: str) -> None:
        """Send one frame towards all of the person's sockets."""
        ...

    async def start(self, deliver: Deliver) -> None:
        """Begin delivering frames published anywhere to this process's sockets."""
        ...

    def turn(self, user_id: int) -> contextlib.AbstractAsyncContextManager[None]:
        """Held while one of the person's turns runs: their next turn waits for it."""
        ...

    def window(self, name: str, limit: int, window_s: float) -> Window:
        """A rate limit counted across every process this relay reaches."""
        ...

    async def aclose(self) -> None:
        """Stop delivering."""
        ...


class LocalRelay:
    """One process: a published frame is delivered at once, here."""

    def __init__(self) -> None:
        self._deliver: Deliver | None = None
        self._turns: dict[int, asyncio.Lock] = {}

    async def publish(self, user_id: int, frame: str) -> None:
        """Deliver to this process's sockets."""
        if self._deliver is not None:
            self._deliver(user_id, frame)

    async def start(self, deliver: Deliver) -> None:
        """Remember where frames go."""
        self._deliver = deliver

    def turn(self, user_id: int) -> contextlib.AbstractAsyncContextManager[None]:
        """A lock per person in this process: the only process there is."""
        return self._turns.setdefault(user_id, asyncio.Lock())

    def window(self, name: str, limit: int, window_s: float) -> Window:
        """Counted in this process's memory."""
        return SlidingWindow(limit, window_s)

    async def aclose(self) -> None:
        """Nothing to release."""


def channel_for(database: str) -> str:
    """The channel of the server processes that share one database (and so the same people)."""
    return "os1:events:" + hashlib.sha256(database.encode("utf-8")).hexdigest()[:16]


TURN_LOCK_S = 600.0
"""How long a process may hold a person's turn before Redis lets the next one start anyway:
a process killed mid-turn must not silence the person for good."""


class RedisRelay:
    """Many processes: frames go through one Redis pub/sub channel per database.

    Turns are ordered by a Redis lock per person on the same database, taken
    in this process's order first (a local lock), so the waiting is fair here
    and only one request per process polls Redis.
    """

    def __init__(self, url: str, channel: str) -> None:
        from redis.asyncio import Redis

        self.channel = channel
        self._turns: dict[int, asyncio.Lock] = {}
        self._redis = Redis.from_url(url)
        self._listener: asyncio.Task[None] | None = None
        self._pubsub: Any = None

    async def publish(self, user_id: int, frame: str) -> None:
        """Publish on the channel; every process (this one too) delivers it."""
        await self._redis.publish(self.channel, json.dumps({"user": user_id, "frame": frame}))

    async def start(self, deliver: Deliver) -> None:
        """Subscribe, then deliver each frame of the channel to this process's sockets."""
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(self.channel)

        async def listen() -> None:
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                try:
                    data = json.loads(message["data"])
                    deliver(int(data["user"]), str(data["frame"]))
                except (ValueError, KeyError, TypeError):
                    log.warning("a frame on %s could not be read; skipped", self.channel)

        self._pubsub = pubsub
        self._listener = asyncio.create_task(listen(), name="redis-relay")

    @contextlib.asynccontextmanager
    async def turn(self, user_id: int) -> AsyncIterator[None]:
        """The person's turn across every process on this database."""
        async with (
            self._turns.setdefault(user_id, asyncio.Lock()),
            self._redis.lock(f"{self.channel}:turn:{user_id}", timeout=TURN_LOCK_S, sleep=0.05),
        ):
            yield

    def window(self, name: str, limit: int, window_s: float) -> Window:
        """Counted in Redis, beside this database's channel."""
        return RedisWindow(self._redis, f"{self.channel}:limit:{name}", limit, window_s)

    async def aclose(self) -> None:
        """Unsubscribe and close the connection."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        if self._pubsub is not None:
            await self._pubsub.aclose()
        await self._redis.aclose()
