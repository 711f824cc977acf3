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
from datetime import date, datetime
from typing import Any

import numpy as np

from os1.memory.dates import resolve_when
from os1.memory.embedder import Vectors
from os1.store.memories import KINDS, MemoryChanges, MemoryRecord, NewMemory

EXTRACTED_KINDS = [k for k in KINDS if k != "insight"]
DUPLICATE_SIMILARITY = 0.9
RELATED_SIMILARITY = 0.6

SYSTEM = (
    "You keep a notebook about the user. From one exchange, write down what is worth "
    "remembering in future conversations: the user's name and work, the people in their "
    "life (name and relation), where people live, likes and dislikes, plans and "
    "appointments, feelings and worries, and events. Skip greetings, questions and "
    "anything only the assistant said. Write each memory as one short sentence in the "
    "third person, naming the user as 'The user' (for example: 'The user's sister Ana "
    "lives in Porto.'). 'about' is the person or thing it concerns (e.g. 'Ana', 'the "
    "user'); 'aspect' is what about them (e.g. 'home city', 'job'). Copy date words as "
    "said into 'when', else leave it empty. importance: 5 = core to who they are, "
    "1 = trivia. If nothing is worth remembering, return an empty list."
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

_NAME = re.compile(
    r"\b(?:my name is|call me|i am called|i'm called)\s+([A-Z][\w'-]+)", re.IGNORECASE
)
_NOT_NAMES = {"not", "so", "just", "very", "really", "a", "an", "the", "feeling", "going"}


class ExtractionError(ValueError):
    """The model's output could not be used; the turn stays queued and is retried."""


def exchange_prompt(user_text: str, reply: str, said_at: datetime) -> str:
    """The exchange as the extraction model sees it, with the day it was said."""
    return (
        f"Said on {said_at.strftime('%A %Y-%m-%d')}.\n"
        f"User: {user_text.strip()[:4000]}\n"
        f"Assistant: {reply.strip()[:1000]}"
    )


def normalise_key(text: str) -> str:
    """Compare 'My sister Ana' and 'ana' as the same subject."""
    text = re.sub(r"\(.*?\)", " ", text.lower())
    text = re.sub(r"\b(my|the|a|an|user's|users|user)\b", " ", text)
    return " ".join(re.findall(r"[^\W_]+", text))


def parse_items(data: Any, said_on: date, turn_id: int | None) -> list[NewMemory]:
    """Check and clean the model's records; anything malformed is dropped, never stored."""
    if not isinstance(data, dict) or not isinstance(data.get("memories"), list):
        raise ExtractionError("the model did not return a list of memories")
    found: list[NewMemory] = []
    for item in data["memories"]:
        if not isinstance(item, dict):
            continue
        content = " ".join(str(item.get("content", "")).split())
        if not 8 <= len(content) <= 300 or content.endswith("?"):
            continue
        kind = str(item.get("kind", "fact"))
        kind = kind if kind in EXTRACTED_KINDS else "fact"
        about = " ".join(str(item.get("about", "")).split())[:100] or "the user"
        aspect = " ".join(str(item.get("aspect", "")).split())[:100]
        try:
            importance = min(5, max(1, int(item.get("importance", 3))))
        except (TypeError, ValueError):
            importance = 3
        when = str(item.get("when", "") or "")
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
    if not match or match[1].lower() in _NOT_NAMES:
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
            same_aspect = bool(aspect) and normalise_key(record.aspect) == aspect
            related = float(known.vectors[position] @ vector) >= RELATED_SIMILARITY
            if same_aspect or related:
                changes.supersede.append((record.id, index))
                superseded.add(record.id)
    return changes
