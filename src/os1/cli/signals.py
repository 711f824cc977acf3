"""Signals that end a conversation command: Ctrl-C, ``kill`` and a closed terminal.

SIGINT, SIGTERM and SIGHUP all end a reply the same way: the words shown so
far are committed as an interrupted turn, then the command leaves with the
conventional code (128 + the signal's number). Work after the reply (noting
memories) is cancelled; it stays queued for the next run.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

ENDING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Ending:
    """Which ending signal arrived first, with a callback for each one that does."""

    def __init__(self, loop: asyncio.AbstractEventLoop, on_signal: Callable[[int], None]) -> None:
        self._loop = loop
        self._on_signal = on_signal
        self.received: int | None = None
        self.after: asyncio.Task[None] | None = None
        """Work after the reply that a signal cancels."""

    def __enter__(self) -> Ending:
        for number in ENDING:
            self._loop.add_signal_handler(number, self._handle, number)
        return self

    def __exit__(self, *_: object) -> None:
        for number in ENDING:
            self._loop.remove_signal_handler(number)

    def _handle(self, number: int) -> None:
        self.received = self.received or number
        if self.after is not None:
            self.after.cancel()
        self._on_signal(number)

    @property
    def exit_code(self) -> int:
        """The code a command ended by a signal leaves with (0 when none arrived)."""
        return 128 + self.received if self.received else 0
