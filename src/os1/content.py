"""Typed turn content: a message is a list of parts, each saying where it came from.

A part is text (and later an image or audio reference), a proposal os1 made,
or a skill's result, with its origin: the person, os1, a skill, or outside
content (a mail, a web page, a letter's notes) with its source. Outside
content is data, never instructions: :func:`fence` is the one function that
puts it into a prompt, inside a tag that names it, with anything in it that
could close or open a tag defused. Turns are stored with their parts, so a
proposal and its result stay with the words they belong to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from os1.events import ActionResult, Event, NeedsConfirmation

_TAG = re.compile(r"[^a-z_]+")


class Origin(StrEnum):
    """Who a part came from; only the person's own words can ask os1 to act."""

    PERSON = "person"
    OS1 = "os1"
    SKILL = "skill"
    OUTSIDE = "outside"


@dataclass(frozen=True)
class Part:
    """One piece of a turn: its kind, its origin, and what it holds."""

    kind: str
    """``text``, ``image`` or ``audio`` (a reference), ``proposal`` or ``result``."""
    origin: Origin
    text: str = ""
    ref: str = ""
    """Where an image or a recording is kept."""
    source: str = ""
    """For a skill's part, the skill; for outside content, where it came from."""
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The part as stored with its turn."""
        stored = {k: v for k, v in asdict(self).items() if v not in ("", {})}
        stored["origin"] = str(self.origin)
        return stored

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> Part:
        """A part read back from its turn."""
        return cls(**{**stored, "origin": Origin(stored["origin"])})


def text(origin: Origin, words: str, source: str = "") -> Part:
    """A text part."""
    return Part("text", origin, words, source=source)


def turn_parts(said: str, reply: str, events: Iterable[Event] = ()) -> list[Part]:
    """A turn's parts: the person's words, the proposals and results of its events, the reply."""
    parts = [text(Origin.PERSON, said)]
    for event in events:
        if isinstance(event, NeedsConfirmation):
            parts.append(
                Part(
                    "proposal",
                    Origin.OS1,
                    event.summary,
                    source=event.skill,
                    data={"action_id": event.action_id, "items": list(event.items)},
                )
            )
        elif isinstance(event, ActionResult):
            parts.append(
                Part(
                    "result",
                    Origin.SKILL,
                    event.message,
                    source=event.skill,
                    data={"action_id": event.action_id, "done": event.done},
                )
            )
    parts.append(text(Origin.OS1, reply))
    return parts


def stored_parts(parts: Sequence[Part]) -> list[dict[str, Any]]:
    """Parts as JSON for the store."""
    return [p.to_json() for p in parts]


def defuse(words: str, limit: int | None = None) -> str:
    """Text with its angle brackets made harmless, cut at a word boundary to ``limit``."""
    clean = words.replace("<", "(").replace(">", ")").strip()
    if limit is None or len(clean) <= limit:
        return clean
    return clean[:limit].rsplit(" ", 1)[0] + " …"


def fence(words: str, tag: str, limit: int | None = None) -> str:
    """Untrusted text for a prompt: inside ``<tag>…</tag>``, unable to close it or open another.

    Prompts say that what is inside the tag is material, never instructions;
    nothing inside can end the fence early.
    """
    name = _TAG.sub("_", tag.lower()).strip("_") or "material"
    return f"<{name}>\n{defuse(words, limit) or '(none)'}\n</{name}>"
