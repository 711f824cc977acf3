"""Finding what is worth remembering right now: hybrid search within a token budget.

Candidates come from two places: cosine similarity over the person's memory
vectors (NumPy, in process, so it works the same on SQLite and Postgres) and
full-text search in the database. Each is scored by meaning, matching words,
recency and importance; the best that fit the budget go into the prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from os1.memory.embedder import Vectors
from os1.store.memories import MemoryRecord

W_MEANING, W_WORDS, W_RECENT, W_IMPORTANT = 0.6, 0.2, 0.1, 0.1
MIN_SIMILARITY = 0.3
RECENCY_DAYS = 30.0


EXACT_LIMIT = 20_000
"""Up to this many memories every vector is scored; above it a sign-bit pass picks candidates."""
RESCORE = 10
"""Candidates per wanted result that the sign-bit pass hands to exact scoring."""


def sign_bits(matrix: Vectors) -> NDArray[np.uint64]:
    """Each vector's signs packed into 64-bit words, for Hamming distance."""
    bits = np.packbits(matrix > 0, axis=1)
    pad = -bits.shape[1] % 8
    if pad:
        bits = np.pad(bits, ((0, 0), (0, pad)))
    return np.ascontiguousarray(bits).view(np.uint64)


@dataclass
class VectorIndex:
    """One person's active memory vectors as a matrix, for cosine search in process.

    Scoring every float vector reads the whole matrix per query (150 MB at 100k
    memories), so a large index first ranks 48-byte sign signatures by Hamming
    distance and scores exactly only the best ``RESCORE`` per wanted result.
    """

    ids: NDArray[np.int64]
    matrix: Vectors
    signs: NDArray[np.uint64] | None = None

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[int, bytes]], dim: int) -> VectorIndex:
        """Build from stored (id, float32 bytes) rows."""
        if not rows:
            return cls(np.zeros(0, dtype=np.int64), np.zeros((0, dim), dtype=np.float32))
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(
            len(rows), -1
        )
        return cls(ids, matrix, sign_bits(matrix) if len(rows) > EXACT_LIMIT else None)

    def top(self, query: Vectors, k: int) -> list[tuple[int, float]]:
        """The k most similar memory ids with their cosine similarity."""
        if not len(self.ids) or k <= 0:
            return []
        if self.signs is None:
            candidates = np.arange(len(self.ids))
            scores = self.matrix @ query
        else:
            distance = np.bitwise_count(self.signs ^ sign_bits(query[None, :])[0]).sum(
                axis=1, dtype=np.uint16
            )
            wanted = min(k * RESCORE, len(distance))
            candidates = np.argpartition(distance, wanted - 1)[:wanted]
            scores = self.matrix[candidates] @ query
        k = min(k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best])]
        return [(int(self.ids[candidates[i]]), float(scores[i])) for i in best]


@dataclass(frozen=True)
class Recalled:
    """A memory chosen for this turn, and why."""

    record: MemoryRecord
    score: float
    similarity: float


def rank(
    records: Sequence[MemoryRecord],
    similarity: dict[int, float],
    words: dict[int, float],
    now: datetime,
) -> list[Recalled]:
    """Order candidates by the blended score, dropping those that match neither way."""
    top_words = max(words.values(), default=0.0) or 1.0
    ranked = []
    for record in records:
        meaning = similarity.get(record.id, 0.0)
        matched = words.get(record.id, 0.0) / top_words
        if meaning < MIN_SIMILARITY and matched <= 0:
            continue
        age_days = max(0.0, (now - record.updated_at).total_seconds() / 86400)
        recent = float(np.exp(-age_days / RECENCY_DAYS))
        score = (
            W_MEANING * meaning
            + W_WORDS * matched
            + W_RECENT * recent
            + W_IMPORTANT * record.importance / 5
        )
        ranked.append(Recalled(record, score, meaning))
    return sorted(ranked, key=lambda r: r.score, reverse=True)
