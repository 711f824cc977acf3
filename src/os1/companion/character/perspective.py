"""Whose life is it: turning a reply that speaks as the person back to them.

Given "the user works as a nurse" in its notes, the small model answers "What
do I do for work?" with "I work as a nurse", and "Who's my best friend?" with
"Amy is Theo's best friend". A reply sentence that restates one of the
person's own facts in the first person, or speaks of the person by name, is
said back to them instead: "You work as a nurse", "Amy is your best friend".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from os1.memory.extraction import first_person

MATCH_WORDS = 4
"""How many opening words of a fact a sentence must repeat to be that fact ("my name is"
is not enough: "My name is Wren" is os1's own)."""
_SWAPS = (
    (re.compile(r"\bI'm\b"), "you're"),
    (re.compile(r"\bI am\b"), "you are"),
    (re.compile(r"\bI was\b"), "you were"),
    (re.compile(r"\bI've\b"), "you've"),
    (re.compile(r"\bI'd\b"), "you'd"),
    (re.compile(r"\bI'll\b"), "you'll"),
    (re.compile(r"\bI\b"), "you"),
    (re.compile(r"\bmy\b", re.I), "your"),
    (re.compile(r"\bmine\b", re.I), "yours"),
    (re.compile(r"\bmyself\b", re.I), "yourself"),
    (re.compile(r"\bme\b", re.I), "you"),
)
_CONTRACTIONS = (("i'm", "i am"), ("i've", "i have"), ("i'd", "i would"), ("i'll", "i will"))


def key(text: str) -> str:
    """Lower-case words with contractions opened, for comparing a sentence with a fact."""
    text = text.lower().replace("\u2019", "'")
    for short, long in _CONTRACTIONS:
        text = re.sub(rf"\b{short}\b", long, text)
    return " ".join(re.findall(r"[\w']+", text)).replace("'", "")


def fact_keys(facts: Sequence[str]) -> tuple[str, ...]:
    """The person's facts as they would say them, keyed for comparison."""
    keys = (key(first_person(f)) for f in facts)
    return tuple(k for k in keys if len(k.split()) >= MATCH_WORDS and k.startswith(("i ", "my ")))


def may_become(sentence: str, facts: Sequence[str]) -> bool:
    """Whether a sentence so far could still turn out to restate a fact (hold it)."""
    so_far = key(sentence)
    return bool(so_far) and any(
        fact.startswith(so_far) or so_far.startswith(_opening(fact)) for fact in facts
    )


def restates(sentence: str, facts: Sequence[str]) -> bool:
    """Whether a whole sentence opens with one of the person's facts in the first person."""
    said = key(sentence)
    return any(said.startswith(_opening(fact)) for fact in facts)


def _opening(fact: str) -> str:
    return " ".join(fact.split()[:MATCH_WORDS])


def said_to_them(sentence: str) -> str:
    """The sentence with the person as 'you': 'I work as a nurse' -> 'You work as a nurse'."""
    for pattern, replacement in _SWAPS:
        sentence = pattern.sub(replacement, sentence)
    stripped = sentence.lstrip()
    lead = sentence[: len(sentence) - len(stripped)]
    return lead + stripped[:1].upper() + stripped[1:]


_TOWARDS = "for|to|with|about|from|at|by|than"
ENDS_TOWARDS = re.compile(rf"\b({_TOWARDS})\s*$", re.IGNORECASE)
"""A piece of a reply that may go on with the person's name ("a hard day for" … "Theo")."""


def named_to_them(text: str, person: str, *, start: bool = True) -> str:
    """'Amy is Theo's best friend' -> 'Amy is your best friend' (the reply speaks to Theo).

    "A hard day for Theo" -> "a hard day for you" too; "Hi Theo" stays.

    With ``start`` the text begins a sentence, so "Theo is…" becomes "You are…".
    """
    if not person:
        return text
    name = re.escape(person)
    text = re.sub(rf"\b{name}'s\b", "your", text)
    text = re.sub(rf"\b({_TOWARDS}) {name}\b(?!')", r"\1 you", text)
    if not start:
        return text
    text = re.sub(rf"^(\s*){name} is\b", r"\1You are", text)
    text = re.sub(rf"^(\s*){name} has\b", r"\1You have", text)
    return re.sub(rf"^(\s*){name} was\b", r"\1You were", text)
