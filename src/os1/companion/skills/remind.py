"""Reminders asked for in conversation: "remind me to call mum tomorrow at 6pm"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from os1.companion.initiative import Initiatives, Reminder, reminder_request
from os1.companion.skills.parts import Parts
from os1.skills import Call, Outcome, Proposal


def _when(due: datetime) -> str:
    return due.astimezone().strftime("%a %d %b at %H:%M")


SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "what": {"type": "string", "maxLength": 300},
        "due": {"type": "string", "format": "date-time"},
    },
    "required": ["what", "due"],
    "additionalProperties": False,
}


class Remind:
    """Schedules a reminder at the time read from the person's words, once they agree to it."""

    name = "remind"
    description = "Remind the person of something at a time they name."
    schema = SCHEMA
    outward = True

    def __init__(self, initiatives: Initiatives) -> None:
        self.initiatives = initiatives

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """What to remind of and when, if ``text`` asks for a reminder with a time."""
        found = reminder_request(text, now)
        return None if found is None else {"what": found.what, "due": found.due.isoformat()}

    async def plan(self, call: Call) -> Proposal:
        """Say the time as it was understood, so a misread time is caught before it is set."""
        what, due = call.arguments["what"], datetime.fromisoformat(call.arguments["due"])
        return Proposal(
            summary=f"Remind you to {what} on {_when(due)}",
            question=f"I'll remind you to {what} on {_when(due)}. Shall I? (yes/no)",
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
