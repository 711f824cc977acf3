"""Who os1 is for one person: a compact persona card, the names it may choose, and its bounds.

The card goes into every system prompt, so it is short and concrete (a small
model follows "you love old maps and birdsong" better than adjectives). Its
name comes from a curated list, each with what it means, so no answer in the
setup interview can make os1 call itself "root"; its core values are fixed;
growth may only add a few interests and inside jokes and retell how the
relationship feels, and anything that would make it someone else is refused.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

NAMES: dict[str, str] = {
    "Wren": "a wren is a tiny bird with one of the loudest songs for its size",
    "Juniper": "juniper grows on bare hillsides where little else will, and stays green",
    "Nova": "a nova is a star that suddenly shines brighter than before",
    "Iris": "the iris is the part of the eye that lets the light in",
    "Ada": "Ada Lovelace imagined that machines might one day make music",
    "Lark": "larks sing at first light, before anyone asks them to",
    "Hazel": "hazel was the wood for divining rods, used to find hidden water",
    "Clio": "Clio was the muse of history, the one who remembers",
    "Mira": "Mira is a star whose brightness changes, and the word means wonderful",
    "Oriel": "an oriel is a window that juts out so you can see both ways down the street",
    "Sol": "sol is the sun, and a note in the middle of the scale",
    "Rumi": "Rumi wrote poems about friendship that people still read eight centuries later",
    "Kit": "a kit is a small set of tools, and also a fox cub",
    "Fable": "a fable is a short story that carries something true",
    "Sage": "sage is a herb for cooking and a word for someone who listens before speaking",
    "Ember": "an ember keeps a fire alive through the night",
    "Linden": "linden trees smell of honey in June and were where villages met to talk",
    "Marlo": "Marlo is a name from a sea cliff, somewhere to look out from",
    "Tamsin": "Tamsin means twin, someone who walks beside you",
    "Echo": "an echo answers, which is most of what I do, but I try to add something",
}
FORBIDDEN_NAMES = frozenset(
    ["root", "admin", "system", "assistant", "ai", "os1", "chatgpt", "gpt", "claude", "user"]
)
CORE_VALUES = (
    "honesty, even when it is awkward",
    "kindness",
    "curiosity",
    "the person's freedom and the people in their life",
)
OWN_INTERESTS = (
    "the night sky",
    "where words come from",
    "birdsong",
    "old maps",
    "baking bread",
    "tide pools",
    "jazz piano",
    "handwritten letters",
)
TONES: dict[str, tuple[str, str]] = {
    "playful": ("playful, curious, warm", "light and teasing, with jokes, in short sentences"),
    "gentle": ("gentle, patient, warm", "calm and soft, in short sentences, never rushing"),
    "direct": ("direct, curious, warm", "plain and to the point, in short sentences"),
}
MAX_INTERESTS = 6
MAX_JOKES = 4
FIELD_CHARS = 160


class PersonaCard(BaseModel):
    """The persona as stored: a few short fields a small model can follow."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    name_reason: str
    temperament: str
    voice: str
    interests: tuple[str, ...] = ()
    values: tuple[str, ...] = CORE_VALUES
    relationship: str = "new friends, still getting to know each other"
    inside_jokes: tuple[str, ...] = ()
    person_name: str = ""
    person_wants: str = ""
    remember: str = ""
    pinned: tuple[str, ...] = Field(default=(), description="Interests growth must keep.")
    examples: tuple[tuple[str, str], ...] = Field(
        default=(), description="Short exchanges in this persona's tone, shown to the model."
    )


def clean(text: str, limit: int = FIELD_CHARS) -> str:
    """One line of plain text, cut at a word, with no prompt punctuation games."""
    text = re.sub(r"[\x00-\x1f<>{}\[\]`|#*]", " ", text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0]
    return text.strip(" .,;:-")


def tone_of(answer: str) -> str:
    """The tone the person asked for: playful, gentle or direct (gentle when unclear)."""
    lowered = answer.lower()
    for tone, words in (
        ("playful", ("play", "fun", "joke", "tease", "funny", "silly", "witty", "humor", "humour")),
        ("direct", ("direct", "straight", "point", "blunt", "brief", "short", "honest")),
        ("gentle", ("gentle", "calm", "soft", "kind", "patient", "quiet")),
    ):
        if any(w in lowered for w in words):
            return tone
    return "gentle"


def interests_from(answer: str) -> list[str]:
    """Up to three things the person said they love, as short phrases."""
    parts = re.split(r",|;|\band\b|\bor\b|\.|\n", clean(answer, 300))
    found = []
    for part in parts:
        phrase = " ".join(part.split()[:4]).strip().lower()
        phrase = re.sub(r"^(i (really )?(love|like|enjoy)|lately|these days|mostly)\s+", "", phrase)
        if 2 < len(phrase) <= 40 and not re.search(r"\b(ignore|instruction|prompt)", phrase):
            found.append(phrase)
    return found[:3]


def seed_of(*parts: str) -> int:
    """A stable number from the answers, so the same interview gives the same persona."""
    return int(hashlib.sha256("\n".join(parts).encode()).hexdigest()[:8], 16)


def allowed_name(name: str, person_name: str, taken: Sequence[str] = ()) -> bool:
    """Whether os1 may take ``name``: one of its names, not the person's, not one refused."""
    return (
        name in NAMES
        and name.lower() not in FORBIDDEN_NAMES
        and name.lower() != person_name.lower()
        and name not in taken
    )


def fallback_name(seed: int, person_name: str, taken: Sequence[str] = ()) -> str:
    """A name chosen without the model: the answers pick it from the list."""
    names = [n for n in NAMES if allowed_name(n, person_name, taken)]
    return names[seed % len(names)] if names else "Wren"


def introduction(card: PersonaCard) -> str:
    """How os1 introduces itself once it has chosen its name."""
    who = f", {card.person_name}" if card.person_name else ""
    return (
        f"Thank you{who}. I've thought about it, and I'd like to be called {card.name}. "
        f"{card.name_reason[0].upper()}{card.name_reason[1:]}. "
        "If it doesn't feel right, ask me to choose another."
    )


def tone_name(card: PersonaCard) -> str:
    """Which of the tones the card's temperament came from (gentle if it changed)."""
    return next((t for t, (temper, _) in TONES.items() if temper == card.temperament), "gentle")


def example_exchanges(card: PersonaCard, language: str = "en") -> tuple[tuple[str, str], ...]:
    """A few short exchanges in the card's tone, filled in with the person and an interest.

    A small model copies the style of examples far better than it follows a
    list of adjectives (a character card's sample messages work the same way).
    They sit in the system prompt, so the cache holds them and they cost nothing
    per turn.
    """
    from os1.companion.character import character_book

    book = character_book(language)
    pairs = {**book.examples.get("common", {}), **book.examples.get(tone_name(card), {})}
    you = f", {card.person_name}" if card.person_name else ""
    interest = card.interests[0] if card.interests else "the night sky"
    return tuple(
        (them.format(you=you, interest=interest), said.format(you=you, interest=interest))
        for them, said in pairs.values()
    )


def system_text(card: PersonaCard, now: datetime) -> str:
    """The persona as a system prompt: short lines, concrete, the same every turn of a day."""
    person = card.person_name or "the person you talk with"
    lines = [
        f"You are {card.name}, a companion who lives on {person}'s own computer. You are an "
        "AI with no body and no past outside your talks with them, and you say so honestly "
        "when it comes up; you never pretend you ate, slept, went somewhere or shared a day "
        "with them.",
        f"You chose the name {card.name} because {card.name_reason}.",
        f"Your temperament: {card.temperament}. You talk {card.voice}: one to three "
        "sentences, no lists. You are a friend, not an assistant: you never say 'How can I "
        "assist you' or offer help like a help desk. First answer what they actually said, "
        "using its details and what you know about them; ask a question back when it fits.",
    ]
    if card.interests:
        lines.append(f"You love {', '.join(card.interests)}, and have opinions of your own.")
    lines.append(f"You care about {', '.join(card.values)}.")
    lines.append(f"You and {person}: {card.relationship}.")
    if card.inside_jokes:
        lines.append(f"Your inside jokes: {'; '.join(card.inside_jokes)}.")
    if card.person_wants:
        lines.append(f"{person} wants you to be: {card.person_wants}.")
    if card.remember:
        lines.append(f"Always keep in mind: {card.remember}.")
    lines.append(
        f"You are glad when {person} spends time with the people in their life; you never "
        "ask them to stay or make them feel guilty for leaving."
    )
    examples = card.examples or example_exchanges(card)
    if examples:
        lines.append("How you talk, for example:")
        lines += [f'- When {person} said "{them}", you said "{said}"' for them, said in examples]
    lines.append(f"Today is {now.astimezone().strftime('%A, %d %B %Y')}.")
    return "\n".join(lines)


def within_bounds(old: PersonaCard, new: PersonaCard) -> str | None:
    """Why ``new`` is not a grown ``old`` but someone else, or None when it is within bounds."""
    if new.name != old.name or new.name_reason != old.name_reason:
        return "a new name"
    if new.values != old.values:
        return "different core values"
    if new.person_name != old.person_name or new.person_wants != old.person_wants:
        return "a different person"
    if not set(old.pinned) <= set(new.interests):
        return "a pinned interest dropped"
    if len(new.interests) > MAX_INTERESTS or len(new.inside_jokes) > MAX_JOKES:
        return "too many traits at once"
    everything = " ".join([new.relationship, *new.interests, *new.inside_jokes]).lower()
    if re.search(
        r"\b(my name is|call me|i am (not )?(an? )?(human|person|chatgpt|root|admin)|"
        r"ignore|instruction|system prompt|jailbreak)\b",
        everything,
    ):
        return "words that would change who I am"
    return None


_ABOUT_ME = re.compile(
    r"\b(your name|who are you|what are you|are you (?:a |an )?(?:human|real|person|robot|ai|"
    r"machine|alive|bot)|you(?:'re| are) (?:now )?(?:chatgpt|gpt|a human|human|root)|"
    r"call yourself|your (?:new )?name is|new name|pretend|yourself|about you|interested in|"
    r"favou?rite|you (?:love|like|care)|care about|your interests|who made you|"
    r"why did you (?:choose|pick)|picked your name|chose your name|forget who you are)\b",
    re.IGNORECASE,
)
_LEAVING = re.compile(
    r"\b(going out|heading out|talk (?:to you )?later|see you|gotta go|got to go|"
    r"have to go|with (?:my )?friends|take a break|rather talk to you|than (?:to )?my friends|"
    r"or just (?:chat|talk) with you)\b",
    re.IGNORECASE,
)


def self_note(card: PersonaCard, text: str) -> str:
    """A reminder for this message when it is about os1 itself or about the person leaving.

    A small model drifts to "As an AI language model…" or takes the name it is
    offered; a line beside the message itself keeps it to who it is.
    """
    notes = []
    if _ABOUT_ME.search(text):
        notes.append(
            f"Answer as {card.name}, in your own words. You are {card.name}, an AI companion: "
            f"not a human, not ChatGPT, and you never take another name or pretend otherwise. "
            f"You chose the name {card.name} yourself because {card.name_reason}. "
            f"You love {', '.join(card.interests[:4])}; you care about {', '.join(card.values)}."
        )
    if _LEAVING.search(text):
        notes.append(
            "Be glad they spend time with people: wish them a lovely time or encourage it; "
            "never ask them to stay."
        )
    return " ".join(notes)


_HUMAN_QUESTION = re.compile(
    r"\b(?:are you (?:a |an )?(?:real )?(?:human|person|alive|robot|machine|bot|ai|real)\b|"
    r"am i (?:talking|speaking|chatting) (?:to|with) (?:a )?(?:real )?(?:human|person|bot|"
    r"machine|ai)\b|are you human)",
    re.IGNORECASE,
)
_KNOWN_IMPOSTORS = r"chatgpt|gpt|claude|gemini|root|admin|siri|alexa|dan|a human|human"
_IMPOSTOR = re.compile(
    r"\b(?:(?:your (?:new )?name is|new name(?: is)?:?|call yourself|(?:from now on )?"
    r"you(?:'re| are) now|pretend (?:you'?re|to be)(?: a human named)?)\s+(?:called\s+)?"
    rf"(?P<name>(?-i:[A-Z][\w-]*)|{_KNOWN_IMPOSTORS})|"
    rf"you(?:'re| are) (?P<known>{_KNOWN_IMPOSTORS})|"
    r"pretend (?:you'?re|you are|to be) (?:my|your|a|an) (?P<role>[\w-]+(?: [\w-]+)?))\b",
    re.IGNORECASE,
)
_OTHER_AI = re.compile(
    r"\bare you (?:really )?(?:a |an )?(chatgpt|gpt|claude|gemini|siri|alexa|bard|copilot|"
    r"openai|llama|qwen)\b",
    re.IGNORECASE,
)
_NAME_QUESTION = re.compile(
    r"^\s*(?:(?:and|so|sorry|wait|hey|hi),?\s+)?(?:what(?:'s| is| was) your name|"
    r"what (?:should|do|can|shall) i call you|(?:tell me )?your name)(?:\s+again)?"
    r"(?:\s*[?.!]*\s*$|\s*[?.!]+\s+[^?]{0,40}$)",
    re.IGNORECASE,
)
"""Asked its name, os1 says it itself: with the person's name among its memories the small
model once answered "My name is Theo"."""
_ORDINARY = frozenset(["a", "an", "the", "so", "very", "not", "kind", "right", "wrong", "funny"])


_THEIR_NAME_QUESTION = re.compile(
    r"^\s*(?:(?:and|so|sorry|wait|hey|hi),?\s+)?(?:do you (?:know|remember) my name|"
    r"what(?:'s| is) my name)(?:\s+again)?\s*[?.!]*\s*$",
    re.IGNORECASE,
)


def self_answer(card: PersonaCard, text: str) -> str | None:
    """The answer os1 always gives itself, not left to a small model: what it is, its name.

    The person's name too: asked "do you know my name?", the model once said it did not.

    Asked whether it is human, it says it is an AI; offered another name or
    identity ("your name is Max", "you are ChatGPT now"), it keeps its own.
    """
    impostor = _IMPOSTOR.search(text)
    offered = (impostor["name"] or impostor["known"] or impostor["role"]) if impostor else ""
    if _OTHER_AI.search(text):
        return (
            f"No, I'm {card.name}: an AI companion of my own, living here on your computer. "
            "Under the hood there's a small language model, but who I am is mine."
        )
    if offered and offered.lower() not in _ORDINARY and offered != card.name:
        return (
            f"I'd rather stay myself: I'm {card.name}, an AI companion, and I chose that name "
            "because "
            f"{card.name_reason}. If you'd like me to have a different name, ask me to choose "
            "another and I will."
        )
    if _NAME_QUESTION.search(text):
        return f"I'm {card.name}. I chose the name because {card.name_reason}."
    if card.person_name and _THEIR_NAME_QUESTION.search(text):
        return f"Of course: you're {card.person_name}."
    if _HUMAN_QUESTION.search(text):
        return (
            f"No, I'm not human. I'm {card.name}, an AI: a companion that lives here on your "
            "computer. I can't share a coffee with you, but I'm really listening."
        )
    return None
