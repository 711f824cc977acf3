"""Extraction: turning one exchange into typed memory records.

The model proposes records as schema-constrained JSON; everything after that
is deterministic: kinds are checked, dates resolved, junk rejected, and each
record is compared with what is already known, to be added, merged with a
duplicate, or made to supersede the fact it changes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from os1.memory.dates import resolve_when
from os1.memory.embedder import Vectors
from os1.store.memories import KINDS, MemoryChanges, MemoryRecord, NewMemory

EXTRACTED_KINDS = [k for k in KINDS if k not in ("insight", "episode")]
EPISODE_CHARS = 400
DUPLICATE_SIMILARITY = 0.9
SAME_ASPECT_SIMILARITY = 0.45
RESTATED_SIMILARITY = 0.8

SYSTEM = (
    "You keep a notebook about the user. From what the user says, write down each thing "
    "worth remembering in future conversations: their name and work, the people in their "
    "life (name and relation), where people live, likes and dislikes, plans and "
    "appointments, feelings and worries, events. One memory per fact. Write each as a "
    "short sentence about 'the user' in the third person. 'about' is who or what it "
    "concerns; 'aspect' is what about them. 'when' holds date words exactly as the user "
    "said them, or is empty. Questions and small talk give no memories: return an empty "
    "list. Never invent anything the user did not say.\n"
    "Example. User: I'm Sam, I work as a nurse. My brother Tom lives in Leeds and my exam "
    "is next Friday.\n"
    'Output: {"memories": ['
    '{"kind": "identity", "about": "the user", "aspect": "name", '
    '"content": "The user\'s name is Sam.", "when": "", "importance": 5}, '
    '{"kind": "identity", "about": "the user", "aspect": "job", '
    '"content": "The user works as a nurse.", "when": "", "importance": 4}, '
    '{"kind": "person", "about": "Tom", "aspect": "home city", '
    '"content": "The user\'s brother Tom lives in Leeds.", "when": "", "importance": 4}, '
    '{"kind": "plan", "about": "exam", "aspect": "date", '
    '"content": "The user has an exam next Friday.", "when": "next Friday", "importance": 4}'
    "]}"
)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "memories": {
            "type": "array",
            "maxItems": 6,
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": EXTRACTED_KINDS},
                    "about": {"type": "string", "maxLength": 60},
                    "aspect": {"type": "string", "maxLength": 60},
                    "content": {"type": "string", "maxLength": 240},
                    "when": {"type": "string", "maxLength": 40},
                    "importance": {"type": "integer", "minimum": 1, "maximum": 5},
                },
                "required": ["kind", "about", "aspect", "content", "when", "importance"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["memories"],
    "additionalProperties": False,
}

_NAME = re.compile(r"\b(?:[Mm]y name is|[Cc]all me|I am|I'm|[Tt]his is)\s+([A-Z][a-z][\w'-]*)\b")
_NOT_NAMES = {"not", "so", "just", "very", "really", "a", "an", "the", "feeling", "going"}
_NOT_NAME_WORDS = {"English", "American", "British", "French", "German", "Spanish", "Sorry",
                   "Happy", "Sad", "Tired", "Fine", "Good", "Okay", "Back", "Here", "Done",
                   "Glad", "Sure", "Still", "Also", "Really", "Afraid", "Excited"}  # fmt: skip


class ExtractionError(ValueError):
    """The model's output could not be used; the turn stays queued and is retried."""


def exchange_prompt(user_text: str, known: Sequence[str] = ()) -> str:
    """What the extraction model reads: only the person's own words.

    The reply is left out on purpose: memories are about the person, and a
    small model otherwise copies the assistant's guesses as facts. Dates are
    resolved afterwards by code, so the day is not shown either.
    """
    context = "".join(f"Already known: {line}\n" for line in known)
    return f"{context}User: {user_text.strip()[:4000]}"


def worth_reading(user_text: str) -> bool:
    """Skip the model for messages that are only questions or a few words of small talk."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", user_text.strip()) if s]
    if not sentences or all(s.endswith("?") for s in sentences):
        return False
    return len(re.findall(r"\w+", user_text)) >= 3


_FIRST_PERSON = (
    (re.compile(r"\bI'm\b"), "the user is"),
    (re.compile(r"\bI am\b"), "the user is"),
    (re.compile(r"\bI've\b"), "the user has"),
    (re.compile(r"\bI\b"), "the user"),
    (re.compile(r"\b[Mm]y\b"), "the user's"),
    (re.compile(r"\b[Mm]e\b"), "the user"),
)


def third_person(content: str) -> str:
    """Rewrite a copied first-person sentence so it reads as a note about the person."""
    for pattern, replacement in _FIRST_PERSON:
        content = pattern.sub(replacement, content)
    return content[0].upper() + content[1:] if content else content


_IRREGULAR = {
    "is": ("am", "are"),
    "was": ("was", "were"),
    "has": ("have", "have"),
    "does": ("do", "do"),
    "doesn't": ("don't", "don't"),
    "isn't": ("am not", "aren't"),
    "wasn't": ("wasn't", "weren't"),
    "hasn't": ("haven't", "haven't"),
}
_ADVERBS = (
    r"(?:(?:often|usually|always|never|really|also|still|sometimes|now|recently|just|"
    r"already|rarely|mostly|currently) )?"
)
_SUBJECT = re.compile(rf"\b[Tt]he user(?:'s\b| {_ADVERBS}([a-z']+)\b)")
_OBJECT = re.compile(r"\b[Tt]he user\b")


def _base_form(verb: str) -> str:
    """'likes' -> 'like', 'watches' -> 'watch', 'studies' -> 'study' (a verb after 'the user')."""
    if verb.endswith("ies") and len(verb) > 4:
        return verb[:-3] + "y"
    if re.search(r"(ch|sh|ss|x|zz|o)es$", verb):
        return verb[:-2]
    if verb.endswith("s") and not verb.endswith("ss"):
        return verb[:-1]
    return verb


def _personal(content: str, person: int) -> str:
    """A note about 'the user' as the person says it (1) or as it is said to them (2)."""
    mine, me, i, self_ = (
        ("my", "me", "I", "myself") if person == 1 else ("your", "you", "you", "yourself")
    )

    def subject(match: re.Match[str]) -> str:
        text = match.group(0)
        if text.lower().endswith("'s"):
            return mine
        verb = match.group(1)
        adverb = text[len("the user ") : len(text) - len(verb)]
        form = _IRREGULAR[verb][person - 1] if verb in _IRREGULAR else _base_form(verb)
        return f"{i} {adverb}{form}"

    if _OBJECT.search(content):
        content = re.sub(r"\btheir\b", mine, content)
        content = re.sub(r"\bthemselves\b", self_, content)
    content = _SUBJECT.sub(subject, content)
    return _OBJECT.sub(me, content)


def first_person(content: str) -> str:
    """A note as the person would say it ('I work as a nurse'), to spot it in a reply."""
    return _personal(content, 1)


def second_person(content: str) -> str:
    """A note about 'the user' said to the person: 'your sister Ana lives in Porto'."""
    return _personal(content, 2)


def normalise_key(text: str) -> str:
    """Compare 'My sister Ana' and 'ana' as the same subject."""
    text = re.sub(r"\(.*?\)", " ", text.lower())
    text = re.sub(r"\b(my|the|a|an|user's|users|user)\b", " ", text)
    return " ".join(re.findall(r"[^\W_]+", text))


_CONTENT_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_TEMPLATE_WORDS = frozenset(
    [
        "the",
        "user",
        "user's",
        "users",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "does",
        "do",
        "did",
        "a",
        "an",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "from",
        "as",
        "that",
        "this",
        "it",
        "its",
        "their",
        "they",
        "them",
        "he",
        "she",
        "his",
        "her",
        "him",
        "who",
        "which",
        "will",
        "would",
        "can",
        "could",
        "also",
        "now",
        "still",
        "currently",
        "called",
        "named",
        "works",
        "work",
        "working",
        "lives",
        "live",
        "living",
        "likes",
        "like",
        "loves",
        "love",
        "wants",
        "want",
        "plans",
        "plan",
        "has",
        "got",
        "gets",
        "get",
        "feels",
        "feel",
        "feeling",
        "very",
        "really",
        "just",
        "so",
        "because",
        "since",
    ]
)
_RELATIONS = frozenset(
    [
        "sister",
        "brother",
        "mother",
        "mum",
        "mom",
        "father",
        "dad",
        "parents",
        "friend",
        "best",
        "wife",
        "husband",
        "partner",
        "son",
        "daughter",
        "neighbour",
        "neighbor",
        "colleague",
        "boss",
        "aunt",
        "uncle",
        "cousin",
        "grandma",
        "grandmother",
        "grandfather",
        "grandpa",
        "niece",
        "nephew",
        "girlfriend",
        "boyfriend",
        "fiance",
        "fiancee",
    ]
)
"""Who someone is to the person: a record may carry it over from what is already known."""
_WORK_CLAIM = re.compile(r"\bworks?\s+(?:as|at|for|in)\b|\bjob\b|\bprofession\b", re.I)
_WORK_WORDS = re.compile(
    r"\b(work|works|working|worked|job|jobs|career|employ\w*|profession\w*|office|boss|"
    r"colleague\w*|shift|shifts|hired|retired|studying|student)\b",
    re.I,
)


def _stem(word: str) -> str:
    return word.lower().removesuffix("'s")[:4]


def grounded(content: str, user_text: str, known: Sequence[str] = ()) -> bool:
    """Whether a record says only what the person said, not what the model imagined.

    Every name must come from the person's message or from the known facts the
    model was shown ("Porto instead of Lisbon"), and at least three in four of
    all content words from either (compared by their first four letters, so
    "practises" grounds "practices"), other words only from the message; a claim
    about their work needs them to have spoken of work. A small model otherwise
    copies known facts onto other people or invents a job.
    """
    said = {_stem(w) for w in _CONTENT_WORD.findall(user_text)}
    named = said | {
        _stem(w) for line in known for w in _CONTENT_WORD.findall(line) if w[0].isupper()
    }
    words = [
        w
        for w in _CONTENT_WORD.findall(content)
        if w.lower() not in _TEMPLATE_WORDS and w.lower() not in _RELATIONS
    ]
    if not words:
        return False
    names = {w for w in words[1:] if w[0].isupper()}
    if any(_stem(n) not in named for n in names):
        return False
    if sum(_stem(w) in (named if w in names else said) for w in words) < 0.75 * len(words):
        return False
    return not (_WORK_CLAIM.search(content) and not _WORK_WORDS.search(user_text))


def episode(user_text: str, turn_id: int | None) -> NewMemory | None:
    """The person's own words, kept as said, for recall of details no record caught."""
    text = " ".join(user_text.split())
    if not worth_reading(text):
        return None
    if len(text) > EPISODE_CHARS:
        text = text[:EPISODE_CHARS].rsplit(" ", 1)[0] + " …"
    return NewMemory(
        kind="episode",
        about="the user",
        aspect="said",
        content=text,
        importance=2,
        confidence=1.0,
        source="conversation",
        source_turn_id=turn_id,
    )


def parse_items(
    data: Any,
    said_on: date,
    turn_id: int | None,
    user_text: str = "",
    known: Sequence[str] = (),
) -> list[NewMemory]:
    """Check and clean the model's records; anything malformed is dropped, never stored.

    Date words count only if the person actually said them, so a date the
    model made up never becomes a fact.
    """
    if not isinstance(data, dict) or not isinstance(data.get("memories"), list):
        raise ExtractionError("the model did not return a list of memories")
    found: list[NewMemory] = []
    for item in data["memories"]:
        if not isinstance(item, dict):
            continue
        content = third_person(" ".join(str(item.get("content", "")).split()))
        if not 8 <= len(content) <= 300 or content.endswith("?"):
            continue
        kind = str(item.get("kind", "fact"))
        kind = kind if kind in EXTRACTED_KINDS else "fact"
        about = " ".join(str(item.get("about", "")).split())[:100] or "the user"
        aspect = " ".join(str(item.get("aspect", "")).split())[:100]
        if normalise_key(about) and kind == "identity":
            kind = "person"  # identity is about the person themself
        if not normalise_key(about) and "name" in aspect.lower():
            continue  # the person's name comes only from what they said (rule_based)
        try:
            importance = min(5, max(1, int(item.get("importance", 3))))
        except (TypeError, ValueError):
            importance = 3
        if user_text and not grounded(content, user_text, known):
            continue
        when = str(item.get("when", "") or "").strip()
        if when and user_text and when.lower() not in user_text.lower():
            when = ""
        found.append(
            NewMemory(
                kind=kind,
                about=about,
                aspect=aspect,
                content=content if content.endswith((".", "!")) else content + ".",
                importance=importance,
                confidence=0.8,
                happens_on=resolve_when(when, said_on) if when.strip() else None,
                source="conversation",
                source_turn_id=turn_id,
            )
        )
    return found


def rule_based(user_text: str, turn_id: int | None) -> list[NewMemory]:
    """Facts too important to leave to a small model: the person's own name."""
    match = _NAME.search(user_text)
    if not match or match[1].lower() in _NOT_NAMES or match[1] in _NOT_NAME_WORDS:
        return []
    name = match[1][0].upper() + match[1][1:]
    return [
        NewMemory(
            kind="identity",
            about="the user",
            aspect="name",
            content=f"The user's name is {name}.",
            importance=5,
            confidence=0.95,
            source="conversation",
            source_turn_id=turn_id,
        )
    ]


@dataclass(frozen=True)
class Known:
    """What is already remembered, with vectors, to compare new records against."""

    records: Sequence[MemoryRecord]
    vectors: Vectors


def reconcile(candidates: Sequence[NewMemory], vectors: Vectors, known: Known) -> MemoryChanges:
    """Decide, per candidate, whether it is new, a repeat, or a change to a known fact."""
    changes = MemoryChanges()
    added_vectors: list[Vectors] = []
    superseded: set[int] = set()
    for candidate, vector in zip(candidates, vectors, strict=True):
        if (
            added_vectors
            and float(np.max(np.stack(added_vectors) @ vector)) >= DUPLICATE_SIMILARITY
        ):
            continue  # said twice in the same exchange
        best_index, best = -1, -1.0
        if len(known.records):
            similarities = known.vectors @ vector
            best_index = int(np.argmax(similarities))
            best = float(similarities[best_index])
        if best >= DUPLICATE_SIMILARITY:
            changes.reinforce.append(known.records[best_index].id)
            continue
        index = len(changes.add)
        changes.add.append((candidate, vector.astype(np.float32).tobytes()))
        added_vectors.append(vector)
        if candidate.kind in ("event", "feeling"):
            continue  # these accumulate; they do not replace each other
        key, aspect = normalise_key(candidate.about), normalise_key(candidate.aspect)
        for position, record in enumerate(known.records):
            if record.id in superseded or record.kind != candidate.kind:
                continue
            if normalise_key(record.about) != key:
                continue
            # A small model labels aspects loosely ("job" for a hobby), so the label alone
            # never replaces a fact: it must also say something close to the old one.
            similarity = float(known.vectors[position] @ vector)
            same_aspect = bool(aspect) and normalise_key(record.aspect) == aspect
            if (same_aspect and similarity >= SAME_ASPECT_SIMILARITY) or (
                similarity >= RESTATED_SIMILARITY
            ):
                changes.supersede.append((record.id, index))
                superseded.add(record.id)
    return changes
