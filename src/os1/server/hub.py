"""The hub: every open socket of every person, and the turns they start.

A turn runs in its own task, apart from the socket that asked for it, and
each of its events goes to every socket of that person. So the same
conversation is live on all their devices at once, and a device that goes
away mid-reply does not stop the turn: it is committed, and the device sees
it in the history when it comes back. A person's turns run one after
another (one lock per person), as they would in one terminal. Delivery is
through a relay: in-process by default, Redis pub/sub between server processes
when ``redis_url`` is set (``os1.server.relay``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from dataclasses import dataclass, field

from os1.companion import Companion
from os1.companion.session import Session
from os1.companion.sight import Shown
from os1.events import Event, TurnStarted
from os1.server.images import Uploads
from os1.server.protocol import EventFrame
from os1.server.relay import LocalRelay, Relay
from os1.store.accounts import Signed

log = logging.getLogger(__name__)

SESSIONS_KEPT = 64
"""Sessions kept between turns; the least recently used beyond this are closed."""

SIGNED_OUT = 4401
"""Close code of a socket whose sign-in ended, expired or whose device was revoked."""

OUTBOX_FRAMES = 2_000
"""Frames waiting for a slow socket before it is dropped (a long reply is a few hundred)."""


@dataclass(eq=False)
class Outbox:
    """The frames waiting to be sent to one socket."""

    user_id: int
    device_id: int | None = None
    session: str | None = None
    """The digest of the sign-in this socket came with, if it came with a cookie."""
    frames: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(OUTBOX_FRAMES))
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    close_code: int = 1013
    close_reason: str = "too far behind; reconnect"

    def put(self, frame: str) -> None:
        """Queue a frame; a socket too far behind is closed rather than let memory grow."""
        try:
            self.frames.put_nowait(frame)
        except asyncio.QueueFull:
            self.closed.set()

    def end(self, code: int, reason: str) -> None:
        """Close the socket with this code once the frames before are sent."""
        self.close_code, self.close_reason = code, reason
        self.closed.set()


class Hub:
    """Sockets by person, each person's sessions, and the turns in flight."""

    def __init__(self, companion: Companion, relay: Relay | None = None) -> None:
        self.companion = companion
        self.relay: Relay = relay or LocalRelay()
        self._outboxes: dict[int, set[Outbox]] = {}
        self._names: dict[int, str] = {}
        self._sessions: OrderedDict[tuple[int, int], Session] = OrderedDict()
        self._turns: set[asyncio.Task[None]] = set()
        self._closing: set[asyncio.Future[None]] = set()
        self.uploads = Uploads()

    def join(self, signed: Signed, session: str | None = None) -> Outbox:
        """A socket of this person opened (through a paired device, or a sign-in's cookie)."""
        outbox = Outbox(signed.user_id, signed.device_id, session)
        self._outboxes.setdefault(signed.user_id, set()).add(outbox)
        self._names[signed.user_id] = signed.name
        return outbox

    def leave(self, outbox: Outbox) -> None:
        """A socket closed; the person's turns in flight go on."""
        sockets = self._outboxes.get(outbox.user_id, set())
        sockets.discard(outbox)
        if not sockets:
            self._outboxes.pop(outbox.user_id, None)

    def cut(self, user_id: int, *, device_id: int | None = None, session: str | None = None) -> int:
        """Close this process's sockets of a revoked device or an ended sign-in at once."""
        cut = 0
        for outbox in list(self._outboxes.get(user_id, ())):
            if (device_id is not None and outbox.device_id == device_id) or (
                session is not None and outbox.session == session
            ):
                outbox.end(SIGNED_OUT, "signed out")
                cut += 1
        return cut

    def online(self) -> list[tuple[int, str]]:
        """The people with at least one socket open, as (id, name)."""
        return [(user_id, self._names[user_id]) for user_id in self._outboxes]

    async def start(self) -> None:
        """Begin receiving the frames the relay carries (from this process and others)."""
        await self.relay.start(self.deliver)

    async def publish(self, user_id: int, conversation: int | None, event: Event) -> None:
        """Send one event to every socket of this person, through the relay."""
        frame = EventFrame(conversation=conversation, event=event).model_dump_json()
        await self.relay.publish(user_id, frame)

    def deliver(self, user_id: int, frame: str) -> None:
        """Put a frame in the outbox of each socket of this person held by this process."""
        for outbox in list(self._outboxes.get(user_id, ())):
            outbox.put(frame)

    def session(self, signed: Signed, conversation: int) -> Session:
        """The session of this person in this conversation (one, whichever device speaks)."""
        key = (signed.user_id, conversation)
        found = self._sessions.get(key)
        if found is None:
            found = self._sessions[key] = Session(self.companion, signed.name, conversation)
        self._sessions.move_to_end(key)
        while len(self._sessions) > SESSIONS_KEPT:
            _, oldest = self._sessions.popitem(last=False)
            self._closing.add(asyncio.ensure_future(oldest.close()))
            self._closing = {task for task in self._closing if not task.done()}
        return found

    def pending(self, user_id: int) -> int:
        """How many turns of this person are running or waiting."""
        return sum(1 for task in self._turns if task.get_name() == f"turn-{user_id}")

    def start_turn(
        self,
        signed: Signed,
        conversation: int,
        text: str,
        listener: asyncio.Queue[Event | None] | None = None,
        image: Shown | None = None,
    ) -> asyncio.Task[None]:
        """Run a turn apart from any socket, so leaving mid-reply still commits it.

        A ``listener`` (the OpenAI-compatible route) also gets each event, then
        None when the turn is over; ``image`` is a photo shown with the message.
        """
        task = asyncio.create_task(
            self._turn(signed, conversation, text, listener, image), name=f"turn-{signed.user_id}"
        )
        self._turns.add(task)
        task.add_done_callback(self._turns.discard)
        return task

    async def _turn(
        self,
        signed: Signed,
        conversation: int,
        text: str,
        listener: asyncio.Queue[Event | None] | None,
        image: Shown | None = None,
    ) -> None:
        async with self.relay.turn(signed.user_id):
            for (user_id, other), session in list(self._sessions.items()):
                if user_id == signed.user_id and other != conversation:
                    await session.quiet()
            session = self.session(signed, conversation)
            try:
                async for event in session.say(text, image=image):
                    where = event.conversation_id if isinstance(event, TurnStarted) else None
                    await self.publish(signed.user_id, where or conversation, event)
                    if listener is not None:
                        listener.put_nowait(event)
            except Exception:
                log.exception("a turn over the server failed")
            finally:
                if listener is not None:
                    listener.put_nowait(None)

    async def drain(self) -> None:
        """Wait for the turns in flight (tests, and a server that stops gently)."""
        while self._turns:
            await asyncio.gather(*list(self._turns), return_exceptions=True)

    async def aclose(self) -> None:
        """Stop: turns in flight are committed as interrupted, background work is cancelled."""
        for task in list(self._turns):
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*list(self._turns), return_exceptions=True)
        for session in self._sessions.values():
            await session.close()
        self._sessions.clear()
        await self.relay.aclose()
