"""A model that replays written replies, for fast tests and scripted demos.

Use it from code (``ScriptedLLM(["hi", "bye"])``) or from the settings with
``model = "scripted"`` (echoes the last message) or ``"scripted:FILE"`` where
FILE is JSON ``{"replies": [...], "delay_s": 0.0}``.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from os1.config import Paths, Settings
from os1.errors import ConfigError
from os1.llm.base import GenerationOptions, Message

_PIECES = re.compile(r"\S+\s*|\s+")


class ScriptedLLM:
    """Replays queued replies word by word and records every call it gets."""

    name = "scripted"

    def __init__(self, replies: Sequence[str] = (), delay_s: float = 0.0) -> None:
        self._replies = list(replies)
        self.delay_s = delay_s
        self.calls: list[tuple[list[Message], GenerationOptions]] = []

    def enqueue(self, *replies: str) -> None:
        """Add replies to give, in order."""
        self._replies.extend(replies)

    async def stream(
        self, messages: Sequence[Message], options: GenerationOptions
    ) -> AsyncIterator[str]:
        """Yield the next queued reply, or an echo of the last message when none is queued."""
        self.calls.append((list(messages), options))
        reply = self._replies.pop(0) if self._replies else f"You said: {messages[-1].content}"
        for piece in _PIECES.findall(reply):
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            yield piece

    async def aclose(self) -> None:
        """Nothing to release."""


def create(settings: Settings, paths: Paths, spec: str) -> ScriptedLLM:
    """Build from the settings: no spec echoes, a spec names a JSON script file."""
    if not spec:
        return ScriptedLLM()
    try:
        script = json.loads(Path(spec).read_text(encoding="utf-8"))
        return ScriptedLLM(
            [str(r) for r in script.get("replies", [])], float(script.get("delay_s", 0))
        )
    except (OSError, ValueError, AttributeError) as exc:
        raise ConfigError(
            f"Cannot read the scripted model file {spec} ({exc}).",
            'It must be JSON like {"replies": ["..."], "delay_s": 0}.',
        ) from exc
