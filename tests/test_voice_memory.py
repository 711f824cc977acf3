"""A spoken turn with memory on reads its remembered facts once, while the person speaks."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from os1.app import json_asker
from os1.clock import FixedClock
from os1.companion import Companion
from os1.companion.companion import VOICE_MEMORY_TOKENS
from os1.companion.prompt import MEMORY_HEADER, MESSAGE_HEADER
from os1.llm import GenerationOptions, Message, ScriptedLLM
from os1.memory import HashingEmbedder, Memory
from os1.memory.memory import CHARS_PER_TOKEN
from os1.store import Journal
from os1.store.memories import MemoryStore, NewMemory

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


class CachingLLM(ScriptedLLM):
    """A scripted model with a prompt cache: records what is read ahead."""

    def __init__(self, replies: list[str]) -> None:
        super().__init__(replies)
        self.read_ahead: list[list[Message]] = []

    async def prefill(self, messages: Sequence[Message], options: GenerationOptions) -> None:
        self.read_ahead.append(list(messages))


def block(messages: Sequence[Message]) -> str:
    """The remembered facts in the newest message."""
    text = messages[-1].content
    assert text.startswith(MEMORY_HEADER), text
    return text.split(MESSAGE_HEADER)[0]


async def test_the_memory_block_stays_put_from_first_words_to_reply(home: Path) -> None:
    await asyncio.to_thread(home.mkdir, parents=True, exist_ok=True)
    clock = FixedClock(NOW)
    journal = Journal.open("", home / "os1.db")
    llm = CachingLLM(["Ana lives in Porto."])
    memory = Memory(MemoryStore(journal.engine), HashingEmbedder(), json_asker(llm), clock)
    companion = Companion(journal, llm, clock, memory=memory, interview=False)
    user = await companion.user_id()
    facts = [
        NewMemory("preference", "the user", f"thing {n}", f"The user likes thing number {n}.", 3)
        for n in range(200)
    ]
    facts.append(NewMemory("person", "Ana", "home", "The user's sister Ana lives in Porto.", 4))
    await memory.note(user, facts)
    conversation = await companion.new_conversation()

    for words in ("Where does", "Where does my sister", "Where does my sister Ana live now"):
        await companion.anticipate(words, conversation, final=False)
    events = [e async for e in companion.turn(
        "Where does my sister Ana live now?", conversation, spoken=lambda: "Ana lives in Porto."
    )]  # fmt: skip
    assert events[-1].type == "turn_committed"
    answered = llm.calls[-1][0]
    blocks = {block(m) for m in llm.read_ahead} | {block(answered)}
    assert len(blocks) == 1, "read once: the same facts from the first words to the reply"
    assert len(blocks.pop()) <= VOICE_MEMORY_TOKENS * CHARS_PER_TOKEN + len(MEMORY_HEADER) + 2

    await companion.prewarm(conversation)
    ahead = llm.calls[-1][0]
    assert "Ana lives in Porto" in block(ahead), (
        "the last exchange's facts, read before it is asked"
    )
    llm.enqueue("She's in Porto.")
    await companion.anticipate("And what", conversation, final=False)
    _ = [e async for e in companion.turn("And what about her?", conversation, spoken=str)]
    assert block(llm.calls[-1][0]) == block(ahead)
    typed = [e async for e in companion.turn("Where does Ana live?", conversation)]
    assert typed[-1].type == "turn_committed"
    await companion.aclose()
