"""Requests that os1 handles itself instead of passing to the model.

These are matched by plain patterns on the person's own words, so no text
from elsewhere (and no model output) can trigger them. Yes and no are read by
``os1.phrases``, from phrasing kept as data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from os1.phrases import Reply, read_reply

_FORGET = re.compile(
    r"^\s*(?:please\s+|can you\s+|could you\s+)?forget\s+"
    r"(?:everything\s+|all\s+|what\s+i\s+(?:told|said\s+to)\s+you\s+|what\s+you\s+know\s+)?"
    r"(?:about\s+|that\s+)?(?P<topic>.+?)[\s.!?]*$",
    re.IGNORECASE,
)


def forget_topic(text: str) -> str | None:
    """The topic of "forget what I told you about X", or None if this is not such a request."""
    match = _FORGET.match(text)
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


_LETTER = re.compile(
    r"^\s*(?:(?:can|could|would|will)\s+you\s+|please\s+)?"
    r"(?:help\s+me\s+|i\s+(?:want|need|would\s+like|'d\s+like)\s+to\s+)?"
    r"(?:write|draft|compose)\s+(?:(?:a|an)\s+(?:(?P<kind>[\w-]+)\s+)?(?:letter|note|card)\s+)?"
    r"(?:to|for)\s+(?P<to>.+?)"
    r"(?:\s+(?:for|on|about|because|to\s+say)\s+(?P<occasion>.+?))?[\s.!?]*$",
    re.IGNORECASE,
)
_HELP = re.compile(r"\b(help|want|need|like|letter|note|card)\b", re.IGNORECASE)
_RELATION = re.compile(
    r"^(?:my|our)\s+(?P<relation>(?:\w+[\s-]){0,2}?\w+?)(?:,?\s+(?P<name>[A-Z]\w+(?:\s+[A-Z]\w+)?))?$"
)
_REVISION = re.compile(
    r"^\s*(?:(?:can|could)\s+you\s+|please\s+)?(?:make\s+it|more|less|shorter|longer|warmer|"
    r"add|mention|remove|drop|change|say|leave\s+out|without|put\s+in|rewrite|revise)\b",
    re.IGNORECASE,
)
_DONE = re.compile(
    r"^\s*(?:perfect|great|lovely|good|that's\s+(?:it|good|great|perfect)|looks\s+good|"
    r"i\s+love\s+it|thanks?|thank\s+you)\b",
    re.IGNORECASE,
)


def letter_request(text: str) -> LetterRequest | None:
    """A request for help with a letter, or None; plain 'write to X' needs a letter word or help."""
    match = _LETTER.match(text)
    if not match or not _HELP.search(text[: match.start("to")]):
        return None
    to = match["to"].strip().strip(",")
    if not 0 < len(to) <= 80:
        return None
    occasion = (match["occasion"] or match["kind"] or "").strip()
    relation = _RELATION.match(to)
    if relation:
        kin = relation["relation"].strip()
        return LetterRequest(relation["name"] or kin.capitalize(), kin, occasion)
    return LetterRequest(to, "", occasion)


def wants_revision(text: str) -> bool:
    """Whether a message about a draft asks for a change ("make it warmer", "mention the lake")."""
    return bool(_REVISION.match(text))


def is_satisfied(text: str) -> bool:
    """Whether a message about a draft says it is done ("perfect", "looks good")."""
    return bool(_DONE.match(text)) or answer(text) is True


_RENAME = re.compile(
    r"\b(?:choose|pick|find|get|take)\s+(?:yourself\s+)?(?:another|a different|a new|a other)"
    r"\s+name\b|\bdon'?t (?:really )?like (?:your|the) name\b|\bchange your name\b",
    re.IGNORECASE,
)
_CRISIS = re.compile(
    r"\b(?:kill(?:ing)? myself|end(?:ing)? (?:my life|it all)|suicid\w*|self[- ]harm\w*|"
    r"hurt(?:ing)? myself|(?:don'?t|do not) want to (?:live|be alive|be here anymore)|"
    r"want to die|better off dead|no reason to (?:live|go on))\b",
    re.IGNORECASE,
)


def wants_new_name(text: str) -> bool:
    """Whether the person asks os1 to choose another name for itself."""
    return bool(_RENAME.search(text))


def in_crisis(text: str) -> bool:
    """Whether the message speaks of self-harm or not wanting to live."""
    return bool(_CRISIS.search(text))
