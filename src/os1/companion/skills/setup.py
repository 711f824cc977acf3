"""The setup interview as a dialog skill: "let's get to know each other", then five questions.

The interview (``os1.companion.setup``) asks one question per turn, each
step waiting in the conversation; at the end os1 chooses its name. It changes
only os1's own persona, which the person asked it to choose, and every
version is kept (``os1 persona history``), so its steps need no yes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from os1.companion.identity import Identity
from os1.companion.setup import KIND, Interview, wants_setup
from os1.companion.skills.parts import Parts
from os1.skills import Call, Outcome
from os1.store.journal import PendingAction

SCHEMA: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}


class Setup:
    """Runs the interview from whichever front door it is asked for in."""

    name = "setup"
    description = "The first-start interview, after which os1 chooses its own name."
    schema = SCHEMA
    outward = False
    steps = (KIND,)

    def __init__(self, interview: Interview, identity: Identity) -> None:
        self.interview = interview
        self.identity = identity

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """``{}`` when the person asks for the interview."""
        return {} if wants_setup(text) else None

    async def plan(self, call: Call) -> Outcome:
        """The first question, unless os1 has chosen its name already."""
        card = await self.identity.current(call.user_id)
        if card is not None:
            return Outcome(
                f"We did that when we met: I chose my name then, {card.name}. "
                "Tell me something new instead? (`os1 setup --again` asks the questions again.)",
                done=False,
                result="set up already",
            )
        reply = await self.interview.resume(call.user_id, call.conversation_id, call.text, None)
        return Outcome(reply, result="interview begun")

    async def run(self, call: Call) -> Outcome:
        """Nothing waits for a yes in this skill: planning is doing."""
        return await self.plan(call)

    async def resume(self, call: Call, step: str, state: dict[str, Any]) -> Outcome:
        """Take the answer to the waiting question and ask the next, or choose the name."""
        waiting = PendingAction(0, step, state, self.identity.clock.now())
        reply = await self.interview.resume(call.user_id, call.conversation_id, call.text, waiting)
        return Outcome(reply, result=f"answer {int(state.get('step', 0)) + 1} taken")


def create(parts: Parts) -> Setup | None:
    """The skill, when the interview is on."""
    if parts.interview is None or parts.identity is None:
        return None
    return Setup(parts.interview, parts.identity)
