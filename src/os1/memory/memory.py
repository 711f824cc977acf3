"""Long-term memory of one household: what goes into each prompt, and how it is kept."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np

from os1.clock import Clock
from os1.errors import InputError, NotFound, Os1Error
from os1.memory.embedder import Embedder
from os1.memory.exchange import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    MAX_CONTENT,
    MAX_LABEL,
    parse_export,
    to_export,
)
from os1.memory.extraction import (
    SCHEMA,
    SYSTEM,
    ExtractionError,
    Known,
    episode,
    exchange_prompt,
    parse_items,
    reconcile,
    rule_based,
    second_person,
    worth_reading,
)
from os1.memory.recall import Recalled, VectorIndex, rank
from os1.memory.reflection import REFLECT_SCHEMA, REFLECT_SYSTEM, plan_reflection
from os1.store.memories import MemoryRecord, MemoryStore, NewMemory

AskJson = Callable[[str, str, dict[str, Any]], Awaitable[Any]]
"""``ask_json(system, user, schema)``: a schema-constrained model call, wired by the app."""

log = logging.getLogger(__name__)

CORE_KINDS = ("identity", "person", "preference")
EPISODES = 3
"""How many of the person's own earlier messages a turn may recall, besides the facts."""
SAID_HEADER = "What I said before, in my words:"
CHARS_PER_TOKEN = 3.5


@dataclass(frozen=True)
class Context:
    """What memory adds to a turn's prompt, and which memories it used."""

    text: str
    used: tuple[int, ...]
    facts: tuple[str, ...] = ()
    """The facts in the block, as written ("The user works as a nurse.")."""


def _line(record: MemoryRecord, earlier: Sequence[MemoryRecord] = ()) -> str:
    line = f"- {record.content}"
    if record.happens_on:
        line += f" [{record.happens_on.strftime('%a %d %b %Y')}]"
    for old in earlier[:1]:
        until = old.superseded_at.date().isoformat() if old.superseded_at else "before"
        line += f" (Earlier, until {until}: {old.content})"
    return line


def _said_line(record: MemoryRecord) -> str:
    return f'- {record.created_at.strftime("%a %d %b")}: "{record.content}"'


class Memory:
    """Extracts, stores, recalls and lets the person control what os1 remembers."""

    def __init__(
        self,
        store: MemoryStore,
        embedder: Embedder,
        ask_json: AskJson,
        clock: Clock,
        *,
        budget_tokens: int = 300,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self._ask_json = ask_json
        self.clock = clock
        self._budget_chars = int(budget_tokens * CHARS_PER_TOKEN)
        self._indexes: dict[int, VectorIndex] = {}

    # -- recall --------------------------------------------------------------

    async def _index(self, user_id: int) -> VectorIndex:
        if user_id not in self._indexes:
            rows = await asyncio.to_thread(self.store.vectors, user_id, self.embedder.name)
            self._indexes[user_id] = VectorIndex.from_rows(rows, self.embedder.dim or 384)
        return self._indexes[user_id]

    def _changed(self, user_id: int) -> None:
        self._indexes.pop(user_id, None)

    async def search(self, user_id: int, query: str, limit: int = 10) -> list[Recalled]:
        """Memories relevant to ``query``, best first (meaning, words, recency, importance)."""
        index = await self._index(user_id)
        # Full-text search runs in the database while the query is embedded.
        fulltext = asyncio.ensure_future(asyncio.to_thread(self.store.fulltext, user_id, query, 40))
        vector = (await self.embedder.embed([query]))[0]
        similar = dict(index.top(vector, 40))
        words = dict(await fulltext)
        ids = set(similar) | set(words)
        if not ids:
            return []
        records = await asyncio.to_thread(self.store.records, user_id, ids=ids)
        return rank(records, similar, words, self.clock.now())[:limit]

    async def core_profile(self, user_id: int) -> list[MemoryRecord]:
        """The few facts always in mind: who the person is, their people, standing likes."""
        records = await asyncio.to_thread(self.store.records, user_id, kinds=CORE_KINDS)
        core = [r for r in records if r.kind == "identity"] + [
            r for r in records if r.kind in CORE_KINDS[1:] and r.importance >= 4
        ]
        return sorted(core, key=lambda r: (r.kind != "identity", -r.importance, -r.id))[:8]

    async def about_person(self, user_id: int, limit: int = 8) -> list[str]:
        """What os1 knows about the person, said to them ("your sister Ana lives in Porto").

        Who they are and their people first, then what they like, plan and feel,
        most important first; earlier versions and insights stay out.
        """
        records = await asyncio.to_thread(self.store.records, user_id)
        order = {kind: n for n, kind in enumerate(("identity", "person", "preference"))}
        facts = sorted(
            (r for r in records if r.kind not in ("episode", "insight")),
            key=lambda r: (order.get(r.kind, len(order)), -r.importance, r.id),
        )
        return [second_person(r.content).rstrip(".") for r in facts[:limit]]

    async def context_for(
        self, user_id: int, query: str, budget_tokens: int | None = None
    ) -> Context:
        """The memory block for a turn: the core profile, then what this message calls up.

        After the facts come the person's own earlier words on the subject, dated,
        so that a detail no record caught is still there and a change reads as later.
        With a ``budget_tokens`` below the usual one (a spoken turn), the two facts
        the message calls up most strongly come first, so the cap keeps them, and
        earlier words are left out.
        """
        profile = await self.core_profile(user_id)
        recalled = await self.search(user_id, query, limit=16) if query.strip() else []
        tight = budget_tokens is not None and budget_tokens * CHARS_PER_TOKEN < self._budget_chars
        chosen: list[MemoryRecord] = []
        seen: set[int] = set()
        facts = [r.record for r in recalled if r.record.kind != "episode"][:12]
        for record in [*facts[:2], *profile, *facts[2:]] if tight else [*profile, *facts]:
            if record.id not in seen:
                seen.add(record.id)
                chosen.append(record)
        said = [r.record for r in recalled if r.record.kind == "episode" and r.similarity >= 0.3][
            :EPISODES
        ]
        earlier = await asyncio.to_thread(
            self.store.earlier_versions_of, user_id, [r.id for r in chosen]
        )
        lines: list[str] = []
        used: list[int] = []
        if tight:
            said = []
        limit = (
            self._budget_chars if budget_tokens is None else int(budget_tokens * CHARS_PER_TOKEN)
        )
        budget = min(self._budget_chars, limit) - sum(len(_said_line(r)) for r in said)
        spent = 0
        for record in chosen:
            line = _line(record, earlier[record.id])
            if spent + len(line) > budget:
                break
            spent += len(line)
            lines.append(line)
            used.append(record.id)
        if said:
            lines.append(SAID_HEADER)
            for record in sorted(said, key=lambda r: r.created_at):
                lines.append(_said_line(record))
                used.append(record.id)
        if not lines:
            return Context("", ())
        shown = tuple(r.content for r in chosen if r.id in used)
        return Context("\n".join(lines), tuple(used), shown)

    # -- extraction ------------------------------------------------------------

    async def _known(self, user_id: int) -> Known:
        """Semantic memories with their vectors; episodes are words, never facts to merge."""
        records = [
            r for r in await asyncio.to_thread(self.store.records, user_id) if r.kind != "episode"
        ]
        index = await self._index(user_id)
        position = {int(i): n for n, i in enumerate(index.ids)}
        kept = [r for r in records if r.id in position]
        matrix = (
            index.matrix[[position[r.id] for r in kept]]
            if kept
            else np.zeros((0, index.matrix.shape[1] if index.matrix.ndim == 2 else 384), np.float32)
        )
        return Known(kept, matrix)

    async def extract_pending(self, user_id: int, limit: int | None = None) -> int:
        """Extract memories from queued turns, oldest first; returns how many were done.

        Each turn's memories and the job's completion are written in one
        transaction, so a crash leaves the turn queued, never half-remembered.
        """
        pending = await asyncio.to_thread(self.store.pending_turns, user_id)
        done = 0
        for turn in pending[:limit]:
            claimed = await asyncio.to_thread(
                self.store.claim_job, user_id, turn.id, self.clock.now()
            )
            if not claimed:
                continue  # another process is reading this turn now
            try:
                await self.extract_turn(
                    user_id, turn.id, turn.user_text, turn.reply, turn.started_at
                )
            except (ExtractionError, ValueError, Os1Error) as exc:
                log.warning(
                    "memory extraction of turn %d failed (tried again later): %s", turn.id, exc
                )
                await asyncio.to_thread(self.store.job_failed, user_id, turn.id, str(exc))
                continue
            except asyncio.CancelledError:
                # The person spoke again or the command is ending: the next process takes it now.
                release = asyncio.to_thread(self.store.release_job, user_id, turn.id)
                await asyncio.shield(release)
                raise
            done += 1
        return done

    async def extract_turn(
        self, user_id: int, turn_id: int, user_text: str, reply: str, said_at: datetime
    ) -> list[int]:
        """Remember what one exchange says; returns ids of memories added."""
        candidates = rule_based(user_text, turn_id)
        if worth_reading(user_text):
            related = [
                r.record.content
                for r in await self.search(user_id, user_text, 6)
                if r.record.kind != "episode"
            ][:3]
            data = await self._ask_json(SYSTEM, exchange_prompt(user_text, related), SCHEMA)
            candidates += parse_items(data, said_at.date(), turn_id, user_text, related)
        words = episode(user_text, turn_id)
        vectors = await self.embedder.embed(
            [c.content for c in candidates] + ([words.content] if words else [])
        )
        changes = reconcile(candidates, vectors[: len(candidates)], await self._known(user_id))
        if words is not None:
            changes.add.append((words, vectors[-1].astype(np.float32).tobytes()))
        ids = await asyncio.to_thread(
            self.store.apply, user_id, changes, self.embedder.name, self.clock.now(),
            finish_job=turn_id,
        )  # fmt: skip
        self._changed(user_id)
        return ids

    async def note(self, user_id: int, facts: Sequence[NewMemory]) -> list[int]:
        """Remember what the person told os1 outside a conversation turn (the setup interview).

        The facts go through the same duplicate and change checks as extracted
        ones, so answering the interview again updates them instead of piling up.
        """
        if not facts:
            return []
        vectors = await self.embedder.embed([f.content for f in facts])
        changes = reconcile(list(facts), vectors, await self._known(user_id))
        ids = await asyncio.to_thread(
            self.store.apply, user_id, changes, self.embedder.name, self.clock.now()
        )
        self._changed(user_id)
        return ids

    # -- the person's control --------------------------------------------------

    async def get(self, user_id: int, memory_id: int) -> MemoryRecord:
        """One memory, or ``NotFound``."""
        record = await asyncio.to_thread(self.store.get, user_id, memory_id)
        if record is None:
            raise NotFound(f"There is no memory {memory_id}.", "See `os1 memory list`.")
        return record

    async def forget(self, user_id: int, ids: Sequence[int]) -> int:
        """Delete memories (with their earlier versions, vectors and index entries)."""
        removed = await asyncio.to_thread(self.store.forget, user_id, list(ids))
        self._changed(user_id)
        return removed

    async def edit(
        self,
        user_id: int,
        memory_id: int,
        *,
        content: str | None = None,
        about: str | None = None,
        importance: int | None = None,
        happens_on: date | None = None,
    ) -> MemoryRecord:
        """Correct a memory; the person's word makes it certain.

        The limits are the export format's, so whatever is edited can be
        exported and imported again.
        """
        current = await self.get(user_id, memory_id)
        new_content = " ".join((content if content is not None else current.content).split())
        if not new_content:
            raise InputError("A memory cannot be empty.", "To drop it, use `os1 memory forget ID`.")
        if len(new_content) > MAX_CONTENT:
            raise InputError(
                f"A memory holds at most {MAX_CONTENT:,} characters; this one has "
                f"{len(new_content):,}.",
                "Say it more briefly, or keep it as two memories.",
            )
        if happens_on is not None and not EARLIEST_YEAR <= happens_on.year <= LATEST_YEAR:
            raise InputError(
                f"{happens_on} is too far from now for a memory's date.",
                f"Give a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}.",
            )
        if about is not None and len(about) > MAX_LABEL:
            raise InputError(
                f"Who or what a memory is about fits in {MAX_LABEL} characters.",
                "Shorten --about.",
            )
        vector = (await self.embedder.embed([new_content]))[0]
        await asyncio.to_thread(
            lambda: self.store.edit(
                user_id,
                memory_id,
                content=new_content,
                about=about or current.about,
                importance=importance or current.importance,
                happens_on=happens_on or current.happens_on,
                vector=vector.astype(np.float32).tobytes(),
                embedder=self.embedder.name,
                at=self.clock.now(),
            )
        )
        self._changed(user_id)
        return await self.get(user_id, memory_id)

    async def export(self, user_id: int) -> dict[str, Any]:
        """Everything remembered, in the versioned export format."""
        records = await asyncio.to_thread(self.store.records, user_id, include_superseded=True)
        return to_export(records, self.clock.now())

    async def import_(self, user_id: int, data: Any) -> int:
        """Validate a whole export, then add all of it in one transaction (or nothing)."""
        records = parse_export(data)
        vectors = await self.embedder.embed([r.content for r in records])
        rows = [(r, v.astype(np.float32).tobytes()) for r, v in zip(records, vectors, strict=True)]
        mapping = await asyncio.to_thread(self.store.add_all, user_id, rows, self.embedder.name)
        self._changed(user_id)
        return len(mapping)

    # -- reflection ------------------------------------------------------------

    async def reflect(self, user_id: int, recent: int = 40) -> tuple[list[int], int]:
        """Consolidate recent memories into insights and prune duplicates.

        Returns the ids of new insights and how many duplicates were removed.
        """
        known = await self._known(user_id)
        facts = [r for r in known.records if r.kind != "insight"][:recent]
        if len(facts) < 3:
            return [], 0
        listing = "\n".join(f"[{r.id}] {r.content}" for r in reversed(facts))
        data = await self._ask_json(REFLECT_SYSTEM, listing, REFLECT_SCHEMA)
        insights = [r for r in known.records if r.kind == "insight"]
        changes, candidates = plan_reflection(data, facts, known)
        if candidates:
            vectors = await self.embedder.embed([c.content for c in candidates])
            existing = (
                (await self.embedder.embed([i.content for i in insights]))
                if insights
                else np.zeros((0, vectors.shape[1]), np.float32)
            )
            for candidate, vector in zip(candidates, vectors, strict=True):
                if len(existing) and float(np.max(existing @ vector)) >= 0.85:
                    continue
                changes.add.append((candidate, vector.astype(np.float32).tobytes()))
        ids = await asyncio.to_thread(
            self.store.apply, user_id, changes, self.embedder.name, self.clock.now()
        )
        self._changed(user_id)
        return ids, len(changes.remove)
