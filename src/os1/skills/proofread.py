"""Proofreading: spelling, grammar, style, spacing, capitals and common slips, with reasons.

Deterministic on purpose: a small local model rewrites more than it corrects, and
a person about to send a letter or a mail wants to see each change and why.
Spelling uses an English word-frequency dictionary (pyspellchecker); names the
caller knows (a client's people, places on file) are never flagged. Grammar and
style are narrow rules that are nearly always right ("a apple", "he don't",
"better then", "in order to"); sentences are never rewritten, so the text
keeps its author's voice, and what has no sure fix (a very long sentence) is
pointed out and left alone.
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


_GRAMMAR: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), fix, why)
    for pattern, fix, why in [
        (r"\b(he|she|it)\s+don't\b", r"\1 doesn't", "'doesn't' goes with he, she and it"),
        (r"\b(we|they|you)\s+was\b", r"\1 were", "'were' goes with we, they and you"),
        (
            r"\b(he|she|it)\s+have\b",
            r"\1 has",
            "'has' goes with he, she and it",
        ),
        (
            r"\b(more|less|better|worse|rather|bigger|smaller|faster|slower|higher|lower|older|"
            r"younger|larger|greater|fewer|further|sooner|later)\s+then\b",
            r"\1 than",
            "'than' compares; 'then' is about time",
        ),
        (
            r"\bits\s+(a|an|the|not|been|going|very|so|too|just|really|time|only|all)\b",
            r"it's \1",
            "'it's' is 'it is' or 'it has'; 'its' belongs to something",
        ),
        (r"\byour\s+(going|doing|being|not)\b", r"you're \1", "'you're' is 'you are'"),
        (r"\btheir\s+(is|are|was|were)\b", r"there \1", "'there is'; 'their' belongs to them"),
        (
            r"\bthere\s+(own|car|house|home|children|kids|parents|friends)\b",
            r"their \1",
            "'their' belongs to them",
        ),
        (r"\b(I|we|they|you)\s+(has)\b", r"\1 have", "'have' goes with I, we, they and you"),
    ]
)
_MODAL_BEFORE = re.compile(
    r"\b(?:would|could|should|will|might|must|can|did|does|do|may|to|let|make|made|help|had|"
    r"shall|wo)(?:n't)?\s+$",
    re.IGNORECASE,
)
_SHORTER = "shorter, same meaning"
_STYLE = {
    "in order to": ("to", _SHORTER),
    "due to the fact that": ("because", _SHORTER),
    "at this point in time": ("now", _SHORTER),
    "in the event that": ("if", _SHORTER),
    "very unique": ("unique", "unique cannot be more or less so"),
    "each and every": ("every", _SHORTER),
}
_AN_SOUND = re.compile(r"^(?:[aeio]|u(?!ni|s[eu]|r[aeiou]|til|k)|hour|honest|honou?r|heir)",
                       re.IGNORECASE)  # fmt: skip
_A_THEN_WORD = re.compile(r"\b(a|an)\s+([A-Za-z][\w-]*)")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
LONG_SENTENCE = 40
"""Words in a sentence past which it is pointed out (never rewritten)."""


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


def _grammar(text: str) -> list[Finding]:
    found: list[Finding] = []
    for pattern, fix, why in _GRAMMAR:
        for m in pattern.finditer(text):
            if fix.endswith(" has") and _MODAL_BEFORE.search(text[: m.start()]):
                continue  # "should he have", "did it have": a question, not a slip
            replaced = _case_like(m.group(), m.expand(fix))
            found.append(Finding("grammar", m.start(), m.end(), m.group(), why, replaced))
    for m in _A_THEN_WORD.finditer(text):
        article, word = m.group(1), m.group(2)
        wants_an = _AN_SOUND.match(word) is not None
        if word.isupper() and len(word) > 1:
            continue  # an acronym: "a URL", "an FAQ" depend on how it is said
        if article.lower() == "a" and wants_an:
            fix, why = "an", f"'an' before a vowel sound ('{word}')"
        elif article.lower() == "an" and not wants_an:
            fix, why = "a", f"'a' before a consonant sound ('{word}')"
        else:
            continue
        found.append(
            Finding("grammar", m.start(1), m.end(1), article, why, _case_like(article, fix))
        )
    return found


def _style(text: str) -> list[Finding]:
    found: list[Finding] = []
    for phrase, (fix, why) in _STYLE.items():
        for m in re.finditer(rf"\b{phrase}\b", text, re.IGNORECASE):
            found.append(
                Finding("style", m.start(), m.end(), m.group(), why, _case_like(m.group(), fix))
            )
    for m in _SENTENCE.finditer(text):
        words = len(m.group().split())
        if words > LONG_SENTENCE:
            start = m.start() + len(m.group()) - len(m.group().lstrip())
            found.append(
                Finding(
                    "style", start, m.end(), m.group().strip()[:40] + "…",
                    f"a long sentence ({words} words): it may read better split in two",
                )
            )  # fmt: skip
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
    findings = (
        _spelling(text, words) + _patterns(text) + _grammar(text) + _style(text) + _balance(text)
    )
    unique = {(f.start, f.end, f.kind): f for f in findings}
    return sorted(unique.values(), key=lambda f: (f.start, f.end))


def apply_fixes(text: str, findings: Sequence[Finding]) -> str:
    """The text with every sure fix made; overlapping fixes keep the first.

    A capital letter due at the start of a sentence is kept when another fix
    there replaces the word ("your going" → "You're going").
    """
    out: list[str] = []
    at = last_start = 0
    ordered = sorted(findings, key=lambda f: (f.start, f.kind == "capital"))
    for finding in ordered:
        if finding.fix is None:
            continue
        if finding.start < at:
            if finding.kind == "capital" and out and finding.start == last_start:
                out[-1] = out[-1][:1].upper() + out[-1][1:]
            continue
        out.append(text[at : finding.start])
        out.append(finding.fix)
        at, last_start = finding.end, finding.start
    out.append(text[at:])
    return "".join(out)
