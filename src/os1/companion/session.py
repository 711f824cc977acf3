"""A session: the mind's unit of conversation for one person on one connection.

The companion (``Companion``) holds what every conversation shares: the model,
the stores, the skills and the gate. A session adds what belongs to one
person talking through one front door: who they are (``user`` is an argument,
so one process can serve several people), which conversation they are in,
the turn loop, and the background policy: work for quiet moments (memories,
reflection, persona growth) starts after a reply and is cancelled as soon as
the person speaks again, so a reply never waits for it; what is due
(reminders, follow-ups, check-ins) is looked for at the start and then every
``POLL_S`` while the person is quiet. Proposals waiting for a yes belong to
the conversation, in the store, so they survive the session.

``os1 chat``, ``os1 say`` and ``os1 talk`` are transports over a session: they
turn their medium into calls here and render the ``os1.events`` it yields.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable

from os1.companion.companion import Companion
from os1.companion.sight import Shown
from os1.events import Event, InitiativeEvent

log = logging.getLogger(__name__)

POLL_S = 20.0
"""How often a session that waits for the person looks for what is due."""


class Session:
    """One person, one connection: turns, background work, and what os1 says first."""

    def __init__(
        self, companion: Companion, user: str, conversation: int | None = None, *, new: bool = False
    ) -> None:
        self.mind = companion.for_user(user)
        self.user = user
        self._asked = conversation
        self._new = new
        self._conversation: int | None = None
        self._background: asyncio.Task[None] | None = None

    async def conversation(self) -> int:
        """The conversation this session speaks in (the one asked for, a new one, or the latest)."""
        if self._conversation is None:
            self._conversation = (
                await self.mind.new_conversation()
                if self._new
                else await self.mind.resolve_conversation(self._asked)
            )
        return self._conversation

    async def start_over(self) -> int:
        """Move to a new conversation (``/new``)."""
        await self.quiet()
        self._conversation = await self.mind.new_conversation()
        return self._conversation

    async def say(
        self,
        text: str,
        *,
        stop: asyncio.Event | None = None,
        spoken: Callable[[], str] | None = None,
        heard: Callable[[], Awaitable[None]] | None = None,
        background: bool = True,
        image: Shown | None = None,
    ) -> AsyncGenerator[Event, None]:
        """One turn: background work stops first, the reply streams, quiet work resumes after.

        ``stop``, ``spoken``, ``heard`` and ``image`` (a photo shown with the
        message) are passed to :meth:`Companion.turn`.
        With ``background`` off (a front door that leaves right away), nothing
        is started after the turn; the front door calls :meth:`remember`.
        """
        await self.quiet()
        conversation = await self.conversation()
        turn = self.mind.turn(
            text, conversation, stop=stop, spoken=spoken, heard=heard, image=image
        )
        async with contextlib.aclosing(turn) as events:
            async for event in events:
                yield event
        if background and not (stop is not None and stop.is_set()):
            self.rest()

    def rest(self) -> None:
        """The person is quiet: start the work for quiet moments, until they speak again."""
        if self._background is None or self._background.done():
            self._background = asyncio.ensure_future(self._logged("idle work", self.mind.idle()))

    async def quiet(self) -> None:
        """The person speaks: cancel background work now (it is picked up again later)."""
        work, self._background = self._background, None
        if work is not None and not work.done():
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await work

    async def remember(self) -> None:
        """Note what is worth remembering from the turns so far, before the front door leaves."""
        await self._logged("memory extraction", self._extract())

    async def _extract(self) -> None:
        done = await self.mind.remember_pending()
        log.info("memory extraction: %d turns read", done)

    async def due(self) -> list[InitiativeEvent]:
        """What os1 has to say first now; a failure is logged and says nothing."""
        found: list[InitiativeEvent] = []

        async def look() -> None:
            found.extend(await self.mind.speak_first())

        await self._logged("looking for what is due", look())
        return found

    async def close(self) -> None:
        """Stop background work; the companion itself is closed by whoever made it."""
        await self.quiet()

    @staticmethod
    async def _logged(work: str, job: Awaitable[None]) -> None:
        """Background work whose failure only delays it: the log says why, the talk goes on."""
        try:
            await job
        except Exception:
            log.exception("%s failed; it is tried again later", work)
