"""Writing a letter together in conversation, as a dialog skill over ``LetterHelper``.

It keeps only the person's own drafts, versioned, on this machine (nothing is
sent or lost), so its steps run on the person's words without a yes; sending
a letter would be a separate, outward skill.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from os1.companion.intents import LetterRequest, letter_request
from os1.companion.letters import LetterHelper
from os1.companion.skills.parts import Parts
from os1.skills import Call, Outcome
from os1.store.journal import PendingAction

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 80},
        "relationship": {"type": "string", "maxLength": 80},
        "occasion": {"type": "string", "maxLength": 200},
    },
    "required": ["name"],
    "additionalProperties": False,
}


class Letter:
    """Asks how the person signs and what to say, drafts, revises, and files the letter."""

    name = "letter"
    description = "Help the person write a personal letter, note or card to someone they name."
    schema = SCHEMA
    outward = False
    steps = LetterHelper.KINDS
    cues = ("write a letter", "write a card", "write a note", "letter to", "card to",
            "note to", "write to")  # fmt: skip

    def __init__(self, helper: LetterHelper) -> None:
        self.helper = helper

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """Who the letter is to, who they are, and why."""
        found = letter_request(text)
        if found is None:
            return None
        return {"name": found.name, "relationship": found.relationship, "occasion": found.occasion}

    async def plan(self, call: Call) -> Outcome:
        """Begin: the first question of the dialog."""
        request = LetterRequest(
            str(call.arguments["name"]),
            str(call.arguments.get("relationship") or ""),
            str(call.arguments.get("occasion") or ""),
        )
        events, reply = await self.helper.start(call.user_id, call.conversation_id, request)
        return Outcome(reply, result=f"letter to {request.name} begun", events=tuple(events))

    async def run(self, call: Call) -> Outcome:
        """Nothing waits for a yes in this skill: planning is doing."""
        return await self.plan(call)

    async def resume(self, call: Call, step: str, state: dict[str, Any]) -> Outcome | None:
        """Carry on from the step the conversation is at."""
        pending = PendingAction(0, step, state, self.helper.clock.now())
        done = await self.helper.resume(call.user_id, call.conversation_id, call.text, pending)
        if done is None:
            return None
        events, reply = done
        return Outcome(reply, result=f"letter step {step}", events=tuple(events))


def create(parts: Parts) -> Letter | None:
    """The skill, when the letters studio is wired."""
    return None if parts.letters is None else Letter(parts.letters)
