"""The gate: an outward skill runs only on a plain yes to its proposal, once, and is audited."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import run_os1, write_script

from os1.app import json_asker
from os1.clock import FixedClock
from os1.companion import Companion
from os1.companion.gate import CLAIM_TIMEOUT, LAPSE_AFTER
from os1.companion.initiative import Initiatives, Rules
from os1.events import ActionResult, Event, NeedsConfirmation, TurnCommitted
from os1.llm import ScriptedLLM
from os1.memory import HashingEmbedder, Memory
from os1.skills import Call, Outcome, Proposal
from os1.store import Journal, MemoryStore
from os1.store.initiatives import InitiativeStore

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ANA = json.dumps(
    {
        "memories": [
            {
                "kind": "person",
                "about": "Ana",
                "aspect": "home city",
                "content": "The user's sister Ana lives in Porto.",
                "when": "",
                "importance": 4,
            }
        ]
    }
)


class Mind:
    """A companion with memory and reminders on a real store, the scripted model, a set clock."""

    def __init__(self, home: Path, database_url: str = "", **kwargs: Any) -> None:
        self.llm = ScriptedLLM()
        self.clock = FixedClock(NOW)
        self.journal = Journal.open(database_url, home / "os1.db")
        self.memory = Memory(
            MemoryStore(self.journal.engine), HashingEmbedder(), json_asker(self.llm), self.clock
        )
        self.initiatives = Initiatives(InitiativeStore(self.journal.engine), self.clock, Rules())
        self.companion = Companion(
            self.journal,
            self.llm,
            self.clock,
            memory=self.memory,
            initiatives=self.initiatives,
            **kwargs,
        )

    async def turn(self, text: str, conversation: int | None = None) -> list[Event]:
        events = [e async for e in self.companion.turn(text, conversation)]
        assert isinstance(events[-1], TurnCommitted), events
        return events

    async def reply(self, text: str, conversation: int | None = None) -> str:
        committed = (await self.turn(text, conversation))[-1]
        assert isinstance(committed, TurnCommitted)
        return committed.reply

    async def remember_ana(self) -> None:
        self.llm.enqueue("Nice.")
        await self.turn("My sister Ana lives in Porto.")
        self.llm.enqueue(ANA)
        await self.companion.remember_pending()

    async def facts(self) -> list[str]:
        user = await self.companion.user_id()
        return [r.content for r in self.memory.store.records(user) if r.kind != "episode"]

    async def audit(self) -> list[tuple[str, str]]:
        user = await self.companion.user_id()
        return [(e.skill, e.status) for e in self.companion.gate.audit.entries(user)]


@pytest.fixture
def folder(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    return home


@pytest.fixture
async def mind(folder: Path, database_url: str) -> AsyncIterator[Mind]:
    made = Mind(folder, database_url)
    yield made
    await made.companion.aclose()


def results(events: list[Event]) -> list[ActionResult]:
    return [e for e in events if isinstance(e, ActionResult)]


@pytest.mark.parametrize(
    "undecided",
    [
        "Okay wait, what exactly would you forget?",
        "y'know, not sure",
        "hmm",
        "yes, but only the old one",
        "sí",
        "yes?",
    ],
)
async def test_anything_but_a_plain_yes_leaves_the_proposal_waiting(
    mind: Mind, undecided: str
) -> None:
    await mind.remember_ana()
    calls = len(mind.llm.calls)
    offer = await mind.turn("forget what I told you about Ana")
    [proposed] = [e for e in offer if isinstance(e, NeedsConfirmation)]
    assert proposed.items == [
        "The user's sister Ana lives in Porto.",
        "My sister Ana lives in Porto.",
    ]
    held = await mind.turn(undecided)
    assert results(held) == [], "nothing was done or declined"
    [again] = [e for e in held if isinstance(e, NeedsConfirmation)]
    assert again.action_id == proposed.action_id, "the same proposal, shown again"
    said = held[-1]
    assert isinstance(said, TurnCommitted)
    assert "haven't done anything" in said.reply
    assert "Forget 2 memories about Ana" in said.reply, "it says what it is waiting for"
    assert await mind.facts() == ["The user's sister Ana lives in Porto."]
    [done] = results(await mind.turn("yes"))
    assert done.done
    assert await mind.facts() == []
    assert len(mind.llm.calls) == calls, "the model never saw these turns"


async def test_a_new_request_lapses_the_proposal_and_a_late_yes_answers_the_new_one(
    mind: Mind,
) -> None:
    await mind.remember_ana()
    await mind.turn("forget about Ana")
    offer = await mind.reply("remind me to call mum at 12:30")
    assert "Shall I?" in offer
    [result] = results(await mind.turn("yes"))
    assert result.done
    assert await mind.facts() == ["The user's sister Ana lives in Porto."], "Ana is kept"
    user = await mind.companion.user_id()
    [reminder] = mind.initiatives.store.listed(user, None)
    assert reminder.text == "You asked me to remind you: call mum."
    assert await mind.audit() == [
        ("forget", "proposed"),
        ("forget", "lapsed"),
        ("remind", "proposed"),
        ("remind", "confirmed"),
        ("remind", "done"),
    ]


async def test_a_no_declines_and_a_yes_afterwards_does_nothing(mind: Mind) -> None:
    await mind.remember_ana()
    await mind.turn("forget about Ana")
    [declined] = results(await mind.turn("no, keep it"))
    assert not declined.done
    mind.llm.enqueue("Yes to what?")
    assert results(await mind.turn("yes")) == []
    assert await mind.facts() == ["The user's sister Ana lives in Porto."]


async def test_a_proposal_left_unanswered_lapses(mind: Mind) -> None:
    await mind.remember_ana()
    await mind.turn("forget about Ana")
    mind.clock.set(NOW + LAPSE_AFTER + timedelta(minutes=1))
    mind.llm.enqueue("Yes to what?")
    assert results(await mind.turn("yes")) == []
    assert await mind.facts() == ["The user's sister Ana lives in Porto."]
    assert ("forget", "lapsed") in await mind.audit()


async def test_a_yes_in_another_conversation_does_not_answer_it(mind: Mind) -> None:
    await mind.remember_ana()
    await mind.turn("forget about Ana")
    elsewhere = await mind.companion.new_conversation()
    mind.llm.enqueue("Yes to what?")
    assert results(await mind.turn("yes", elsewhere)) == []
    assert await mind.facts() == ["The user's sister Ana lives in Porto."]
    first = (await mind.companion.conversations())[-1].id
    [done] = results(await mind.turn("yes", first))
    assert done.done


async def test_two_devices_answering_at_once_carry_it_out_exactly_once(
    folder: Path, database_url: str
) -> None:
    phone, laptop = Mind(folder, database_url), Mind(folder, database_url)
    await phone.remember_ana()
    offer = await phone.turn("forget about Ana")
    conversation = offer[-1].conversation_id  # type: ignore[union-attr]
    laptop.llm.enqueue("Yes to what?")
    phone.llm.enqueue("Yes to what?")
    both = await asyncio.gather(phone.turn("yes", conversation), laptop.turn("yes", conversation))
    done = [r for events in both for r in results(events) if r.done]
    assert len(done) == 1
    statuses = [status for _, status in await phone.audit()]
    assert statuses.count("confirmed") == 1
    assert statuses.count("done") == 1
    await phone.companion.aclose()
    await laptop.companion.aclose()


class Exploding:
    """An outward skill whose work fails."""

    name = "explode"
    description = "Fails on purpose."
    schema: dict[str, Any] = {"type": "object"}  # noqa: RUF012
    outward = True

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        return {"what": "the shed"} if text == "blow up the shed" else None

    async def plan(self, call: Call) -> Proposal:
        return Proposal(summary="Blow up the shed")

    async def run(self, call: Call) -> Outcome:
        raise RuntimeError("the fuse is wet")


async def test_a_skill_that_raises_is_a_failed_result_and_the_turn_is_kept(
    folder: Path,
) -> None:
    mind = Mind(folder, skills=[Exploding()])
    await mind.turn("blow up the shed")
    events = await mind.turn("yes")
    [failed] = results(events)
    assert not failed.done
    assert "the fuse is wet" in failed.message
    committed = events[-1]
    assert isinstance(committed, TurnCommitted)
    assert "the fuse is wet" in committed.reply
    assert [t.user_text for t in await mind.companion.history(committed.conversation_id)] == [
        "blow up the shed",
        "yes",
    ]
    assert (await mind.audit())[-1] == ("explode", "failed")
    await mind.companion.aclose()


async def test_a_crash_between_yes_and_doing_leaves_it_waiting_and_it_is_done_once(
    mind: Mind,
) -> None:
    await mind.remember_ana()
    offer = await mind.turn("forget about Ana")
    [proposed] = [e for e in offer if isinstance(e, NeedsConfirmation)]
    user = await mind.companion.user_id()
    claimed = mind.companion.gate.audit.claim(user, proposed.action_id, "yes", NOW)
    assert claimed is not None  # ...and the process died here, before forgetting
    mind.clock.set(NOW + CLAIM_TIMEOUT + timedelta(seconds=1))
    [done] = results(await mind.turn("yes"))
    assert done.done
    assert await mind.facts() == []
    statuses = [status for _, status in await mind.audit()]
    assert statuses == ["proposed", "confirmed", "released", "confirmed", "done"]


async def test_the_audit_says_what_when_with_what_and_on_whose_word(mind: Mind) -> None:
    await mind.remember_ana()
    await mind.turn("forget about Ana")
    await mind.turn("yes")
    user = await mind.companion.user_id()
    entries = mind.companion.gate.audit.entries(user)
    assert [e.status for e in entries] == ["proposed", "confirmed", "done"]
    assert entries[0].arguments["topic"] == "Ana"
    assert len(entries[0].arguments["ids"]) == 2
    assert entries[0].result == "Forget 2 memories about Ana"
    assert "'yes'" in entries[1].confirmed_by
    assert entries[2].result == "Forgot 2 memories."
    assert all(e.at == NOW for e in entries)
    other = mind.journal.user_id("someone else", NOW)
    assert mind.companion.gate.audit.entries(other) == []


def test_os1_audit_lists_a_reminder_proposed_confirmed_and_set(tmp_path: Path) -> None:
    env = {"OS1_MODEL": write_script(tmp_path / "s.json", ["Hello."]), "OS1_MEMORY": "false"}
    env["OS1_NOW"] = "2026-11-23T10:00:00+00:00"
    offer = run_os1("say", "remind me to call mum in 5 minutes", env=env)
    assert offer.code == 0, offer.stderr
    assert "Shall I?" in offer.stdout
    done = run_os1("say", "--json", "yes", env=env)
    [result] = [e for e in done.events() if e["type"] == "action_result"]
    assert result["done"] is True
    listed = run_os1("audit", "--json", env=env)
    assert listed.code == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(r["skill"], r["status"]) for r in rows] == [
        ("remind", "proposed"),
        ("remind", "confirmed"),
        ("remind", "done"),
    ]
    assert rows[0]["arguments"]["what"] == "call mum"
    assert "yes" in rows[1]["confirmed_by"]
    table = run_os1("audit", env=env)
    assert "remind" in table.stdout
