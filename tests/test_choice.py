"""The model's choice of a skill when no pattern matches: schema-constrained, and still gated."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from os1.clock import FixedClock
from os1.companion import Companion
from os1.companion.initiative import Initiatives, Rules
from os1.events import ActionResult, Event, NeedsConfirmation, TurnCommitted
from os1.llm import ScriptedLLM
from os1.store import Journal
from os1.store.initiatives import InitiativeStore

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ASKED = "Could you set up a little nudge so I water the plants tomorrow morning?"


def make(home: Path, llm: ScriptedLLM, *, route_with_model: bool = True) -> Companion:
    home.mkdir(parents=True, exist_ok=True)
    clock = FixedClock(NOW)
    journal = Journal.open("", home / "os1.db")
    initiatives = Initiatives(InitiativeStore(journal.engine), clock, Rules())
    return Companion(
        journal, llm, clock, initiatives=initiatives, route_with_model=route_with_model
    )


@pytest.fixture
def llm() -> ScriptedLLM:
    return ScriptedLLM()


async def turn(companion: Companion, text: str) -> list[Event]:
    events = [e async for e in companion.turn(text)]
    assert isinstance(events[-1], TurnCommitted), events
    return events


async def test_the_model_picks_a_skill_no_pattern_knows_and_it_still_waits_for_a_yes(
    home: Path, llm: ScriptedLLM
) -> None:
    companion = make(home, llm)
    llm.enqueue(
        json.dumps({"action": "remind"}),
        json.dumps({"what": "water the plants", "when": "tomorrow at 9am"}),
    )
    offered = await turn(companion, ASKED)
    [proposal] = [e for e in offered if isinstance(e, NeedsConfirmation)]
    assert proposal.skill == "remind"
    assert proposal.summary == "Remind you to water the plants on Tue 24 Nov at 09:00"
    user = await companion.user_id()
    assert companion.initiatives.store.listed(user, None) == []  # type: ignore[union-attr]
    choosing, _ = llm.calls[0]
    assert choosing[1].content.startswith("<message>\n"), "the words are fenced as material"
    assert "remind:" in choosing[0].content
    [done] = [e for e in await turn(companion, "yes") if isinstance(e, ActionResult)]
    assert done.done
    assert len(companion.initiatives.store.listed(user, None)) == 1  # type: ignore[union-attr]
    await companion.aclose()


async def test_conversation_the_model_sorts_as_none_is_answered_as_usual(
    home: Path, llm: ScriptedLLM
) -> None:
    companion = make(home, llm)
    llm.enqueue(json.dumps({"action": "none"}), "It sounds like a lovely garden.")
    events = await turn(companion, "My tomatoes are finally red.")
    assert not any(isinstance(e, NeedsConfirmation) for e in events)
    assert events[-1].reply == "It sounds like a lovely garden."  # type: ignore[union-attr]
    await companion.aclose()


async def test_without_the_setting_the_model_is_not_asked_to_sort(
    home: Path, llm: ScriptedLLM
) -> None:
    companion = make(home, llm, route_with_model=False)
    llm.enqueue("Of course.")
    events = await turn(companion, ASKED)
    assert not any(isinstance(e, NeedsConfirmation) for e in events)
    assert len(llm.calls) == 1, "one call: the reply itself"
    await companion.aclose()


async def test_a_time_the_model_reads_that_means_nothing_is_asked_about_not_guessed(
    home: Path, llm: ScriptedLLM
) -> None:
    companion = make(home, llm)
    llm.enqueue(
        json.dumps({"action": "remind"}),
        json.dumps({"what": "water the plants", "when": "whenever the moon is full"}),
    )
    events = await turn(companion, ASKED)
    assert not any(isinstance(e, NeedsConfirmation) for e in events)
    assert "couldn't tell when 'whenever the moon is full' is" in events[-1].reply  # type: ignore[union-attr]
    await companion.aclose()
