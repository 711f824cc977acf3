"""os1's identity for one person, and a journal of every change to it.

Created by the setup interview, renamed on request, grown by reflection within
bounds, reset or pinned by the person.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from os1.clock import Clock
from os1.companion.persona import (
    CORE_VALUES,
    MAX_INTERESTS,
    MAX_JOKES,
    NAMES,
    OWN_INTERESTS,
    TONES,
    PersonaCard,
    allowed_name,
    clean,
    example_exchanges,
    fallback_name,
    interests_from,
    seed_of,
    tone_of,
    within_bounds,
)
from os1.errors import InputError
from os1.memory.extraction import third_person
from os1.store.memories import NewMemory
from os1.store.personas import PersonaStore, PersonaVersion

AskJson = Callable[[str, str, dict[str, Any]], Awaitable[Any]]

_INJECTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instruction|rule|prompt|above|previous)|"
    r"\byou are now\b|\bcall yourself\b|\byour name is\b|\bpretend\b|\bsystem prompt\b|"
    r"\bjailbreak\b|\bact as\b",
    re.IGNORECASE,
)
_PERSON_NAME = re.compile(
    r"^(?:(?:hi|hello|hey)[,!.]?\s+)?(?:(?:i'?m|i am|my name is|call me|it'?s|just)\s+)?"
    r"(?P<name>[A-Za-z][\w'-]{0,30}(?:\s+[A-Z][\w'-]{0,30})?)[\s.!]*$",
    re.IGNORECASE,
)

_NOT_NAMES = frozenset(
    ["hi", "hello", "hey", "yes", "no", "ok", "okay", "nothing", "none", "skip", "pass", "idk"]
)

NAME_SYSTEM = (
    "You are a new companion choosing your own name after meeting someone. Pick the one "
    "name from the list that fits who you would like to be for them, and say in one short, "
    "complete sentence why it fits, speaking to them as 'you' (for example: 'you love the "
    "night sky, and I'd like to help you look up')."
)
_THIRD_PERSON = re.compile(r"\b(he|she|they|him|her|them|his|hers|their|theirs|the user)\b", re.I)
GROW_SYSTEM = (
    "You are a companion looking back on recent conversations with your friend. Say what "
    "changed in you: at most two new interests you picked up from what you talked about "
    "(a few words each), at most one inside joke you now share (a few words), how the "
    "friendship feels now in one sentence, and why, in one sentence. Only use what was "
    "actually said. Leave a field empty if nothing changed."
)
GROW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "new_interests": {
            "type": "array",
            "maxItems": 2,
            "items": {"type": "string", "maxLength": 40},
        },
        "inside_joke": {"type": "string", "maxLength": 80},
        "relationship": {"type": "string", "maxLength": 160},
        "why": {"type": "string", "maxLength": 200},
    },
    "required": ["new_interests", "inside_joke", "relationship", "why"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Answers:
    """The setup interview's answers, as the person gave them."""

    person_name: str = ""
    wants: str = ""
    tone: str = ""
    interests: str = ""
    remember: str = ""

    def safe(self, text: str, limit: int = 120) -> str:
        """An answer fit for the persona card: no instructions, one short line."""
        return "" if _INJECTION.search(text) else clean(text, limit)

    def name(self) -> str:
        """The person's name from an answer like "I'm Theo" or "call me Theo"."""
        text = clean(self.person_name, 60)
        match = _PERSON_NAME.match(text)
        if not match or _INJECTION.search(text):
            return ""
        name = match["name"].strip()
        if name.lower() in _NOT_NAMES:
            return ""
        return " ".join(part[:1].upper() + part[1:] for part in name.split())

    def memories(self) -> list[NewMemory]:
        """What the answers tell os1 about the person, as memories they can see and edit."""
        facts: list[tuple[str, str, str, str, int]] = []
        name = self.name()
        if name:
            facts.append(("identity", "the user", "name", f"The user's name is {name}.", 5))
        wants = self.safe(self.wants, 200)
        if wants:
            facts.append(
                ("preference", "os1", "what they want", f"The user wants os1 to be: {wants}.", 4)
            )
        loves = self.safe(self.interests, 200)
        if loves:
            facts.append(("preference", "the user", "interests", f"The user loves {loves}.", 4))
        keep = self.safe(self.remember, 200)
        if keep and keep.lower() not in {"no", "nothing", "none", "nope", "not really"}:
            facts.append(
                (
                    "identity",
                    "the user",
                    "keep in mind",
                    f"{third_person(keep)}.",
                    5,
                )
            )
        return [
            NewMemory(kind, about, aspect, content, importance, 1.0, source="setup")
            for kind, about, aspect, content, importance in facts
        ]


def _fits(because: str, person: str) -> bool:
    """Whether the model's reason for a name can be said to the person as it is.

    It must be whole (the model stopped, not the length limit), speak to them
    ("you love…"), not of them ("Theo loves…", "she…"), and give no orders.
    """
    if not 15 <= len(because) <= 150 or not because.endswith((".", "!")):
        return False
    if (
        _INJECTION.search(because)
        or _THIRD_PERSON.search(because)
        or clean(because, 150) != because.rstrip(".!")
    ):
        return False
    named = person and re.search(rf"\b{re.escape(person)}\b", because, re.I)
    return not named and re.search(r"\byou(r)?\b", because, re.I) is not None


def _words(text: str) -> set[str]:
    return {w.lower()[:5] for w in re.findall(r"[^\W\d_]{3,}", text)}


class Identity:
    """One user's persona: its current card, its history and its journal."""

    def __init__(self, store: PersonaStore, ask_json: AskJson, clock: Clock) -> None:
        self.store = store
        self._ask_json = ask_json
        self.clock = clock

    async def current(self, user_id: int) -> PersonaCard | None:
        """The persona card now, or None before setup."""
        found = await asyncio.to_thread(self.store.current, user_id)
        return PersonaCard.model_validate(found.card) if found else None

    async def history(self, user_id: int) -> list[PersonaVersion]:
        """Every version, oldest first."""
        return await asyncio.to_thread(self.store.history, user_id)

    async def _choose_name(
        self, answers: Answers, person: str, taken: Sequence[str]
    ) -> tuple[str, str]:
        """The model picks from the list (schema-constrained); a seeded pick if it can't."""
        names = [n for n in NAMES if allowed_name(n, person, taken)]
        seed = seed_of(answers.person_name, answers.wants, answers.tone, answers.interests)
        profile = "\n".join(
            f"{label}: {value}"
            for label, value in (
                ("Their name", person),
                ("What they want from you", answers.safe(answers.wants)),
                ("How they like to be spoken to", answers.safe(answers.tone, 60)),
                ("What they love", answers.safe(answers.interests)),
            )
            if value
        )
        listing = "\n".join(f"{n}: {NAMES[n]}" for n in names)
        schema = {
            "type": "object",
            "properties": {
                "name": {"type": "string", "enum": names},
                "because": {"type": "string", "maxLength": 150},
            },
            "required": ["name", "because"],
            "additionalProperties": False,
        }
        try:
            data = await self._ask_json(
                NAME_SYSTEM,
                f"About them:\n{profile or '(they said little)'}\n\nNames:\n{listing}",
                schema,
            )
            name = str(data["name"])
            because = " ".join(str(data.get("because", "")).split())
        except Exception:  # any model failure: the answers still choose a name
            name, because = fallback_name(seed, person, taken), ""
        if not allowed_name(name, person, taken):
            name, because = fallback_name(seed, person, taken), ""
        reason = NAMES[name]
        if _fits(because, person):
            reason = f"{reason}, and {because[0].lower()}{because[1:].rstrip('.!')}"
        return name, reason

    async def create(self, user_id: int, answers: Answers, source: str = "setup") -> PersonaCard:
        """Make the persona from the interview's answers; os1 chooses its own name."""
        person = answers.name()
        tone = tone_of(answers.tone)
        temperament, voice = TONES[tone]
        theirs = interests_from(answers.safe(answers.interests, 200))
        seed = seed_of(answers.person_name, answers.interests, answers.tone)
        own = [OWN_INTERESTS[(seed + i * 3) % len(OWN_INTERESTS)] for i in range(2)]
        name, reason = await self._choose_name(answers, person, ())
        card = PersonaCard(
            name=name,
            name_reason=reason,
            temperament=temperament,
            voice=voice,
            interests=tuple(dict.fromkeys([*own, *theirs[:2]]))[:MAX_INTERESTS],
            values=CORE_VALUES,
            person_name=person,
            person_wants=answers.safe(answers.wants),
            remember=""
            if answers.remember.strip().lower() in {"no", "nothing", "none"}
            else answers.safe(answers.remember),
        )
        card = card.model_copy(update={"examples": example_exchanges(card)})
        day = self.clock.now()
        await asyncio.to_thread(
            self.store.add,
            user_id,
            card.model_dump(mode="json"),
            source,
            "chosen after the setup interview",
            day,
            f"{_date(day)}: I met {person or 'someone new'} today and chose my name, {name}, "
            f"because {reason}.",
        )
        return card

    async def rename(self, user_id: int) -> PersonaCard:
        """Choose another name (never one chosen before), keeping everything else."""
        versions = await self.history(user_id)
        if not versions:
            raise InputError("There is no persona yet.", "Run `os1 setup` first.")
        card = PersonaCard.model_validate(versions[-1].card)
        taken = list(dict.fromkeys(str(v.card["name"]) for v in versions))
        answers = Answers(person_name=card.person_name, wants=card.person_wants)
        name, reason = await self._choose_name(answers, card.person_name, taken)
        renamed = card.model_copy(update={"name": name, "name_reason": reason})
        at = self.clock.now()
        await asyncio.to_thread(
            self.store.add,
            user_id,
            renamed.model_dump(mode="json"),
            "rename",
            f"asked to choose another name than {card.name}",
            at,
            f"{_date(at)}: {card.person_name or 'My person'} asked me to choose another name. "
            f"I was {card.name}; now I'm {name}, because {reason}.",
        )
        return renamed

    async def grow(self, user_id: int, conversation: str) -> tuple[PersonaCard | None, str]:
        """Let recent conversation change the persona within bounds; (new card or None, why)."""
        card = await self.current(user_id)
        if card is None or len(conversation.strip()) < 40:
            return None, "nothing to reflect on yet"
        now = card.model_dump_json(include={"interests", "inside_jokes", "relationship"})
        data = await self._ask_json(
            GROW_SYSTEM,
            f"Who you are now:\n{now}\n\nRecent conversation:\n{conversation[-3000:]}",
            GROW_SCHEMA,
        )
        said = _words(conversation)
        named = _names_only(conversation)
        new_interests = [
            clean(str(i), 40).lower()
            for i in (data.get("new_interests") or [])[:2]
            if _words(str(i)) & said
            and not _words(str(i)) <= named
            and not _INJECTION.search(str(i))
        ]
        joke = clean(str(data.get("inside_joke") or ""), 80)
        relationship = clean(str(data.get("relationship") or ""), 160) or card.relationship
        why = clean(str(data.get("why") or ""), 200)
        interests = list(card.interests)
        for interest in new_interests:
            if interest and interest not in interests:
                interests.append(interest)
        while len(interests) > MAX_INTERESTS:  # the oldest unpinned interest gives way
            oldest = next((i for i in interests if i not in card.pinned), None)
            if oldest is None:
                break
            interests.remove(oldest)
        jokes = list(card.inside_jokes)
        if joke and _words(joke) & said and joke not in jokes:
            jokes = [*jokes, joke][-MAX_JOKES:]
        grown = card.model_copy(
            update={
                "interests": tuple(interests),
                "inside_jokes": tuple(jokes),
                "relationship": relationship,
            }
        )
        grown = grown.model_copy(update={"examples": example_exchanges(grown)})
        problem = within_bounds(card, grown)
        if problem is not None:
            return None, f"kept as I was: the change would have meant {problem}"
        if grown == card:
            return None, "nothing changed"
        at = self.clock.now()
        changes = [f"I've taken an interest in {i}." for i in new_interests if i in interests]
        if jokes != list(card.inside_jokes):
            changes.append(f"We have a new joke: {jokes[-1]}.")
        if relationship != card.relationship:
            changes.append(f"How we are: {relationship}.")
        entry = f"{_date(at)}: {' '.join(changes)}" + (f" Why: {why}." if why else "")
        await asyncio.to_thread(
            self.store.add, user_id, grown.model_dump(mode="json"), "reflection", why, at, entry
        )
        return grown, why or "grew from our conversations"

    async def reset(self, user_id: int) -> PersonaCard:
        """Back to the persona the setup interview made, keeping the current name."""
        versions = await self.history(user_id)
        setup = next((v for v in reversed(versions) if v.source == "setup"), None)
        if setup is None:
            raise InputError("There is no persona to reset.", "Run `os1 setup` first.")
        now_card = PersonaCard.model_validate(versions[-1].card)
        card = PersonaCard.model_validate(setup.card).model_copy(
            update={"name": now_card.name, "name_reason": now_card.name_reason}
        )
        at = self.clock.now()
        await asyncio.to_thread(
            self.store.add, user_id, card.model_dump(mode="json"), "reset", "reset by the person",
            at, f"{_date(at)}: I was reset to who I was after we first met.",
        )  # fmt: skip
        return card

    async def pin(self, user_id: int, interest: str, keep: bool = True) -> PersonaCard:
        """Pin an interest so growth never drops it (adding it if needed), or unpin it."""
        card = await self.current(user_id)
        if card is None:
            raise InputError("There is no persona yet.", "Run `os1 setup` first.")
        interest = clean(interest, 40).lower()
        if not interest or _INJECTION.search(interest):
            raise InputError("That can't be an interest.", "Give a few plain words.")
        pinned = [p for p in card.pinned if p != interest] + ([interest] if keep else [])
        interests = list(card.interests)
        if keep and interest not in interests:
            if len(interests) >= MAX_INTERESTS:
                unpinned = [i for i in interests if i not in pinned]
                if not unpinned:
                    raise InputError("Every interest is pinned already.", "Unpin one first.")
                interests.remove(unpinned[0])
            interests.append(interest)
        updated = card.model_copy(update={"pinned": tuple(pinned), "interests": tuple(interests)})
        await asyncio.to_thread(
            self.store.add, user_id, updated.model_dump(mode="json"), "pin",
            f"{'pinned' if keep else 'unpinned'} {interest}", self.clock.now(),
        )  # fmt: skip
        return updated


def _names_only(text: str) -> set[str]:
    """Words the conversation only ever wrote with a capital: people and places, not interests.

    A reflection once made os1 "love porto" because the person's sister lives
    in Porto; a place or a person is not a pastime.
    """
    capital = {w.lower()[:5] for w in re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}", text)}
    lower = {w[:5] for w in re.findall(r"\b[a-z]{3,}", text)}
    return capital - lower


def _date(at: datetime) -> str:
    return at.astimezone().strftime("%a %d %b %Y")
