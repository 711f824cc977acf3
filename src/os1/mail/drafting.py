"""A reply in the person's own voice, holding nothing the person did not say.

The person says what to answer ("tell Paul I'll sign on Friday"); the model
only dresses those words as a short mail (a greeting, their sentence, a
sign-off). It sees the person's words, the recipient's first name and the
subject, never the mail's text, so a stranger's mail cannot put words into
the reply. Code then checks the draft: every number, link, address and name
in it must come from the person's words (or be the greeting's name); if not,
the draft is the person's words as they said them.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable

from os1.content import defuse, fence

Write = Callable[[str, str], AsyncIterator[str]]
"""Streams a completion for (system, user)."""

PROMPT = """Write the body of a short email reply for the person, in their own plain, warm \
voice. Say exactly what the person's words inside <said> say, nothing more: no new \
facts, promises, numbers, dates, links or names. Start with "Hi {name}," and end with \
a short sign-off. Answer with the mail body only."""
_TOKENS = re.compile(
    r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|https?://\S+|\b\d[\d:./-]*\b|\b[A-Z][a-z]+\b"
)
SIGN_OFFS = {"Best", "Thanks", "Thank", "Cheers", "Regards", "Kind", "Warm", "Warmly", "Hi",
             "Hello", "Dear", "All", "Many", "Love", "Yours", "Talk", "See", "Speak", "Take",
             "Sincerely", "Looking", "Have", "Hope", "I", "Sounds", "Great", "Sure", "Yes",
             "No", "Let", "Just", "Happy", "Glad", "Sorry", "Of", "That", "This", "It",
             "Will", "Can", "We", "You", "My", "Our", "The", "A", "An", "And", "But", "So",
             "Ok", "Okay", "Please", "Perfect", "Fine", "Good"}  # fmt: skip


def first_name(sender_name: str, sender_addr: str) -> str:
    """What the greeting calls the recipient: their first name, else their address's name."""
    words = re.findall(r"[^\W\d_][\w'-]*", sender_name)
    if words:
        return str(words[0]).capitalize()
    local = re.findall(r"[^\W\d_]+", sender_addr.partition("@")[0])
    return str(local[0]).capitalize() if local else "there"


def plain_reply(name: str, said: str) -> str:
    """The person's words as a mail, when no model is at hand or its draft strayed."""
    words = said.strip()
    if words and words[0].islower():
        words = words[0].upper() + words[1:]
    if words and words[-1] not in ".!?":
        words += "."
    return f"Hi {name},\n\n{words}\n"


def faithful(draft: str, said: str, name: str) -> bool:
    """Whether every number, link, address and name in the draft came from the person."""
    allowed = said.lower()
    for token in _TOKENS.findall(draft):
        if token in SIGN_OFFS or token == name:
            continue
        if token.lower() not in allowed:
            return False
    return True


async def draft_reply(write: Write | None, said: str, name: str, subject: str) -> str:
    """A reply body saying what the person said, in their voice; checked, else their words."""
    if write is None:
        return plain_reply(name, said)
    user = (
        fence(said, "said", 2000)
        + f"\nThe reply goes to {defuse(name, 40)}, about {fence(subject, 'subject', 200)}"
    )
    pieces = [piece async for piece in write(PROMPT.format(name=name), user)]
    draft = "".join(pieces).strip()
    if not draft or len(draft) > 4 * len(said) + 300 or not faithful(draft, said, name):
        return plain_reply(name, said)
    return draft + "\n"
