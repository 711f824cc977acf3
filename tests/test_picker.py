"""The model's pick of a skill when no pattern matches: one constrained call, gated, grounded."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from os1.clock import FixedClock
from os1.companion import Companion
from os1.companion.initiative import Initiatives, Rules
from os1.companion.picker import Picker, pick_schema
from os1.companion.skills import Parts
from os1.companion.skills.calendar_change import create_add
from os1.companion.skills.calendar_week import create
from os1.events import ActionResult, Event, NeedsConfirmation, TurnCommitted
from os1.llm import ScriptedLLM
from os1.skills import load_skills
from os1.store import Journal
from os1.store.initiatives import InitiativeStore

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ASKED = "Could you set up a little nudge so I water the plants tomorrow morning? Remind me."


def make(home: Path, llm: ScriptedLLM, *, route_with_model: bool = True) -> Companion:
    home.mkdir(parents=True, exist_ok=True)
    clock = FixedClock(NOW)
    journal = Journal.open("", home / "os1.db")
    initiatives = Initiatives(InitiativeStore(journal.engine), clock, Rules())
    parts = Parts(journal, clock, initiatives=initiatives)
    from os1.companion.skills.remind import create as create_remind

    skills = [create_remind(parts), create(parts), create_add(parts)]
    return Companion(
        journal, llm, clock, initiatives=initiatives, skills=[s for s in skills if s],
        route_with_model=route_with_model,
    )  # fmt: skip


@pytest.fixture
def llm() -> ScriptedLLM:
    return ScriptedLLM()


async def turn(companion: Companion, text: str) -> list[Event]:
    events = [e async for e in companion.turn(text)]
    assert isinstance(events[-1], TurnCommitted), events
    return events


async def test_one_call_picks_a_skill_and_its_arguments_and_it_still_waits_for_a_yes(
    home: Path, llm: ScriptedLLM
) -> None:
    companion = make(home, llm)
    llm.enqueue(
        json.dumps(
            {
                "skill": "remind",
                "arguments": {"what": "water the plants", "when": "tomorrow morning"},
            }
        )
    )
    offered = await turn(companion, ASKED)
    [proposal] = [e for e in offered if isinstance(e, NeedsConfirmation)]
    assert proposal.skill == "remind"
    assert proposal.summary == "Remind you to water the plants on Tue 24 Nov at 09:00"
    assert len(llm.calls) == 1, "one call picks the skill and fills it in"
    [(messages, options)] = llm.calls
    assert messages[0].content.startswith("Today is Monday 23 November 2026.")
    assert messages[1].content.startswith("<message>\n"), "the words are fenced as material"
    assert options.json_schema == pick_schema(companion.skills)
    user = await companion.user_id()
    assert companion.initiatives.store.listed(user, None) == []  # type: ignore[union-attr]
    [done] = [e for e in await turn(companion, "yes") if isinstance(e, ActionResult)]
    assert done.done
    assert len(companion.initiatives.store.listed(user, None)) == 1  # type: ignore[union-attr]
    await companion.aclose()


async def test_ordinary_conversation_never_pays_for_a_pick(home: Path, llm: ScriptedLLM) -> None:
    companion = make(home, llm)
    llm.enqueue("It was slow and sunny, thank you.")
    events = await turn(companion, "How was your day?")
    assert events[-1].reply == "It was slow and sunny, thank you."  # type: ignore[union-attr]
    assert len(llm.calls) == 1, "only the reply: no skill word, no pick"
    assert llm.calls[0][1].json_schema is None
    await companion.aclose()


async def test_a_message_sorted_as_none_is_answered_as_usual(home: Path, llm: ScriptedLLM) -> None:
    companion = make(home, llm)
    llm.enqueue(json.dumps({"skill": "none"}), "A calendar full of birthdays sounds lovely.")
    events = await turn(companion, "Can you believe my sister gave me a calendar with cats?")
    assert not any(isinstance(e, NeedsConfirmation) for e in events)
    assert events[-1].reply == "A calendar full of birthdays sounds lovely."  # type: ignore[union-attr]
    await companion.aclose()


async def test_a_spoken_turn_never_waits_for_the_models_pick(home: Path, llm: ScriptedLLM) -> None:
    companion = make(home, llm)
    llm.enqueue("A letter to your sister could start with a memory you share.")
    said = "What is a nice way to start a letter in my calendar?"
    events = [e async for e in companion.turn(said, spoken=lambda: "")]
    assert events[-1].reply.startswith("A letter to your sister")  # type: ignore[union-attr]
    assert len(llm.calls) == 1, "one call: the reply, no pick before it"
    await companion.aclose()


async def test_arguments_the_person_did_not_say_are_refused(home: Path, llm: ScriptedLLM) -> None:
    companion = make(home, llm)
    invented = {
        "skill": "calendar_add",
        "arguments": {"what": "board meeting with the investors", "when": "Friday at 9"},
    }
    llm.enqueue(json.dumps(invented), "Sure.")
    events = await turn(companion, "Put something in my calendar for Friday at 9.")
    assert not any(isinstance(e, NeedsConfirmation) for e in events)
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
    moon = "whenever the moon is full"
    llm.enqueue(json.dumps({"skill": "remind", "arguments": {
        "what": "water the plants", "when": moon}}))  # fmt: skip
    events = await turn(companion, f"Nudge me to water the plants {moon}, remind me.")
    assert not any(isinstance(e, NeedsConfirmation) for e in events)
    assert f"couldn't tell when {moon!r} is" in events[-1].reply  # type: ignore[union-attr]
    await companion.aclose()


def test_the_cheap_check_knows_every_installed_skill_and_lets_small_talk_through(
    home: Path,
) -> None:
    home.mkdir(parents=True, exist_ok=True)
    journal = Journal.open("", home / "os1.db")
    skills = load_skills(Parts(journal, FixedClock(NOW)))

    async def never(system: str, user: str, schema: dict[str, object]) -> object:
        raise AssertionError("no model call here")

    picker = Picker(never, skills)
    for small_talk in ["how was your day", "I'm tired", "Tell me a story about the sea",
                       "what do you think love is?", "I had pasta for dinner",
                       "Hi! My name is Theodore and I write letters for other people.",
                       "My sister sent me a letter from Japan",
                       "I read a great book about calendars in ancient Rome"]:  # fmt: skip
        assert not picker.worth_asking(small_talk), small_talk
    for request in ["anything in my calendar on friday", "cancel my 3pm", "check my mail",
                    "when am I free on Friday?", "proofread this for me",
                    "I can't make the dentist on Friday, take it off my calendar"]:  # fmt: skip
        assert picker.worth_asking(request), request
    journal.close()


def test_words_the_model_ran_on_with_are_cut_and_an_unsaid_option_is_dropped(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    journal = Journal.open("", home / "os1.db")
    parts = Parts(journal, FixedClock(NOW))
    from os1.companion.skills.calendar_change import create_cancel
    from os1.companion.skills.calendar_week import create_free

    skills = [create_cancel(parts), create_free(parts), create_add(parts)]
    picker = Picker(ScriptedLLM(), skills)  # type: ignore[arg-type]
    text = "I can't make the dentist on Friday, take it off my calendar"
    ran_on = {"skill": "calendar_cancel",
              "arguments": {"what": "the dentist on Friday at 3pm for an hour"}}  # fmt: skip
    pick = picker.checked(ran_on, text)
    assert pick is not None
    assert pick.arguments == {"what": "the dentist on Friday"}
    free = {"skill": "calendar_free", "arguments": {"when": "this week", "length": "an hour"}}
    pick = picker.checked(free, "am I free at all this week?")
    assert pick is not None
    assert pick.arguments == {"when": "this week"}, "a length the person never gave is dropped"
    invented = {"skill": "calendar_cancel", "arguments": {"what": "board meeting"}}
    assert picker.checked(invented, text) is None
    beach = {"skill": "calendar_cancel", "arguments": {"what": "the trip to the beach"}}
    assert picker.checked(beach, "my boss cancelled the trip, I'm gutted") is None
    journal.close()


@pytest.mark.real_model
@pytest.mark.usefixtures("real_model")
def test_the_real_model_picks_an_unusual_calendar_request_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    from tests.conftest import run_os1

    calendar = tmp_path / "home.ics"
    env = {"OS1_NOW": "2026-11-30T08:00:00+00:00", "OS1_MEMORY": "false", "TZ": "Europe/Paris"}
    assert run_os1("calendar", "add", "home", "--file", str(calendar), env=env).code == 0
    before = calendar.read_bytes()
    asked = run_os1("say", "--json", "stick yoga in my schedule tomorrow at 6pm", env=env)
    assert asked.code == 0, asked.stderr
    [proposal] = [e for e in asked.events() if e["type"] == "needs_confirmation"]
    assert proposal["skill"] == "calendar_add"
    assert "Tue 1 Dec 18:00-19:00" in str(proposal["summary"])
    assert calendar.read_bytes() == before, "nothing is written on the model's word"
    chat = run_os1("say", "--new", "--json", "How was your day?", env=env)
    assert not [e for e in chat.events() if e["type"] == "needs_confirmation"]
