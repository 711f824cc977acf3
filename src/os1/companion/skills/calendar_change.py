"""Changing the calendar in conversation: add, move or cancel an event, proposed first.

Each is outward: planning finds the event in the person's own words, reads
the time by code, and shows exactly what would be written with anything it
would clash with; only the person's yes (through the gate) writes it, and the
calendar is read again then, so an event changed meanwhile is never
overwritten blindly.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from typing import Any

from os1.agenda import Agenda, Change, Occurrence, describe, matching, when
from os1.companion.skills.calendar_time import (
    moved_to,
    says_a_day,
    span_from,
    split_request,
    window_from,
)
from os1.companion.skills.calendar_week import AgendaSkill, agenda_of, words_schema
from os1.companion.skills.parts import Parts
from os1.phrases import intent
from os1.skills import Call, Outcome, Proposal

LOOK_AHEAD = timedelta(days=60)
"""How far ahead an event to move or cancel is looked for."""


def proposal_for(change: Change) -> Proposal:
    """The proposal for a planned change: exactly what is written, and what it clashes with."""
    items = tuple(f"Clashes with {c}" for c in change.clashes)
    warning = "\n" + "\n".join(items) if items else ""
    return Proposal(
        summary=describe(change),
        items=items,
        question=f"{describe(change)}?{warning}\nShall I? (yes/no)",
        arguments={"change": change.to_json()},
    )


async def applied(agenda: Agenda, call: Call) -> Outcome:
    """Write the change a proposal carried (``call.arguments["change"]``), after the yes."""
    change = Change.from_json(call.arguments["change"])
    done = await asyncio.to_thread(agenda.apply, call.user_id, change)
    return Outcome(f"Done. {done}.", result=done)


async def _find(agenda: Agenda, user_id: int, words: str) -> tuple[list[Occurrence], str]:
    """Events matching the person's words for one (with a day, only that day's), and the title."""
    now = agenda.clock.now()
    title = words
    if says_a_day(words):
        start, end, _ = window_from(words, now)
        title, _ = split_request(words)
    else:
        start, end = now, now + LOOK_AHEAD
    title = title.replace("'s ", " ").strip()
    window = await asyncio.to_thread(agenda.window, user_id, start, end)
    upcoming = [o for o in window.occurrences if o.end > now]
    return matching(upcoming, title) or matching(upcoming, _without_day_words(title)), title


def _without_day_words(title: str) -> str:
    return " ".join(
        w for w in title.split() if not says_a_day(w.replace("'s", "")) and w.lower() != "my"
    )


class CalendarAdd(AgendaSkill):
    """Adds an event at the time the person said, once they agree to exactly that."""

    name = "calendar_add"
    description = (
        "Add an event to the person's calendar at a time they give "
        '("add dentist on Friday at 3pm for an hour").'
    )
    schema = words_schema({"what": "the event's title", "when": "the day, time and length"})
    outward = True
    cues = ("calendar", "appointment", "meeting", "schedule", "pencil in", "diary")

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """What and when, if the words ask to add something at a time."""
        found = intent("calendar_add").match(text)
        if found is None:
            return None
        what, words = split_request(found["rest"])
        if not what or span_from(words, now) is None:
            return None
        return {"what": what, "when": words}

    async def plan(self, call: Call) -> Proposal | Outcome:
        """The event as it would be written, and what it would clash with."""
        if missing := await self.missing(call.user_id):
            return missing
        what, words = str(call.arguments["what"]), str(call.arguments["when"])
        span = span_from(words, self.agenda.clock.now())
        if span is None:
            return Outcome(
                f'I couldn\'t tell when {words!r} is. Say it like "Friday at 3pm for an hour"?',
                done=False,
                result="no time understood",
            )
        title = re.sub(r"^(?:an?|the)\s+", "", what.strip(), flags=re.IGNORECASE)
        change = await asyncio.to_thread(
            self.agenda.plan_create, call.user_id, title[:1].upper() + title[1:], *span
        )
        return proposal_for(change)

    async def run(self, call: Call) -> Outcome:
        """Write the event shown."""
        return await applied(self.agenda, call)


class CalendarMove(AgendaSkill):
    """Moves an event the person names to the time they say, once they agree."""

    name = "calendar_move"
    description = (
        "Move an event in the person's calendar to another time "
        '("move the dentist to Friday at 4pm").'
    )
    schema = words_schema({"what": "which event", "to": "the new day or time"})
    outward = True
    cues = ("move", "reschedule", "postpone", "push back", "bring forward", "shift")

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """Which event and to when."""
        found = intent("calendar_move").match(text)
        if found is None or moved_to(found["to"], now, now) is None:
            return None
        return {"what": found["what"], "to": found["to"]}

    async def plan(self, call: Call) -> Proposal | Outcome:
        """The move as it would be written, and what the new time would clash with."""
        if missing := await self.missing(call.user_id):
            return missing
        found, title = await _find(self.agenda, call.user_id, str(call.arguments["what"]))
        if not found:
            return _nothing(title)
        event = found[0]
        target = moved_to(str(call.arguments["to"]), event.start, self.agenda.clock.now())
        if target is None:
            return Outcome(
                f'I couldn\'t tell when {call.arguments["to"]!r} is. Say it like "Friday at 4pm"?',
                done=False,
                result="no time understood",
            )
        change = await asyncio.to_thread(self.agenda.plan_move, call.user_id, event, target)
        return proposal_for(change)

    async def run(self, call: Call) -> Outcome:
        """Move the event shown (re-read first: if it changed, nothing is written)."""
        return await applied(self.agenda, call)


class CalendarCancel(AgendaSkill):
    """Cancels an event the person names (one instance of a series), once they agree."""

    name = "calendar_cancel"
    description = (
        'Cancel (remove) an event from the person\'s calendar ("cancel the dentist on Friday").'
    )
    schema = words_schema({"what": "which event (and its day)"})
    outward = True
    cues = ("cancel", "call off", "delete", "remove")

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """Which event, when the words name a day or a kind of event (not "my subscription")."""
        found = intent("calendar_cancel").match(text)
        if found is None:
            return None
        what = found["what"]
        eventish = any(
            w in what.lower()
            for w in ("meeting", "appointment", "event", "call", "lunch", "dinner", "standup")
        )
        return {"what": what} if eventish or says_a_day(what) else None

    async def plan(self, call: Call) -> Proposal | Outcome:
        """The event that would go (one instance, for a series)."""
        if missing := await self.missing(call.user_id):
            return missing
        found, title = await _find(self.agenda, call.user_id, str(call.arguments["what"]))
        if not found:
            return _nothing(title)
        change = await asyncio.to_thread(self.agenda.plan_cancel, call.user_id, found[0])
        others = [o for o in found[1:] if o.uid != found[0].uid][:3]
        proposal = proposal_for(change)
        if others:
            later = ", ".join(f"'{o.summary}' {when(o.start, o.end)}" for o in others)
            proposal = Proposal(
                proposal.summary,
                proposal.items,
                f"{proposal.question}\n(The next one; also found: {later}.)",
                proposal.arguments,
            )
        return proposal

    async def run(self, call: Call) -> Outcome:
        """Cancel the event shown (re-read first: if it changed, nothing is written)."""
        return await applied(self.agenda, call)


def _nothing(title: str) -> Outcome:
    return Outcome(
        f"I found nothing called {title!r} in your calendar in the next {LOOK_AHEAD.days} days.",
        done=False,
        result="no matching event",
    )


def create_add(parts: Parts) -> CalendarAdd:
    """The add skill; it needs only the store."""
    return CalendarAdd(agenda_of(parts))


def create_move(parts: Parts) -> CalendarMove:
    """The move skill; it needs only the store."""
    return CalendarMove(agenda_of(parts))


def create_cancel(parts: Parts) -> CalendarCancel:
    """The cancel skill; it needs only the store."""
    return CalendarCancel(agenda_of(parts))
