"""Reading a person's answer to a proposal (yes, no, not decided, something new), and requests.

The phrasing is data (one TOML file per language beside this module), so a
new language or a missed phrase is a data change with its test corpus, not a
regex inside the mind; the requests os1 carries out itself (forget, remind, a
letter…) are patterns in the same file (:func:`intent`). The reading of
answers is deliberately lopsided: a yes is only a
whole message that is one of the listed yeses, with no question in it, so
"Okay wait, what exactly would you forget?" or "y'know, not sure" can never
carry out an action. A no is read more freely, since a false no loses nothing.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from enum import Enum
from importlib.resources import files
from typing import Any

from os1.errors import ConfigError

LANGUAGES = ("en",)
SHORT_WORDS = 3
"""A message this short that is neither a yes nor a no is read as an unsure answer."""

_KEEP = re.compile(r"[^\w\s']+")
_SPACES = re.compile(r"\s+")


class Reply(Enum):
    """What a message says about the proposal waiting for it."""

    YES = "yes"
    NO = "no"
    UNSURE = "unsure"
    """An answer that did not decide: a question, a hesitation, a "yes, but"."""
    OTHER_LANGUAGE = "other_language"
    """A yes or no in a language whose phrasing os1 does not know: never acted on."""
    NEW = "new"
    """Not an answer: the person moved on, and the proposal lapses."""


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, no punctuation, single spaces."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return _SPACES.sub(" ", _KEEP.sub(" ", text)).strip(" '")


@dataclass(frozen=True)
class Phrases:
    """One language's phrasing for answers (see ``en.toml``)."""

    yes: frozenset[str]
    no: frozenset[str]
    no_leads: tuple[str, ...]
    unsure: re.Pattern[str]
    yes_like: re.Pattern[str]
    other_languages: re.Pattern[str]
    moving_on: re.Pattern[str]

    def read(self, text: str) -> Reply:
        """Classify ``text`` as an answer to a proposal."""
        said = normalise(text)
        question = "?" in text or "\uff1f" in text
        if not said:
            return Reply.UNSURE
        if said in self.yes and not question:
            return Reply.YES
        if said in self.no:
            return Reply.NO
        undecided = bool(self.unsure.search(said) or self.yes_like.search(said))
        declines = any(said.startswith(f"{lead} ") for lead in self.no_leads)
        if declines and not question and not undecided:
            return Reply.NO
        if self.other_languages.search(said):
            return Reply.OTHER_LANGUAGE
        if self.moving_on.search(said) and not self.yes_like.search(said):
            return Reply.NEW
        if question or undecided or len(said.split()) <= SHORT_WORDS:
            return Reply.UNSURE
        return Reply.NEW


def _words(items: list[str]) -> re.Pattern[str]:
    alternatives = sorted({normalise(i) for i in items if normalise(i)}, key=len, reverse=True)
    return re.compile(r"(?<![\w'])(?:" + "|".join(map(re.escape, alternatives)) + r")(?![\w'])")


@functools.cache
def phrases(language: str = "en") -> Phrases:
    """The phrasing of ``language``, read once from its data file."""
    answers = _data(language)["answers"]
    return Phrases(
        yes=frozenset(normalise(p) for p in answers["yes"]),
        no=frozenset(normalise(p) for p in answers["no"]),
        no_leads=tuple(normalise(p) for p in answers["no_leads"]),
        unsure=_words(answers["unsure"]),
        yes_like=_words(answers["yes_like"]),
        other_languages=_words(answers["other_languages"]),
        moving_on=_words(answers["moving_on"]),
    )


@functools.cache
def _data(language: str) -> dict[str, Any]:
    if language not in LANGUAGES:
        raise ConfigError(
            f"os1 does not know how to read answers in {language!r}.",
            f"Use one of: {', '.join(LANGUAGES)}.",
        )
    return tomllib.loads(files(__package__).joinpath(f"{language}.toml").read_text("utf-8"))


@functools.cache
def intent(name: str, language: str = "en") -> re.Pattern[str]:
    """The pattern of one kind of request (``forget``, ``letter``, ``remind``…) in ``language``."""
    found = _data(language)["intents"][name]
    flags = (0 if found.get("case") else re.IGNORECASE) | (re.DOTALL if found.get("lines") else 0)
    return re.compile(found["pattern"], flags)


def read_reply(text: str, language: str = "en") -> Reply:
    """How ``text`` answers the proposal waiting for it, in ``language``."""
    return phrases(language).read(text)
