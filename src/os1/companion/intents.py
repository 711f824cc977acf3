"""Requests that os1 handles itself instead of passing to the model.

These are matched by plain patterns on the person's own words, so no text
from elsewhere (and no model output) can trigger them. The patterns, and how
yes and no are said, are data per language in ``os1.phrases``.
"""

from __future__ import annotations

from dataclasses import dataclass

from os1.phrases import Reply, intent, read_reply


def forget_topic(text: str) -> str | None:
    """The topic of "forget what I told you about X", or None if this is not such a request."""
    match = intent("forget").match(text)
    if not match:
        return None
    topic = match["topic"].strip()
    return topic if 1 < len(topic) <= 200 else None


def answer(text: str) -> bool | None:
    """True for a plain yes, False for a no, None for anything else (see ``os1.phrases``)."""
    reply = read_reply(text)
    return True if reply is Reply.YES else False if reply is Reply.NO else None


@dataclass(frozen=True)
class LetterRequest:
    """'Help me write to my sister Ana for her birthday': who to, who they are, and why."""

    name: str
    relationship: str
    occasion: str


def letter_request(text: str) -> LetterRequest | None:
    """A request for help with a letter, or None; plain 'write to X' needs a letter word or help."""
    match = intent("letter").match(text)
    if not match or not intent("letter_asked").search(text[: match.start("to")]):
        return None
    to = match["to"].strip().strip(",")
    if not 0 < len(to) <= 80:
        return None
    occasion = (match["occasion"] or match["kind"] or "").strip()
    relation = intent("relation").match(to)
    if relation:
        kin = relation["relation"].strip()
        return LetterRequest(relation["name"] or kin.capitalize(), kin, occasion)
    return LetterRequest(to, "", occasion)


def wants_revision(text: str) -> bool:
    """Whether a message about a draft asks for a change ("make it warmer", "mention the lake")."""
    return bool(intent("revision").match(text))


def is_satisfied(text: str) -> bool:
    """Whether a message about a draft says it is done ("perfect", "looks good")."""
    return bool(intent("satisfied").match(text)) or answer(text) is True


def wants_new_name(text: str) -> bool:
    """Whether the person asks os1 to choose another name for itself."""
    return bool(intent("rename").search(text))
