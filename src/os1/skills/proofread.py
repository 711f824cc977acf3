"""Proofreading: spelling, doubled words, spacing, capitals and common slips, with fixes.

Deterministic on purpose: a small local model rewrites more than it corrects, and
a person about to send a letter or a mail wants to see each change and why.
Spelling uses an English word-frequency dictionary (pyspellchecker); names the
caller knows (a client's people, places on file) are never flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from spellchecker import SpellChecker


@dataclass(frozen=True)
class Finding:
    """One thing to look at: where it is, what is wrong, and the fix when there is a sure one."""

    kind: str
    start: int
    end: int
    found: str
    message: str
    fix: str | None = None


_WORD = re.compile(r"[A-Za-z][A-Za-z']*[A-Za-z]|[A-Za-z]")
_DOUBLED = re.compile(r"\b([A-Za-z]+)(\s+)\1\b", re.IGNORECASE)
_SPACE_BEFORE = re.compile(r"[ \t]+([,.;:!?])([A-Za-z])?")
_NO_SPACE_AFTER = re.compile(r"(?<=[a-z])([,;:!?])(?=[A-Za-z])|(?<=[a-z]{2})(\.)(?=[A-Z][a-z])")
_LOWER_START = re.compile(r"(?:^|[.!?]\s+)([a-z])", re.MULTILINE)
_LONE_I = re.compile(r"(?<![\w'])i(?=['\s,.;:!?])")
_REPEATED_MARK = re.compile(r"([!?])\1+|,{2,}")
_PHRASES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(rf"\b{pattern}\b", re.IGNORECASE), fix, why)
    for pattern, fix, why in [
        (r"could of", "could have", "'could of' is 'could have'"),
        (r"should of", "should have", "'should of' is 'should have'"),
        (r"would of", "would have", "'would of' is 'would have'"),
        (r"alot", "a lot", "'a lot' is two words"),
        (r"your welcome", "you're welcome", "'you're' (you are) is meant here"),
        (r"for all intensive purposes", "for all intents and purposes", "the idiom"),
        (r"irregardless", "regardless", "'regardless' is the standard word"),
        (r"untill", "until", "spelling"),
        (r"definately", "definitely", "spelling"),
    ]
)


@cache
def _checker() -> SpellChecker:
    return SpellChecker(language="en", distance=2)


def _case_like(model: str, word: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


def _spelling(text: str, known: set[str]) -> list[Finding]:
    checker = _checker()
    found: list[Finding] = []
    for match in _WORD.finditer(text):
        word = match.group()
        bare = word.lower().strip("'")
        if len(bare) < 3 or bare in known or "'" in bare:
            continue
        sentence_start = re.search(r"(^|[.!?]\s+|\n\s*)$", text[: match.start()]) is not None
        if word[0].isupper() and not sentence_start:
            continue  # a name, most likely; names on file are known, others are the writer's
        if checker.known([bare]):
            continue
        best = checker.correction(bare)
        fix = _case_like(word, best) if best and best != bare else None
        message = f"'{word}' is not in the dictionary" + (f"; did you mean '{fix}'?" if fix else "")
        found.append(Finding("spelling", match.start(), match.end(), word, message, fix))
    return found


def _patterns(text: str) -> list[Finding]:
    found: list[Finding] = []
    for m in _DOUBLED.finditer(text):
        if m.group(1).lower() in {"had", "that", "is"}:  # "had had", "that that" can be right
            continue
        found.append(Finding("doubled", m.start(), m.end(), m.group(), "a word twice", m.group(1)))
    for m in _SPACE_BEFORE.finditer(text):
        fix = m.group(1) + (f" {m.group(2)}" if m.group(2) else "")
        found.append(
            Finding("spacing", m.start(), m.end(), m.group(), "a space before punctuation", fix)
        )
    for m in _NO_SPACE_AFTER.finditer(text):
        mark = m.group(1) or m.group(2)
        found.append(
            Finding("spacing", m.start(), m.end(), mark, "no space after punctuation", mark + " ")
        )
    for m in _LOWER_START.finditer(text):
        letter = m.group(1)
        found.append(
            Finding(
                "capital",
                m.start(1),
                m.end(1),
                letter,
                "a sentence starts with a small letter",
                letter.upper(),
            )
        )
    for m in _LONE_I.finditer(text):
        found.append(Finding("capital", m.start(), m.end(), "i", "'I' is written large", "I"))
    for m in _REPEATED_MARK.finditer(text):
        found.append(
            Finding(
                "punctuation",
                m.start(),
                m.end(),
                m.group(),
                "repeated punctuation",
                m.group()[0],
            )
        )
    for pattern, fix, why in _PHRASES:
        for m in pattern.finditer(text):
            found.append(
                Finding("usage", m.start(), m.end(), m.group(), why, _case_like(m.group(), fix))
            )
    return found


def _balance(text: str) -> list[Finding]:
    found: list[Finding] = []
    for opening, closing, name in (("(", ")", "bracket"), ("[", "]", "square bracket")):
        depth = 0
        for index, char in enumerate(text):
            depth += (char == opening) - (char == closing)
            if depth < 0:
                found.append(
                    Finding("balance", index, index + 1, char, f"a {name} closed but never opened")
                )
                depth = 0
        if depth > 0:
            at = text.rfind(opening)
            found.append(Finding("balance", at, at + 1, opening, f"a {name} left open"))
    if text.count('"') % 2:
        at = text.rfind('"')
        found.append(Finding("balance", at, at + 1, '"', "a quotation mark without its pair"))
    return found


def proofread(text: str, known: Iterable[str] = ()) -> list[Finding]:
    """Every finding in ``text``, in reading order; ``known`` words are never called misspelt."""
    words = {w.lower() for name in known for w in _WORD.findall(name)}
    findings = _spelling(text, words) + _patterns(text) + _balance(text)
    unique = {(f.start, f.end, f.kind): f for f in findings}
    return sorted(unique.values(), key=lambda f: (f.start, f.end))


def apply_fixes(text: str, findings: Sequence[Finding]) -> str:
    """The text with every sure fix made; overlapping fixes keep the first."""
    out: list[str] = []
    at = 0
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.fix is None or finding.start < at:
            continue
        out.append(text[at : finding.start])
        out.append(finding.fix)
        at = finding.end
    out.append(text[at:])
    return "".join(out)
