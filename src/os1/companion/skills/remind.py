"""Reminders asked for in conversation: "remind me to call mum tomorrow at 6pm"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from os1.companion.initiative import Initiatives, Reminder, due_from, reminder_request
from os1.companion.skills.parts import Parts
from os1.skills import Call, Outcome, Proposal


def _when(due: datetime) -> str:
    return due.astimezone().strftime("%a %d %b at %H:%M")


SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "what": {"type": "string", "maxLength": 300},
        "when": {"type": "string", "maxLength": 80},
        "due": {"type": "string", "format": "date-time"},
    },
    "required": ["what", "when"],
    "additionalProperties": False,
}


class Remind:
    """Schedules a reminder at the time read from the person's words, once they agree to it."""

    name = "remind"
    description = (
        "Set a reminder: the person asks to be reminded or nudged about something at a time."
    )
    schema = SCHEMA
    outward = True
    cues = ("remind", "nudge", "don't let me forget", "alarm")

    def __init__(self, initiatives: Initiatives) -> None:
        self.initiatives = initiatives

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """What to remind of and when, if ``text`` asks for a reminder with a time."""
        found = reminder_request(text, now)
        if found is None:
            return None
        return {"what": found.what, "when": found.when, "due": found.due.isoformat()}

    async def plan(self, call: Call) -> Proposal | Outcome:
        """Say the time as it was understood, so a misread time is caught before it is set."""
        what, when = str(call.arguments["what"]), str(call.arguments["when"])
        known = call.arguments.get("due")
        due = (
            datetime.fromisoformat(known) if known else due_from(when, self.initiatives.clock.now())
        )
        if due is None:
            return Outcome(
                f'I couldn\'t tell when {when!r} is. Say it like "tomorrow at 6pm" or '
                '"in 20 minutes"?',
                done=False,
                result="no time understood",
            )
        return Proposal(
            summary=f"Remind you to {what} on {_when(due)}",
            question=f"I'll remind you to {what} on {_when(due)}. Shall I? (yes/no)",
            arguments={"due": due.isoformat()},
        )

    async def run(self, call: Call) -> Outcome:
        """Schedule it (the same reminder twice is one reminder)."""
        what, due = call.arguments["what"], datetime.fromisoformat(call.arguments["due"])
        made = await self.initiatives.remind(call.user_id, Reminder(what, due))
        return Outcome(
            f"Done. I'll remind you to {what} on {_when(made.due_at)}.",
            result=f"Reminder {made.id} set for {made.due_at.isoformat()}.",
        )


def create(parts: Parts) -> Remind | None:
    """The skill, when initiatives are on."""
    return None if parts.initiatives is None else Remind(parts.initiatives)
