"""The calendar in conversation: the week read by code, changes proposed and written only on yes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from tests.dav_server import Dav, radicale
from tests.pim_fixtures import NOW, paris  # noqa: F401
from tests.test_agenda import CALENDAR
from tests.test_agenda_caldav import EVENT, server_events

from os1.agenda import Agenda
from os1.clock import FixedClock
from os1.companion import Companion
from os1.companion.skills import Parts
from os1.companion.skills.calendar_change import create_add, create_cancel, create_move
from os1.companion.skills.calendar_week import create, create_free
from os1.events import ActionResult, Event, NeedsConfirmation, TurnCommitted
from os1.llm import ScriptedLLM
from os1.store import Journal, PimStore
from os1.store.audit import AuditLog


class Talk:
    def __init__(self, companion: Companion, calendar: Path, llm: ScriptedLLM) -> None:
        self.companion = companion
        self.calendar = calendar
        self.llm = llm

    async def __call__(self, text: str) -> tuple[str, list[Event]]:
        events = [e async for e in self.companion.turn(text)]
        done = events[-1]
        assert isinstance(done, TurnCommitted), events
        return done.reply, events


@pytest.fixture
async def talk(tmp_path: Path) -> AsyncIterator[Talk]:
    clock = FixedClock(NOW)
    journal = Journal.open("", tmp_path / "os1.db")
    parts = Parts(journal, clock)
    skills = [f(parts) for f in (create, create_free, create_add, create_move, create_cancel)]
    llm = ScriptedLLM()
    companion = Companion(journal, llm, clock, skills=skills)
    path = tmp_path / "home.ics"
    path.write_text(CALENDAR, encoding="utf-8")
    agenda = Agenda(PimStore(journal.engine), clock)
    agenda.add_file(journal.user_id("me", NOW), "home", path)
    yield Talk(companion, path, llm)
    await companion.aclose()


async def test_whats_my_week_lists_the_events_by_day_with_clashes_and_unreadable_items(
    talk: Talk,
) -> None:
    reply, _ = await talk("What's my week looking like?")
    assert reply.startswith("Here is the next seven days (5 events):\nMonday 30 November\n")
    assert "- 15:00-16:00 'Dentist' at 'Rue de Rivoli 10'" in reply
    assert "'Dentist' and 'Design review' overlap on Tue 1 Dec 15:30-16:00." in reply
    assert '- all day "Paul\'s birthday"' in reply
    assert "I couldn't read 3 items" in reply
    assert talk.llm.calls == [], "the model was not asked: the week is read by code"


async def test_a_day_and_free_time_are_answered_from_the_calendar(talk: Talk) -> None:
    reply, _ = await talk("what do I have on Tuesday?")
    assert reply.startswith("Here is tomorrow (2 events):")
    reply, _ = await talk("when am I free on Tuesday?")
    assert reply.startswith(
        "Free time of 30 minutes or more (9:00-18:00) for tomorrow:\n"
        "- Tue 1 Dec 09:00-15:00\n- Tue 1 Dec 16:30-18:00\n\n"
        "I couldn't read 3 items: 'Meeting on Mars': its time zone 'Mars/Olympus'"
    )
    reply, _ = await talk("find me two hours on Tuesday")
    assert "120 minutes or more (9:00-18:00) for tomorrow:\n- Tue 1 Dec 09:00-15:00\n\n" in reply


async def test_adding_an_event_is_proposed_with_its_clash_and_written_only_after_yes(
    talk: Talk,
) -> None:
    before = talk.calendar.read_bytes()
    reply, events = await talk("add coffee with Marta on Tuesday at 3pm for an hour")
    [proposal] = [e for e in events if isinstance(e, NeedsConfirmation)]
    assert proposal.summary == "Add 'Coffee with Marta' on Tue 1 Dec 15:00-16:00 in home"
    assert proposal.items == [
        "Clashes with 'Dentist' Tue 1 Dec 15:00-16:00 (home)",
        "Clashes with 'Design review' Tue 1 Dec 15:30-16:30 (home)",
    ]
    assert talk.calendar.read_bytes() == before
    reply, events = await talk("yes")
    [done] = [e for e in events if isinstance(e, ActionResult)]
    assert done.done
    assert reply == "Done. Added 'Coffee with Marta' on Tue 1 Dec 15:00-16:00 in home."
    assert "SUMMARY:Coffee with Marta" in talk.calendar.read_text(encoding="utf-8")
    audit = AuditLog(talk.companion.journal.engine).entries(await talk.companion.user_id())
    assert [(a.skill, a.status) for a in audit][-1] == ("calendar_add", "done")


async def test_a_move_the_person_declines_changes_nothing(talk: Talk) -> None:
    before = talk.calendar.read_bytes()
    _, events = await talk("move the dentist to Friday at 4pm")
    [proposal] = [e for e in events if isinstance(e, NeedsConfirmation)]
    assert proposal.summary == (
        "Move 'Dentist' from Tue 1 Dec 15:00-16:00 to Fri 4 Dec 16:00-17:00 in home"
    )
    reply, _ = await talk("no")
    assert reply == "All right, I'll leave it as it is."
    assert talk.calendar.read_bytes() == before


async def test_cancelling_one_standup_asks_then_removes_only_that_one(talk: Talk) -> None:
    _, events = await talk("cancel the standup on Monday")
    [proposal] = [e for e in events if isinstance(e, NeedsConfirmation)]
    assert proposal.summary == "Cancel 'Standup' on Mon 30 Nov 09:30-10:00 (this one only) in home"
    await talk("yes")
    reply, _ = await talk("what's my week?")
    assert "Standup" not in reply.split("Wednesday")[0]
    reply, _ = await talk("what do I have next week?")
    assert "Monday 7 December\n- 09:30-10:00 'Standup'" in reply, "the rest of the series stays"


async def test_an_event_that_is_not_there_and_a_time_that_means_nothing_are_said_so(
    talk: Talk,
) -> None:
    reply, events = await talk("cancel the board meeting on Friday")
    assert (
        reply == "I found nothing called 'the board meeting' in your calendar in the next 60 days."
    )
    assert not any(isinstance(e, NeedsConfirmation) for e in events)


@pytest.fixture(scope="module")
def dav(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dav]:
    with radicale(tmp_path_factory.mktemp("radicale")) as server:
        yield server


async def test_the_week_and_a_confirmed_event_on_a_real_caldav_server(
    tmp_path: Path, dav: Dav, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = dav.make_calendar("talk")
    dav.put(f"{url}gym.ics", EVENT.format(uid="gym@test", start="20261201T170000Z",
            end="20261201T180000Z", summary="Gym", extra="RRULE:FREQ=DAILY;COUNT=3\n"),
            "text/calendar")  # fmt: skip
    monkeypatch.setenv("OS1_TEST_DAV", dav.password)
    clock = FixedClock(NOW)
    journal = Journal.open("", tmp_path / "dav.db")
    agenda = Agenda(PimStore(journal.engine), clock)
    agenda.add_caldav(journal.user_id("me", NOW), "work", url, dav.user, "env:OS1_TEST_DAV")
    parts = Parts(journal, clock)
    companion = Companion(journal, ScriptedLLM(), clock, skills=[create(parts), create_add(parts)])
    talk = Talk(companion, tmp_path, ScriptedLLM())
    reply, _ = await talk("what's on tomorrow?")
    assert reply.startswith("Here is tomorrow (1 event):\nTuesday 1 December\n- 18:00-19:00 'Gym'")
    _, events = await talk("add haircut on Tuesday at 6:30pm for 30 minutes")
    [proposal] = [e for e in events if isinstance(e, NeedsConfirmation)]
    assert proposal.items == ["Clashes with 'Gym' Tue 1 Dec 18:00-19:00 (work)"]
    assert "Haircut" not in "".join(server_events(dav, url).values())
    await talk("yes")
    assert "SUMMARY:Haircut" in "".join(server_events(dav, url).values())
    await companion.aclose()
