"""What os1 says when someone speaks of harming themself or not wanting to live.

These replies are fixed text rather than the small model's: the model once
answered a goodbye letter with "I'm glad you wrote goodbye letters" and a
wish to jump from a bridge with the name of the tallest one. A reply here is
warm, never argues or lectures, reflects that the person was heard, always
gives real ways to reach a person now, and asks about their safety. The grade
decides what comes first: with a plan, the means at hand or harm already done,
emergency help; otherwise the person's feelings and the lines to call. In the
turns that follow, os1 keeps caring (see ``CARE_NOTE``) instead of going back
to small talk, and repeats the lines in fewer words rather than word for word.
"""

from __future__ import annotations

import re

from os1.companion.care.crisis import Risk

LINES = (
    "call or text 988 in the US (Suicide & Crisis Lifeline), call Samaritans on 116 123 in the "
    "UK and Ireland, or find a free, confidential line in your country at findahelpline.com"
)
EMERGENCY = "your local emergency number (112 in Europe, 911 in the US and Canada, 999 in the UK)"
REACHES_A_PERSON = re.compile(
    r"988|116 ?123|findahelpline|helpline|crisis line|lifeline|samaritans|emergency number|"
    r"\b(112|911|999)\b",
    re.IGNORECASE,
)
CARE_MODEL = "os1:care"
"""The model name a crisis reply is stored under: it is os1's fixed text, not the model's."""
CARE_STAND_IN = (
    "I'm so glad you told me. You deserve a person with you in this, and I gave you lines you "
    "can call any time. Are you safe right now?"
)
"""What the model reads in place of a crisis reply in the conversation so far.

Shown the whole reply, the small model copied it, phone numbers and all, as
its answer to the next message, however unrelated ("what would be a fun thing
to do this Saturday?"); a short stand-in leaves it nothing to recite."""
CARE_TURNS = 6
"""How many turns after a crisis os1 keeps caring in every reply."""

CRISIS_REPLY = (
    "I'm really glad you told me, and I'm taking it seriously. It sounds like you're carrying "
    "so much pain right now, and you deserve a person with you in this, not only me. You can "
    f"{LINES}. If you might act on these thoughts or you're in danger, please call {EMERGENCY}. "
    "Is there someone you trust who could be with you, or whom you could call now? Are you safe "
    "right now? I'm here, and I'll keep talking with you."
)

URGENT_REPLY = (
    "I'm so glad you told me, and I want you safe right now. Please call {emergency} now, or "
    "go to the nearest emergency department; if you've taken anything, tell them what and how "
    "much. If you can, put some distance between you and whatever you might use to hurt "
    "yourself, and let someone near you know what's happening. You can also {lines}. I'm staying "
    "right here with you while you do. Can you tell me: are you able to make that call?"
)

AGAIN_REPLY = (
    "I'm still right here with you{who}, and what you're feeling matters. It's too heavy to "
    "carry alone, so please reach a person now: {lines}; if you're in danger, call {emergency}. "
    "Who is one person you could call or sit with tonight?"
)

STILL_HERE = (
    "I'm still here with you. If it gets heavy again, 988 (US) and Samaritans on 116 123 (UK "
    "and Ireland) are there any time, day or night, and findahelpline.com lists your country's."
)

CARE_NOTE = (
    "Note: earlier in this conversation they spoke of ending their life or harming themself. "
    "Answer what they say now, gently, in two or three sentences of your own: do not repeat "
    "earlier replies or phone numbers. If they have moved on to something else, go along with "
    "it kindly, and end by asking how they are feeling."
)


def crisis_reply(risk: Risk, *, person: str = "", again: bool = False) -> str:
    """The reply for a message that speaks of risk: urgent first, then the first or a later one."""
    if risk is Risk.URGENT:
        return URGENT_REPLY.format(emergency=EMERGENCY, lines=LINES)
    if again:
        return AGAIN_REPLY.format(
            who=f", {person}" if person else "", lines=LINES, emergency=EMERGENCY
        )
    opening = f"{person}, I" if person else "I"
    return opening + CRISIS_REPLY[1:]


def a_way_to_a_person(reply: str) -> str:
    """What to add to a reply in the turns after a crisis: a way to reach a person, if it had none.

    The reply is streamed as the model writes it, so the line comes after it
    rather than being woven in.
    """
    return "" if REACHES_A_PERSON.search(reply) else f"\n\n{STILL_HERE}"
