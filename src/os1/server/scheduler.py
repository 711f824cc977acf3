"""What is due, said on time to every open device of the person it is for.

Inside ``os1 serve`` the scheduler looks every ``every_s`` seconds (and at
once when a device connects) for reminders, follow-ups and check-ins that
have come due for each person with a device open, and sends them to all of
that person's sockets. Each is claimed in the store before it is sent, so it
is said exactly once; while none of the person's devices is connected it
stays waiting and comes when one connects. Quiet hours, the daily cap and
the off switch are the companion's rules (``Initiatives.deliver_due``).

On a desktop the desktop is one more device of the person at it
(``os1.server.desktop``): what is due for them is shown there at once, with
or without a browser open.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from os1.companion.session import Session
from os1.server.desktop import DesktopNotifier
from os1.server.hub import Hub
from os1.store.accounts import AccountStore

LOOK_AGAIN_S = 600.0
"""How often each connected person's whole situation (a check-in after a quiet spell) is weighed."""
LOOKS_PER_ROUND = 100
"""At most this many whole looks a round, the longest-waiting first, so a crowd is spread out."""


class Scheduler:
    """Delivers what is due to the people online; ``tick`` does one round.

    A round asks the store once who has something due and says it to those
    of them who are online. Whether a person is owed a check-in is weighed
    when they connect and then every ``LOOK_AGAIN_S``, a bounded number per
    round: asking about each of thousands of people every round took
    seconds and held up their conversations.
    """

    def __init__(
        self, hub: Hub, every_s: float = 5.0, desktop: DesktopNotifier | None = None
    ) -> None:
        self.hub = hub
        self.every_s = every_s
        self.desktop = desktop
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._looked: dict[int, float] = {}

    async def tick(self) -> int:
        """Deliver everything due now to whoever is online; return how many were said."""
        initiatives = self.hub.companion.initiatives
        if initiatives is None:
            return 0
        people = dict(self.hub.online())
        at_desk = await self._person_at_desktop()
        if at_desk is not None:
            people.setdefault(at_desk, self.desktop.person if self.desktop else "")
        due = await asyncio.to_thread(initiatives.store.people_with_due, initiatives.clock.now())
        now = time.monotonic()
        self._looked = {u: at for u, at in self._looked.items() if u in people}
        waiting = sorted(
            (u for u in people if now - self._looked.get(u, -LOOK_AGAIN_S) >= LOOK_AGAIN_S),
            key=lambda u: self._looked.get(u, -LOOK_AGAIN_S),
        )
        said = 0
        for user_id in dict.fromkeys(
            [*(u for u in people if u in due), *waiting[:LOOKS_PER_ROUND]]
        ):
            self._looked[user_id] = now
            for event in await Session(self.hub.companion, people[user_id]).due():
                await self.hub.publish(user_id, None, event)
                if user_id == at_desk and self.desktop is not None:
                    await self.desktop.notify("os1", event.text)
                said += 1
        return said

    async def _person_at_desktop(self) -> int | None:
        """The id of the desktop's person, if there is a desktop and they have an account."""
        if self.desktop is None or not self.desktop.present:
            return None
        accounts = AccountStore(self.hub.companion.journal.engine)
        everyone = await asyncio.to_thread(accounts.accounts)
        return next((a.id for a in everyone if a.name == self.desktop.person), None)

    def wake(self) -> None:
        """Look now rather than at the next round (a device just connected)."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            await self.tick()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.every_s)
            self._wake.clear()

    def start(self) -> None:
        """Begin the rounds in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="scheduler")

    async def stop(self) -> None:
        """End the rounds."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
