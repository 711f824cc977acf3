"""Sessions: one person on one connection, the background policy, several people per process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from os1.app import json_asker
from os1.clock import FixedClock
from os1.companion import Companion
from os1.companion.initiative import Initiatives, Rules
from os1.companion.session import Session
from os1.events import ActionResult, Event, TurnCommitted
from os1.llm import GenerationOptions, Message, ScriptedLLM
from os1.memory import HashingEmbedder, Memory
from os1.store import Journal, MemoryStore
from os1.store.initiatives import InitiativeStore

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class StuckMemoryLLM(ScriptedLLM):
    """Answers the conversation at once; memory work waits until it is let go."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.started = asyncio.Event()

    async def stream(
        self, messages: Sequence[Message], options: GenerationOptions
    ) -> AsyncIterator[str]:
        if options.session == "memory-work":
            self.started.set()
            await self.release.wait()
        async for piece in super().stream(messages, options):
            yield piece


def mind(home: Path, llm: ScriptedLLM) -> Companion:
    home.mkdir(parents=True, exist_ok=True)
    clock = FixedClock(NOW)
    journal = Journal.open("", home / "os1.db")
    memory = Memory(MemoryStore(journal.engine), HashingEmbedder(), json_asker(llm), clock)
    initiatives = Initiatives(InitiativeStore(journal.engine), clock, Rules())
    return Companion(journal, llm, clock, memory=memory, initiatives=initiatives)


async def said(session: Session, text: str) -> list[Event]:
    events = [e async for e in session.say(text)]
    assert isinstance(events[-1], TurnCommitted), events
    return events


@pytest.fixture
def companion(home: Path) -> Companion:
    return mind(home, StuckMemoryLLM())


async def test_speaking_again_cancels_quiet_work_so_the_reply_never_waits(
    companion: Companion,
) -> None:
    llm = companion.llm
    assert isinstance(llm, StuckMemoryLLM)
    session = Session(companion, "me")
    await said(session, "My sister Ana lives in Porto.")
    await asyncio.wait_for(llm.started.wait(), 60)  # quiet work has started, and is stuck
    second = await asyncio.wait_for(said(session, "And I play the cello."), 60)
    assert isinstance(second[-1], TurnCommitted)
    user = await session.mind.user_id()
    assert len(companion.memory.store.pending_turns(user)) == 2, "both still to remember"  # type: ignore[union-attr]
    await session.close()
    await companion.aclose()


async def test_one_process_serves_several_people_each_in_their_own_conversations(
    home: Path,
) -> None:
    companion = mind(home, ScriptedLLM())
    alice, bob = Session(companion, "alice"), Session(companion, "bob")
    await said(alice, "remind me to call mum at 12:30")
    bob_yes = await said(bob, "yes")
    assert not any(isinstance(e, ActionResult) for e in bob_yes), "not Bob's to answer"
    [done] = [e for e in await said(alice, "yes") if isinstance(e, ActionResult)]
    assert done.done
    alice_id, bob_id = await alice.mind.user_id(), await bob.mind.user_id()
    assert alice_id != bob_id
    assert [t.user_text for t in await bob.mind.history(await bob.conversation())] == ["yes"]
    assert len(companion.initiatives.store.listed(alice_id, None)) == 1  # type: ignore[union-attr]
    assert companion.initiatives.store.listed(bob_id, None) == []  # type: ignore[union-attr]
    assert companion.gate.audit.entries(bob_id) == []
    await alice.close()
    await bob.close()
    await companion.aclose()
