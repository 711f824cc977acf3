"""Reading the calendar in conversation: "what's my week?", "when am I free on Thursday?".

Both only read, so they answer at once (audited). Events, free time and
clashes come from ``os1.agenda``, computed by code; event titles are the
calendar's text and are quoted as such. CalDAV calendars are read from their
copy, refreshed first when it is older than :data:`FRESH`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from os1.agenda import Agenda, Occurrence, Skipped, Window, clashes, when
from os1.companion.skills.calendar_time import length_from, window_from
from os1.companion.skills.parts import Parts
from os1.errors import Os1Error
from os1.phrases import intent
from os1.skills import Call, Outcome
from os1.store import PimStore

FRESH = timedelta(minutes=15)
NO_CALENDAR = (
    "I don't have your calendar yet. Add one with `os1 calendar add NAME --file PATH.ics` "
    "(a local file) or `os1 calendar add NAME --url https://...` (CalDAV)."
)
SHOWN_SKIPPED = 3


def _named(match: Any) -> str:
    return next((v for k, v in match.groupdict().items() if k.startswith("when") and v), "")


def skipped_note(skipped: Sequence[Skipped]) -> str:
    """A line naming events that could not be read, and why (the first few)."""
    if not skipped:
        return ""
    shown = "; ".join(
        f"{s.title or s.uid or s.where!r}: {s.reason}" for s in skipped[:SHOWN_SKIPPED]
    )
    more = f" and {len(skipped) - SHOWN_SKIPPED} more" if len(skipped) > SHOWN_SKIPPED else ""
    return (
        f"\n\nI couldn't read {len(skipped)} item{'s' if len(skipped) != 1 else ''}: {shown}{more}."
    )


def listing(occurrences: Sequence[Occurrence]) -> str:
    """Events by day, the calendar's titles quoted."""
    lines: list[str] = []
    day = ""
    for o in occurrences:
        local = o.start.astimezone()
        heading = f"{local:%A} {local.day} {local:%B}"
        if heading != day:
            lines.append(heading)
            day = heading
        span = "all day" if o.all_day else f"{local:%H:%M}-{o.end.astimezone():%H:%M}"
        place = f" at {o.location!r}" if o.location else ""
        lines.append(f"- {span} {o.summary!r}{place}")
    return "\n".join(lines)


async def refreshed(agenda: Agenda, user_id: int, now: datetime) -> list[Skipped]:
    """Sync the CalDAV calendars whose copy is older than FRESH; what failed, as skipped."""
    problems: list[Skipped] = []
    for source in await asyncio.to_thread(agenda.calendars, user_id):
        if source.kind != "dav" or (source.synced_at and now - source.synced_at < FRESH):
            continue
        try:
            await asyncio.to_thread(agenda.sync, user_id, source.name)
        except Os1Error as exc:
            problems.append(
                Skipped(source.name, "", f"not refreshed, showing the last copy: {exc}")
            )
    return problems


def words_schema(
    required: dict[str, str], optional: dict[str, str] | None = None
) -> dict[str, Any]:
    """Arguments that are the person's own words, one string each, described for the picker."""
    fields = {**required, **(optional or {})}
    return {
        "type": "object",
        "properties": {
            name: {"type": "string", "maxLength": 200, "description": f"{about}, in their words"}
            for name, about in fields.items()
        },
        "required": list(required),
        "additionalProperties": False,
    }


class AgendaSkill:
    """What the calendar skills share: the agenda, and one answer when there is no calendar."""

    def __init__(self, agenda: Agenda) -> None:
        self.agenda = agenda

    async def missing(self, user_id: int) -> Outcome | None:
        """The answer when the person has no calendar yet, else None."""
        if await asyncio.to_thread(self.agenda.calendars, user_id):
            return None
        return Outcome(NO_CALENDAR, done=False, result="no calendar")

    async def run(self, call: Call) -> Outcome:
        """A read-only skill's answer (outward ones write here instead)."""
        planned = await self.plan(call)  # type: ignore[attr-defined]
        assert isinstance(planned, Outcome)
        return planned


class CalendarWeek(AgendaSkill):
    """What is on: the week, a day, the weekend; with clashes named."""

    name = "calendar_week"
    description = (
        "Show what is in the person's calendar for a time they name "
        '("what\'s my week?", "what do I have on Friday?").'
    )
    schema = words_schema({"when": "the time asked about (e.g. 'this week')"})
    outward = False
    cues = ("calendar", "schedule", "agenda", "diary", "week ahead", "next week", "busy",
            "what's on", "planned", "appointments", "meetings", "going on")  # fmt: skip

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """The time asked about, for "what's my week?" and its kind."""
        found = intent("calendar_week").match(text)
        return None if found is None else {"when": _named(found) or "week"}

    async def plan(self, call: Call) -> Outcome:
        """The events of the window, by day, with clashes and unreadable items named."""
        now = self.agenda.clock.now()
        if missing := await self.missing(call.user_id):
            return missing
        start, end, label = window_from(str(call.arguments.get("when") or ""), now)
        problems = await refreshed(self.agenda, call.user_id, now)
        window: Window = await asyncio.to_thread(self.agenda.window, call.user_id, start, end)
        skipped = [*problems, *window.skipped]
        if not window.occurrences:
            return Outcome(
                f"Nothing in your calendar for {label}." + skipped_note(skipped),
                result=f"0 events for {label}",
            )
        found = clashes(window.occurrences)
        overlap = "".join(
            f"\n'{c.first.summary}' and '{c.second.summary}' overlap on "
            f"{when(c.second.start, c.first.end)}."
            for c in found
        )
        count = len(window.occurrences)
        return Outcome(
            f"Here is {label} ({count} event{'s' if count != 1 else ''}):\n"
            + listing(window.occurrences)
            + overlap
            + skipped_note(skipped),
            result=f"{count} events, {len(found)} clashes for {label}",
        )


class CalendarFree(AgendaSkill):
    """Free time in working hours (9 to 18), computed from the events."""

    name = "calendar_free"
    description = (
        "Find free time in the person's calendar "
        '("when am I free this week?", "find me an hour on Thursday").'
    )
    schema = words_schema(
        {"when": "the time to look in (e.g. 'Thursday')"},
        {"length": "how long a slot is needed (e.g. 'an hour')"},
    )
    outward = False
    cues = ("free time", "free slot", "am i free", "available", "fit in", "slot")

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """The time to look in and the length asked for."""
        found = intent("calendar_free").match(text)
        if found is None:
            return None
        length = found["length"] or ""
        return {"when": found["when"].strip() or "week", "length": length}

    async def plan(self, call: Call) -> Outcome:
        """The free stretches, day by day."""
        now = self.agenda.clock.now()
        if missing := await self.missing(call.user_id):
            return missing
        start, end, label = window_from(str(call.arguments.get("when") or ""), now)
        start = max(start, now)
        wanted = str(call.arguments.get("length") or "")
        minimum = length_from(f"for {wanted}") or timedelta(minutes=30)
        problems = await refreshed(self.agenda, call.user_id, now)
        slots, window = await asyncio.to_thread(self.agenda.free, call.user_id, start, end, minimum)
        note = skipped_note([*problems, *window.skipped])
        size = f" of {int(minimum.total_seconds() // 60)} minutes or more"
        if not slots:
            return Outcome(
                f"I found no free time{size} between 9:00 and 18:00 for {label}." + note,
                result="no free time",
            )
        lines = [f"- {when(s.start, s.end)}" for s in slots]
        return Outcome(
            f"Free time{size} (9:00-18:00) for {label}:\n" + "\n".join(lines) + note,
            result=f"{len(slots)} free slots",
        )


def agenda_of(parts: Parts) -> Agenda:
    """The agenda on the mind's store and clock."""
    return Agenda(PimStore(parts.journal.engine), parts.clock)


def create(parts: Parts) -> CalendarWeek:
    """The skill; it needs only the store."""
    return CalendarWeek(agenda_of(parts))


def create_free(parts: Parts) -> CalendarFree:
    """The free-time skill; it needs only the store."""
    return CalendarFree(agenda_of(parts))
