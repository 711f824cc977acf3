"""A new name on request: "could you choose another name?"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from os1.companion.identity import Identity
from os1.companion.intents import wants_new_name
from os1.companion.persona import introduction
from os1.companion.skills.parts import Parts
from os1.skills import Call, Outcome, Proposal

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {},
    "additionalProperties": False,
}


class Rename:
    """os1 chooses another name for itself, with its story, once the person agrees."""

    name = "rename"
    description = "os1 chooses a different name for itself."
    schema = SCHEMA
    outward = True

    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """``{}`` when the person asks os1 to choose another name."""
        return {} if wants_new_name(text) else None

    async def plan(self, call: Call) -> Proposal | Outcome:
        """Name the name that would be given up."""
        card = await self.identity.current(call.user_id)
        if card is None:
            return Outcome("I haven't chosen a name yet.", done=False, result="no persona yet")
        return Proposal(
            summary=f"Choose a new name for myself instead of {card.name}",
            question=f"Shall I choose another name instead of {card.name}? (yes/no)",
        )

    async def run(self, call: Call) -> Outcome:
        """Pick the new name and introduce it."""
        card = await self.identity.rename(call.user_id)
        return Outcome(introduction(card), result=f"Now called {card.name}.")


def create(parts: Parts) -> Rename | None:
    """The skill, when os1 has an identity."""
    return None if parts.identity is None else Rename(parts.identity)
