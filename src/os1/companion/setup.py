"""The setup interview: a few warm questions on first start, then os1 names itself.

It runs inside the conversation, from whichever front door is used first, one
question per turn; each step is a pending action, so quitting halfway and
coming back later carries on where it stopped.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import asdict
from typing import Any

from os1.companion.identity import Answers, Identity
from os1.companion.persona import introduction
from os1.memory import Memory
from os1.store.journal import Journal, PendingAction

QUESTIONS: tuple[tuple[str, str], ...] = (
    (
        "person_name",
        "Hello. I'm new here, and I don't have a name yet: I'd like to choose one once I "
        "know you a little. A few quick questions first. What should I call you?",
    ),
    (
        "wants",
        "Lovely to meet you{who}. What would you like me to be for you: someone to talk to "
        "at the end of the day, help with letters and plans, a thinking partner, something else?",
    ),
    (
        "tone",
        "How should I talk with you: playful and teasing, gentle and calm, or straight to "
        "the point?",
    ),
    ("interests", "What are you into these days? A few things you love or are curious about."),
    (
        "remember",
        "Last one: is there anything I should always keep in mind about you? "
        "(You can say 'nothing'.)",
    ),
)
KIND = "setup"
SETUP_OFFER = (
    "(By the way, I don't have a name yet. Whenever you have two minutes, say \"let's get "
    "to know each other\" or run `os1 setup`: I'll ask you a few questions and then choose "
    "one.)"
)
_WANTS_SETUP = re.compile(
    r"\b(let'?s|can we|could we|i'?d like to|i want to) (get to know each other|do (the|your|a) "
    r"(setup|set-up|interview|questions)|start (the )?(setup|interview))\b|"
    r"^\s*(get to know each other|start (the )?(setup|interview)|ask me (the|your) questions)\b",
    re.IGNORECASE,
)
ANSWER_CHARS = 2000


def wants_setup(text: str) -> bool:
    """Whether the person asks for the setup interview ("let's get to know each other")."""
    return bool(_WANTS_SETUP.search(text))


class Interview:
    """Asks the setup questions turn by turn and creates the persona at the end."""

    def __init__(self, identity: Identity, journal: Journal, memory: Memory | None = None) -> None:
        self.identity = identity
        self.journal = journal
        self.memory = memory

    async def _ask(self, user_id: int, conversation: int, step: int, answers: Answers) -> str:
        await asyncio.to_thread(
            self.journal.propose_action,
            user_id,
            conversation,
            KIND,
            {"step": step, "answers": asdict(answers)},
            self.identity.clock.now(),
        )
        name = answers.name()
        return QUESTIONS[step][1].format(who=f", {name}" if name else "")

    @staticmethod
    def question(pending: PendingAction) -> str:
        """The question a waiting setup step asks (to repeat it when the person comes back)."""
        step = min(int(pending.payload.get("step", 0)), len(QUESTIONS) - 1)
        known = dict(pending.payload.get("answers") or {})
        name = Answers(person_name=str(known.get("person_name", ""))).name()
        return QUESTIONS[step][1].format(who=f", {name}" if name else "")

    async def start(self, user_id: int, conversation: int) -> str:
        """The first question."""
        return await self._ask(user_id, conversation, 0, Answers())

    async def resume(
        self, user_id: int, conversation: int, text: str, pending: PendingAction | None
    ) -> str:
        """Take the answer to the waiting question and ask the next, or finish."""
        if pending is None or pending.kind != KIND:
            return await self.start(user_id, conversation)
        step = int(pending.payload.get("step", 0))
        known: dict[str, Any] = dict(pending.payload.get("answers") or {})
        answers = Answers(**{k: str(v) for k, v in known.items() if k in Answers.__annotations__})
        field = QUESTIONS[min(step, len(QUESTIONS) - 1)][0]
        answers = Answers(**{**asdict(answers), field: text.strip()[:ANSWER_CHARS]})
        if step + 1 < len(QUESTIONS):
            return await self._ask(user_id, conversation, step + 1, answers)
        card = await self.identity.create(user_id, answers)
        if self.memory is not None:
            await self.memory.note(user_id, answers.memories())
        return introduction(card)
