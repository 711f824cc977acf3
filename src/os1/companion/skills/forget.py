"""Forgetting in conversation: "forget what I told you about Ana" shows what goes, then waits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from os1.companion.intents import forget_topic
from os1.companion.skills.parts import Parts
from os1.memory import Memory
from os1.skills import Call, Outcome, Proposal

MATCH_AT = 0.45
"""How close (by meaning or by words) a memory must be to the topic to be offered for forgetting."""


def _memories(count: int) -> str:
    return f"{count} memor{'y' if count == 1 else 'ies'}"


SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "topic": {"type": "string", "maxLength": 200},
        "ids": {"type": "array", "items": {"type": "integer"}},
    },
    "required": ["topic"],
    "additionalProperties": False,
}


class Forget:
    """Removes memories about a topic, and the words they came from, after a yes."""

    name = "forget"
    description = "Forget (delete) what the person told os1 about a topic."
    schema = SCHEMA
    outward = True
    cues = ("forget what", "forget about", "forget that", "forget everything", "erase",
            "delete what", "stop remembering")  # fmt: skip

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """``{"topic": ...}`` for a request to forget."""
        topic = forget_topic(text)
        return None if topic is None else {"topic": topic}

    async def plan(self, call: Call) -> Proposal | Outcome:
        """List exactly the memories that would go."""
        topic = str(call.arguments["topic"])
        found = await self.memory.search(call.user_id, topic, limit=20)
        matches = [f.record for f in found if f.similarity >= MATCH_AT or f.score >= MATCH_AT]
        if not matches:
            return Outcome(
                f"I don't have anything about {topic} to forget.",
                done=False,
                result="nothing matched",
            )
        items = tuple(r.content for r in matches)
        listing = "\n".join(f"- {item}" for item in items)
        return Proposal(
            summary=f"Forget {_memories(len(items))} about {topic}",
            items=items,
            question=f"Here is what I would forget:\n{listing}\n"
            "Shall I forget this for good? (yes/no)",
            arguments={"topic": topic, "ids": [r.id for r in matches]},
        )

    async def run(self, call: Call) -> Outcome:
        """Forget the memories listed in the proposal (again is harmless: they are gone)."""
        removed = await self.memory.forget(call.user_id, [int(i) for i in call.arguments["ids"]])
        topic = call.arguments.get("topic", "that")
        return Outcome(
            f"Done. I've forgotten what you told me about {topic}.",
            result=f"Forgot {_memories(removed)}.",
        )


def create(parts: Parts) -> Forget | None:
    """The skill, when memory is on."""
    return None if parts.memory is None else Forget(parts.memory)
