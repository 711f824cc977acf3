"""Memory retrieval latency at 1k, 10k and 100k memories for one person.

Measures os1's per-turn memory search (``Memory.search``: embed the query,
cosine over the person's vectors held in process, full-text search in the
database, blend and rank) against a brute-force baseline measured in the same
run: scoring every stored vector read straight from the database for each
query, as a system without os1's in-process index would.

The memories are synthetic sentences with the real ONNX embedder's vectors
replaced by random unit vectors for the bulk (embedding 100k sentences would
dominate the run); queries are embedded with the real embedder, as in a turn.
Prints p50/p95 per size; the last line is ``p95_ms_100k=<n>`` (target <= 20).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import insert, text

from os1.clock import FixedClock
from os1.config import resolve_paths
from os1.memory import Memory, create_embedder
from os1.store import Journal, MemoryStore
from os1.store.memories import content_key
from os1.store.schema import memories, memory_vectors

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
PEOPLE = ["Ana", "Amy", "Tom", "Lily", "Marco", "Priya", "Jonas", "Keiko", "Sam", "Noor"]
THINGS = ["lives in", "works at", "loves", "hates", "visited", "is learning", "bought", "wrote to"]
PLACES = ["Porto", "Lisbon", "a bakery", "jazz", "cilantro", "Kyoto", "the cello", "a red bike"]
QUERIES = [
    "Where does my sister Ana live now?",
    "What food do I hate?",
    "When is my job interview?",
    "What instrument am I learning?",
    "Who did I write a letter to last week?",
    "What is my dog called?",
    "Which city did Keiko visit?",
    "What did Tom buy?",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def populate(store: MemoryStore, user: int, count: int, dim: int, seed: int) -> None:
    rng = random.Random(seed)
    vectors = np.random.default_rng(seed).standard_normal((count, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    with store.engine.begin() as conn:
        first = conn.execute(text("SELECT coalesce(max(id), 0) FROM memories")).scalar_one() + 1
        rows, vrows, fts = [], [], []
        for i in range(count):
            sentence = f"{rng.choice(PEOPLE)} {rng.choice(THINGS)} {rng.choice(PLACES)} #{i}."
            rows.append(
                {
                    "id": first + i,
                    "user_id": user,
                    "kind": "fact",
                    "about": "bench",
                    "aspect": "",
                    "content": sentence,
                    "content_key": content_key(sentence),
                    "importance": rng.randint(1, 5),
                    "confidence": 0.8,
                    "happens_on": None,
                    "source": "bench",
                    "source_turn_id": None,
                    "derived_from": [],
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
            vrows.append(
                {
                    "memory_id": first + i,
                    "user_id": user,
                    "embedder": "all-minilm-l6-v2-int8",
                    "vector": vectors[i].tobytes(),
                }
            )
            fts.append({"id": first + i, "a": "bench", "c": sentence})
        conn.execute(insert(memories), rows)
        conn.execute(insert(memory_vectors), vrows)
        conn.execute(
            text("INSERT INTO memories_fts(rowid, about, content) VALUES (:id, :a, :c)"), fts
        )


async def measure(memory: Memory, user: int, rounds: int) -> list[float]:
    await memory.search(user, "warm up")  # builds the in-process index once
    times = []
    for i in range(rounds):
        query = QUERIES[i % len(QUERIES)]
        start = time.perf_counter()
        await memory.search(user, query, limit=12)
        times.append((time.perf_counter() - start) * 1000)
    return times


async def brute_force(memory: Memory, store: MemoryStore, user: int, rounds: int) -> list[float]:
    times = []
    for i in range(rounds):
        query = QUERIES[i % len(QUERIES)]
        start = time.perf_counter()
        vector = (await memory.embedder.embed([query]))[0]
        rows = store.vectors(user, memory.embedder.name)
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(
            len(rows), -1
        )
        scores = matrix @ vector
        np.argsort(-scores)[:12]
        times.append((time.perf_counter() - start) * 1000)
    return times


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    home = tempfile.mkdtemp(prefix="os1-bench-")
    os.environ["OS1_HOME"] = home
    journal = Journal.open("", Path(home) / "bench.db")
    store = MemoryStore(journal.engine)
    embedder = create_embedder("all-minilm-l6-v2-int8", resolve_paths())
    await embedder.embed(["load"])

    async def no_model(system: str, user: str, schema: dict[str, object]) -> object:
        raise RuntimeError("the search benchmark never calls the model")

    user = journal.user_id("bench", NOW)
    print(f"{'memories':>9} {'os1 p50':>9} {'os1 p95':>9} {'brute p50':>10} {'brute p95':>10}  ms")
    have = 0
    p95 = {}
    for size in sizes:
        populate(store, user, size - have, embedder.dim, seed=size)
        have = size
        memory = Memory(store, embedder, no_model, FixedClock(NOW))
        ours = await measure(memory, user, args.rounds)
        base = await brute_force(memory, store, user, max(5, args.rounds // 4))
        p95[size] = percentile(ours, 95)
        print(
            f"{size:>9,} {statistics.median(ours):>9.1f} {p95[size]:>9.1f} "
            f"{statistics.median(base):>10.1f} {percentile(base, 95):>10.1f}"
        )
    journal.close()
    print(f"p95_ms_100k={p95.get(100_000, p95[max(p95)]):.1f}")


if __name__ == "__main__":
    asyncio.run(main())
