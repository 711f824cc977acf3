"""Starting a reply before it is certain to be wanted, and handing it over if it is.

In a spoken conversation the words are known a few hundred milliseconds
before anyone can be sure the person has finished: they have paused, but
might go on. A :class:`Speculation` starts the model on those words at once;
when the turn is then asked for with exactly the same prompt it takes over
the reply already under way (tokens generated so far first), and when it is
asked for anything else, or withdrawn, the early request is stopped. The
prompt it read stays in the model's cache either way.

Only backends that keep a prompt cache (``prefill``) are worth speculating
on: a remote server would bill for the thrown-away replies.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from os1.llm.base import LLM, GenerationOptions, Message


@runtime_checkable
class Prefilling(Protocol):
    """A model that can read a prompt into its cache without answering it."""

    async def prefill(self, messages: Sequence[Message], options: GenerationOptions) -> None:
        """Read ``messages`` ahead, the last one as words so far (more may follow).

        A later request that starts the same way then reads only the rest.
        """
        ...


@dataclass
class _Early:
    messages: list[Message]
    options: GenerationOptions
    pieces: list[str] = field(default_factory=list)
    finished: bool = False
    error: BaseException | None = None
    grew: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class Speculation:
    """At most one early request on a model, adopted by an identical later one."""

    def __init__(self, llm: LLM) -> None:
        self.llm = llm
        self._early: _Early | None = None

    @property
    def possible(self) -> bool:
        """Whether the model keeps a prompt cache, so early work is never wasted."""
        return isinstance(self.llm, Prefilling)

    async def prefill(self, messages: Sequence[Message], options: GenerationOptions) -> None:
        """Read ``messages`` ahead now, the last one as words so far; returns when done."""
        if not isinstance(self.llm, Prefilling):
            return
        await self.cancel()
        await self.llm.prefill(messages, options)

    async def start(self, messages: Sequence[Message], options: GenerationOptions) -> None:
        """Begin the reply to ``messages`` in the background, unless it is already under way."""
        if not self.possible:
            return
        early = self._early
        if early is not None and early.messages == list(messages) and early.options == options:
            return
        await self.cancel()
        early = _Early(list(messages), options)
        early.task = asyncio.ensure_future(self._run(early))
        self._early = early

    async def _run(self, early: _Early) -> None:
        try:
            async for piece in self.llm.stream(early.messages, early.options):
                early.pieces.append(piece)
                early.grew.set()
        except Exception as exc:  # handed to whoever adopts the reply
            early.error = exc
        finally:
            early.finished = True
            early.grew.set()

    async def cancel(self) -> None:
        """Stop the early request, if any (what it read stays cached)."""
        early, self._early = self._early, None
        if early is not None and early.task is not None and not early.task.done():
            early.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await early.task

    async def stream(
        self, messages: Sequence[Message], options: GenerationOptions
    ) -> AsyncIterator[str]:
        """The reply: taken over from the early request if it asked the same, else a new one."""
        early = self._early
        if early is None or early.messages != list(messages) or early.options != options:
            await self.cancel()
            async for piece in self.llm.stream(messages, options):
                yield piece
            return
        self._early = None
        sent = 0
        try:
            while True:
                while sent < len(early.pieces):
                    sent += 1
                    yield early.pieces[sent - 1]
                if early.finished:
                    break
                early.grew.clear()
                if sent == len(early.pieces) and not early.finished:
                    await early.grew.wait()
            if early.error is not None:
                raise early.error
        finally:
            if early.task is not None and not early.task.done():
                early.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await early.task
