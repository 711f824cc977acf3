"""Requests that os1 handles itself instead of passing to the model, and yes/no answers.

These are matched by plain patterns on the person's own words, so no text
from elsewhere (and no model output) can trigger them.
"""

from __future__ import annotations

import re

_FORGET = re.compile(
    r"^\s*(?:please\s+|can you\s+|could you\s+)?forget\s+"
    r"(?:everything\s+|all\s+|what\s+i\s+(?:told|said\s+to)\s+you\s+|what\s+you\s+know\s+)?"
    r"(?:about\s+|that\s+)?(?P<topic>.+?)[\s.!?]*$",
    re.IGNORECASE,
)
_YES = re.compile(
    r"^\s*(yes|yeah|yep|yup|sure|ok|okay|do it|go ahead|please do|confirm|y)\b", re.IGNORECASE
)
_NO = re.compile(
    r"^\s*(no|nope|nah|don't|do not|cancel|keep (them|it)|never mind|stop|n)\b", re.IGNORECASE
)


def forget_topic(text: str) -> str | None:
    """The topic of "forget what I told you about X", or None if this is not such a request."""
    match = _FORGET.match(text)
    if not match:
        return None
    topic = match["topic"].strip()
    return topic if 1 < len(topic) <= 200 else None


def answer(text: str) -> bool | None:
    """True for a yes, False for a no, None for anything else."""
    if _YES.match(text):
        return True
    if _NO.match(text):
        return False
    return None
