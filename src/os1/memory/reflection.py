"""Reflection: consolidating many small memories into a few higher-level insights.

The model proposes insights with the ids of the memories they rest on; code
checks those ids, and prunes exact-meaning duplicates by vector similarity,
keeping the older record and its provenance.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from os1.memory.extraction import DUPLICATE_SIMILARITY, Known
from os1.store.memories import MemoryChanges, MemoryRecord, NewMemory

REFLECT_SYSTEM = (
    "You are reflecting on what you know about the user. Below are numbered memories. "
    "Write up to three insights: patterns or higher-level observations that several "
    "memories support together (for example: 'The user writes letters late at night "
    "when they cannot sleep.'). Each insight names the ids of the memories it is based "
    "on (at least two). Do not repeat a single memory as an insight."
)

REFLECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "insights": {
            "type": "array",
            "maxItems": 3,
            "items": {
                "type": "object",
                "properties": {
                    "content": {"type": "string", "maxLength": 240},
                    "based_on": {
                        "type": "array",
                        "items": {"type": "integer"},
                        "minItems": 2,
                        "maxItems": 8,
                    },
                },
                "required": ["content", "based_on"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["insights"],
    "additionalProperties": False,
}


def plan_reflection(
    data: Any, facts: list[MemoryRecord], known: Known
) -> tuple[MemoryChanges, list[NewMemory]]:
    """Turn the model's proposal into checked insights, and find duplicates to prune."""
    changes = MemoryChanges()
    ids = {r.id for r in facts}
    candidates: list[NewMemory] = []
    items = data.get("insights", []) if isinstance(data, dict) else []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        content = " ".join(str(item.get("content", "")).split())
        based_on = tuple(
            sorted({int(i) for i in item.get("based_on", []) if isinstance(i, int) and i in ids})
        )
        if len(content) < 12 or len(based_on) < 2:
            continue
        candidates.append(
            NewMemory(
                kind="insight",
                about="the user",
                aspect="pattern",
                content=content if content.endswith(".") else content + ".",
                importance=3,
                confidence=0.6,
                source="reflection",
                derived_from=based_on,
            )
        )
    records = list(known.records)
    removed: set[int] = set()
    if len(records) > 1:
        similarity = known.vectors @ known.vectors.T
        np.fill_diagonal(similarity, 0)
        for i, j in zip(*np.nonzero(np.triu(similarity >= DUPLICATE_SIMILARITY)), strict=True):
            older, newer = sorted((records[int(i)], records[int(j)]), key=lambda r: r.id)
            if older.id not in removed and newer.kind == older.kind:
                removed.add(newer.id)
    changes.remove = sorted(removed)
    return changes, candidates
