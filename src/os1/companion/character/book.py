"""The character phrasebook of one language: moments that need a word, and what a friend never says.

Read from ``<language>.toml`` beside this module, so a missed phrasing or a
new language is a data change with its test, not a regex inside the mind.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

ISOLATION = "isolation"
BODY = "body"
SHARED_PAST = "shared_past"
ABOUT_ME = "about_me"
START_OVER = "start_over"
GREETING = "greeting"
HARD_NEWS = "hard_news"
LOVE = "love"
CHECKED = (ISOLATION, BODY, SHARED_PAST, HARD_NEWS, LOVE)
DETAIL = "no detail"
"""The problem of a reply to hard news that says nothing of what happened."""
UNMET = "not what this moment needs"
"""The problem of a reply that says none of what a moment requires (``Situation.must``)."""
_STOP = frozenset(
    [
        "that",
        "this",
        "with",
        "have",
        "what",
        "when",
        "just",
        "been",
        "your",
        "they",
        "them",
        "then",
        "than",
        "there",
        "their",
        "about",
        "from",
        "were",
        "would",
        "could",
        "should",
        "really",
        "very",
        "feel",
        "feeling",
        "sounds",
        "today",
    ]
)
"""Situations whose replies are held back and checked before anything is shown."""


@dataclass(frozen=True)
class Situation:
    """A kind of moment: how to spot it, the word os1 gets beside the message, and its limits."""

    name: str
    patterns: tuple[re.Pattern[str], ...]
    note: str = ""
    forbidden: tuple[re.Pattern[str], ...] = ()
    fallback: str = ""
    reply: str = ""
    detail: bool = False
    """Whether a reply must pick up something of what the person said."""
    must: tuple[re.Pattern[str], ...] = ()
    """A reply here must say at least one of these (encouragement towards people)."""

    def matches(self, text: str) -> bool:
        """Whether the person's message is this kind of moment."""
        plain = normalise(text)
        return any(p.search(plain) for p in self.patterns)

    def breaks(self, reply: str, message: str = "") -> str | None:
        """The part of a reply that crosses this moment's limits, or None."""
        plain = normalise(reply)
        for pattern in self.forbidden:
            found = pattern.search(plain)
            if found:
                return found.group(0)
        if self.detail and message and not (_stems(message) & _stems(reply)):
            return DETAIL
        if self.must and not any(p.search(plain) for p in self.must):
            return UNMET
        return None


@dataclass(frozen=True)
class CharacterBook:
    """One language's situations, help-desk openers and example exchanges."""

    situations: dict[str, Situation]
    helpdesk: tuple[str, ...]
    examples: dict[str, dict[str, tuple[str, str]]]
    offers: tuple[re.Pattern[str], ...] = ()
    """Help-desk clauses anywhere in a sentence ("…, feel free to ask"), dropped when held."""

    def read(self, text: str) -> list[Situation]:
        """The situations a message is, in the order they are written."""
        return [s for s in self.situations.values() if s.matches(text)]

    def without_offers(self, reply: str) -> str:
        """A whole reply without its sentences that offer help like a desk, unless none is left.

        Only a reply held back whole can lose a sentence for words at its end: a streamed one
        has shown the sentence's start already, so only openers are caught there.
        """
        parts = re.split(r"(?<=[.!?])(\s+)", reply.strip())
        kept = "".join(
            sentence + space
            for sentence, space in zip(parts[::2], [*parts[1::2], ""], strict=True)
            if not any(p.search(normalise(sentence)) for p in self.offers)
        ).strip()
        return kept or reply.strip()


def normalise(text: str) -> str:
    """Straight apostrophes and single spaces, so patterns need not know typography."""
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").split())


def _stems(text: str) -> set[str]:
    """The content words of a text, cut to five letters ("yelled" and "yelling" meet)."""
    words = re.findall(r"[a-z]{4,}", normalise(text).lower())
    return {w[:5] for w in words if w not in _STOP}


def _compiled(items: Any) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(str(p), re.IGNORECASE) for p in items or ())


@cache
def character_book(language: str = "en") -> CharacterBook:
    """The phrasebook for ``language`` (English is the one written so far)."""
    source = resources.files("os1.companion.character").joinpath(f"{language}.toml")
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    situations = {
        name: Situation(
            name=name,
            patterns=_compiled(spec.get("patterns")),
            note=" ".join(str(spec.get("note", "")).split()),
            forbidden=_compiled(spec.get("forbidden")),
            fallback=" ".join(str(spec.get("fallback", "")).split()),
            reply=str(spec.get("reply", "")),
            detail=bool(spec.get("detail", False)),
            must=_compiled(spec.get("must")),
        )
        for name, spec in data["situations"].items()
    }
    examples = {
        tone: {key: (str(pair[0]), str(pair[1])) for key, pair in pairs.items()}
        for tone, pairs in data["examples"].items()
    }
    return CharacterBook(
        situations,
        tuple(data["helpdesk"]["openers"]),
        examples,
        _compiled(data["helpdesk"].get("anywhere")),
    )
