"""What a skill is: a named, typed capability the mind can route a message to.

A skill declares its name, a description, a JSON schema for its arguments,
and whether it is ``outward``: whether it changes or removes something the
person owns, or reaches outside the machine. Outward skills never act on the
message that asked for them: :meth:`Skill.plan` says exactly what would
happen (a :class:`Proposal`), and :meth:`Skill.run` carries it out only after
the person's plain yes, through the one gate in the mind. A read-only skill's
plan is its answer (an :class:`Outcome`).

Skills meet the rest of os1 only through what their factory is given, so a
third-party skill registers the way the built-in ones do (entry-point group
``os1.skills``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from os1.events import Event


@dataclass(frozen=True)
class Call:
    """One use of a skill: for whom, in which conversation, on which words, with what."""

    user_id: int
    conversation_id: int
    text: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """What a skill did or found: the reply os1 says, events for front doors, and the result.

    ``done`` is False for a failure or when there was nothing to do; ``result``
    is the short line the audit log keeps.
    """

    reply: str
    done: bool = True
    result: str = ""
    events: tuple[Event, ...] = ()


@dataclass(frozen=True)
class Proposal:
    """Exactly what an outward skill would do, shown to the person before they say yes."""

    summary: str
    items: tuple[str, ...] = ()
    question: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)
    """The arguments to run with, when planning settled them (ids found, times resolved)."""


class Skill(Protocol):
    """A capability: matched on the person's words, planned, and (if outward) confirmed."""

    name: str
    description: str
    schema: dict[str, Any]
    outward: bool

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """The arguments if ``text`` (the person's own words) asks for this skill, else None."""
        ...

    async def plan(self, call: Call) -> Proposal | Outcome:
        """What would happen (outward skills), or the answer itself (read-only ones)."""
        ...

    async def run(self, call: Call) -> Outcome:
        """Carry out a confirmed proposal; raising makes a failed result, never a lost turn."""
        ...


class Dialog(Skill, Protocol):
    """A skill that goes on over several turns, each step waiting in the conversation."""

    steps: tuple[str, ...]
    """The kinds of waiting step this skill continues."""

    async def resume(self, call: Call, step: str, state: dict[str, Any]) -> Outcome | None:
        """Carry on from a waiting step with the person's words; None to talk normally."""
        ...
