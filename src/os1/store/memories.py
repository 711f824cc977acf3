"""Long-term memories as stored: records, vectors, the full-text index and the extraction queue.

Every query is scoped by ``user_id``. Changes to a memory, its vector and its
full-text entry happen in one transaction, so a crash never leaves one without
the others. Full-text search is FTS5 on SQLite and ``tsvector`` on Postgres.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, delete, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from os1.errors import InputError
from os1.store.database import aware, translate_errors
from os1.store.schema import memories, memory_jobs, memory_vectors, turns, users

KINDS = (
    "identity",
    "person",
    "preference",
    "plan",
    "event",
    "feeling",
    "fact",
    "insight",
    "episode",
)
"""Semantic kinds, then ``insight`` (from reflection) and ``episode`` (the person's own words)."""
MEMORY_WRITER = 0x0513E3
"""Advisory lock class (Postgres) held by a transaction that must read and write alone."""
CLAIM_LEASE = timedelta(minutes=5)
"""How long a process may hold a turn's extraction before another takes it over."""
COMMON_TERM_DOCS = 2000
"""Words held by more memories than this are too common to rank every match of."""
_WORD = re.compile(r"[^\W_]{2,}", re.UNICODE)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def content_key(content: str) -> str:
    """What makes two memories the same: their words, whatever the case, spacing or punctuation.

    A user's active memories are unique by this key (a database constraint),
    so two processes remembering the same thing at once store it once.
    """
    words = _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", content).casefold()).split()
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class MemoryRecord:
    """One thing os1 remembers, with where it came from and whether it still holds."""

    id: int
    kind: str
    about: str
    aspect: str
    content: str
    importance: int
    confidence: float
    happens_on: date | None
    source: str
    source_turn_id: int | None
    derived_from: tuple[int, ...]
    created_at: datetime
    updated_at: datetime
    superseded_by: int | None = None
    superseded_at: datetime | None = None

    @property
    def active(self) -> bool:
        """False once a newer memory replaced this one."""
        return self.superseded_by is None


@dataclass(frozen=True)
class NewMemory:
    """A memory about to be stored."""

    kind: str
    about: str
    aspect: str
    content: str
    importance: int = 3
    confidence: float = 0.8
    happens_on: date | None = None
    source: str = "conversation"
    source_turn_id: int | None = None
    derived_from: tuple[int, ...] = ()


@dataclass
class MemoryChanges:
    """Everything one extraction or reflection decided, applied in one transaction.

    ``supersede`` pairs an old memory id with the index (in ``add``) of the
    memory that replaces it; ``reinforce`` raises confidence in memories that
    were said again; ``remove`` deletes duplicates that reflection merged.
    """

    add: list[tuple[NewMemory, bytes]] = field(default_factory=list)
    supersede: list[tuple[int, int]] = field(default_factory=list)
    reinforce: list[int] = field(default_factory=list)
    remove: list[int] = field(default_factory=list)


def _record(row: Row[Any]) -> MemoryRecord:
    return MemoryRecord(
        id=row.id,
        kind=row.kind,
        about=row.about,
        aspect=row.aspect,
        content=row.content,
        importance=int(row.importance),
        confidence=float(row.confidence),
        happens_on=row.happens_on,
        source=row.source,
        source_turn_id=row.source_turn_id,
        derived_from=tuple(row.derived_from or ()),
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
        superseded_by=row.superseded_by,
        superseded_at=aware(row.superseded_at) if row.superseded_at else None,
    )


_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "i'm",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "me",
        "my",
        "myself",
        "no",
        "not",
        "now",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "some",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "too",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "tell",
        "know",
        "remember",
        "said",
        "told",
        "again",
        "still",
    ]
)


def search_terms(query: str) -> list[str]:
    """The words of a query worth matching in full text (no stopwords, letters and digits)."""
    words = (w.lower() for w in _WORD.findall(query))
    return list(dict.fromkeys(w for w in words if w not in _STOPWORDS))[:32]


class MemoryStore:
    """Reads and writes one user's memories at a time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._where = engine.url.render_as_string(hide_password=True)

    # -- writing -----------------------------------------------------------

    def _insert(
        self,
        conn: Connection,
        user_id: int,
        new: NewMemory,
        vector: bytes,
        embedder: str,
        at: datetime,
    ) -> tuple[int, bool]:
        """Store a memory unless the user already has it active; (its id, whether it is new)."""
        key = content_key(new.content)
        dialect = sqlite if self._sqlite else postgresql
        memory_id = conn.execute(
            dialect.insert(memories)
            .values(
                user_id=user_id,
                kind=new.kind,
                about=new.about,
                aspect=new.aspect,
                content=new.content,
                content_key=key,
                importance=new.importance,
                confidence=new.confidence,
                happens_on=new.happens_on,
                source=new.source,
                source_turn_id=new.source_turn_id,
                derived_from=list(new.derived_from),
                created_at=at,
                updated_at=at,
            )
            .on_conflict_do_nothing()
            .returning(memories.c.id)
        ).scalar()
        if memory_id is None:
            return self._holder(conn, user_id, key), False
        self._index(conn, int(memory_id), user_id, new, vector, embedder)
        return int(memory_id), True

    def _index(
        self,
        conn: Connection,
        memory_id: int,
        user_id: int,
        new: NewMemory,
        vector: bytes,
        embedder: str,
    ) -> None:
        """A new memory's vector and full-text entry, in the transaction that stored it."""
        conn.execute(
            insert(memory_vectors).values(
                memory_id=memory_id, user_id=user_id, embedder=embedder, vector=vector
            )
        )
        if self._sqlite:
            conn.execute(
                text("INSERT INTO memories_fts(rowid, about, content) VALUES (:id, :a, :c)"),
                {"id": memory_id, "a": new.about, "c": new.content},
            )

    @staticmethod
    def _holder(conn: Connection, user_id: int, key: str) -> int:
        """The active memory of this user with this content key."""
        return int(
            conn.execute(
                select(memories.c.id).where(
                    memories.c.user_id == user_id,
                    memories.c.content_key == key,
                    memories.c.superseded_by.is_(None),
                )
            ).scalar_one()
        )

    def _drop_fts(self, conn: Connection, ids: Sequence[int]) -> None:
        if self._sqlite and ids:
            conn.execute(
                text(f"DELETE FROM memories_fts WHERE rowid IN ({','.join(map(str, ids))})")
            )

    def apply(
        self,
        user_id: int,
        changes: MemoryChanges,
        embedder: str,
        at: datetime,
        *,
        finish_job: int | None = None,
    ) -> list[int]:
        """Apply extraction or reflection results atomically; returns the new memory ids.

        With ``finish_job`` the turn's extraction job is marked done first, and
        if another process already did it nothing is applied: a turn is
        remembered once however many processes read it at the same time. A
        memory the user already has (the same content, stored meanwhile by
        another process) is reinforced instead of stored again.
        """
        with translate_errors(self._where), self.engine.begin() as conn:
            if finish_job is not None:
                claimed = conn.execute(
                    update(memory_jobs)
                    .where(
                        memory_jobs.c.turn_id == finish_job,
                        memory_jobs.c.user_id == user_id,
                        memory_jobs.c.done_at.is_(None),
                    )
                    .values(done_at=at)
                ).rowcount
                if claimed != 1:
                    return []
            stored = [
                self._insert(conn, user_id, new, vector, embedder, at)
                for new, vector in changes.add
            ]
            reinforce = set(changes.reinforce) | {i for i, fresh in stored if not fresh}
            for old_id, index in changes.supersede:
                if old_id == stored[index][0]:
                    continue  # the "change" was already stored: it is the same memory
                conn.execute(
                    update(memories)
                    .where(memories.c.id == old_id, memories.c.user_id == user_id)
                    .values(superseded_by=stored[index][0], superseded_at=at, updated_at=at)
                )
            if reinforce:
                conn.execute(
                    update(memories)
                    .where(memories.c.id.in_(sorted(reinforce)), memories.c.user_id == user_id)
                    .values(
                        confidence=func.min(memories.c.confidence + 0.1, 1.0)
                        if self._sqlite
                        else func.least(memories.c.confidence + 0.1, 1.0),
                        updated_at=at,
                    )
                )
            if changes.remove:
                self._delete(conn, user_id, changes.remove)
        return [memory_id for memory_id, fresh in stored if fresh]

    def _delete(self, conn: Connection, user_id: int, ids: Sequence[int]) -> int:
        owned = [
            int(i)
            for i in conn.execute(
                select(memories.c.id).where(memories.c.id.in_(ids), memories.c.user_id == user_id)
            ).scalars()
        ]
        if not owned:
            return 0
        conn.execute(delete(memory_vectors).where(memory_vectors.c.memory_id.in_(owned)))
        self._drop_fts(conn, owned)
        self._reinstate(conn, user_id, owned)
        conn.execute(delete(memories).where(memories.c.id.in_(owned)))
        return len(owned)

    def _reinstate(self, conn: Connection, user_id: int, removed: Sequence[int]) -> None:
        """What the removed memories had replaced holds again, unless the user has it already.

        An earlier version whose content is active elsewhere becomes an
        earlier version of that memory instead, so no content is active twice.
        """
        earlier = conn.execute(
            select(memories.c.id, memories.c.content_key)
            .where(memories.c.superseded_by.in_(removed), memories.c.user_id == user_id)
            .order_by(memories.c.id)
        ).all()
        if not earlier:
            return
        active: dict[str, int] = dict(
            conn.execute(
                select(memories.c.content_key, memories.c.id).where(
                    memories.c.user_id == user_id,
                    memories.c.superseded_by.is_(None),
                    memories.c.id.not_in(removed),
                )
            ).all()
        )
        for memory_id, key in earlier:
            holder = active.setdefault(key, memory_id)
            conn.execute(
                update(memories)
                .where(memories.c.id == memory_id)
                .values(
                    superseded_by=None if holder == memory_id else holder,
                    superseded_at=None if holder == memory_id else memories.c.superseded_at,
                )
            )

    def forget(self, user_id: int, ids: Sequence[int]) -> int:
        """Delete memories with their earlier versions, vectors and index entries.

        The person's own words from the turns those memories came from go too
        (episodes), or the forgotten fact would still be recalled in them.
        """
        with translate_errors(self._where), self.engine.begin() as conn:
            chain = set(ids)
            frontier = set(ids)
            while frontier:
                earlier = set(
                    conn.execute(
                        select(memories.c.id).where(
                            memories.c.superseded_by.in_(frontier), memories.c.user_id == user_id
                        )
                    ).scalars()
                )
                frontier = earlier - chain
                chain |= earlier
            turns_of = select(memories.c.source_turn_id).where(
                memories.c.id.in_(chain),
                memories.c.user_id == user_id,
                memories.c.source_turn_id.is_not(None),
            )
            chain |= set(
                conn.execute(
                    select(memories.c.id).where(
                        memories.c.user_id == user_id,
                        memories.c.kind == "episode",
                        memories.c.source_turn_id.in_(turns_of),
                    )
                ).scalars()
            )
            return self._delete(conn, user_id, sorted(chain))

    def edit(
        self,
        user_id: int,
        memory_id: int,
        *,
        content: str,
        about: str,
        importance: int,
        happens_on: date | None,
        vector: bytes,
        embedder: str,
        at: datetime,
    ) -> None:
        """Correct a memory in place (the person said so; confidence becomes certain)."""
        with translate_errors(self._where):
            try:
                with self.engine.begin() as conn:
                    self._edit(
                        conn, user_id, memory_id, content, about, importance, happens_on,
                        vector, embedder, at,
                    )  # fmt: skip
            except IntegrityError as exc:
                raise InputError(
                    "os1 already remembers exactly that, in another memory.",
                    "See `os1 memory search` for it; forget one of the two if you like.",
                ) from exc

    def _edit(
        self,
        conn: Connection,
        user_id: int,
        memory_id: int,
        content: str,
        about: str,
        importance: int,
        happens_on: date | None,
        vector: bytes,
        embedder: str,
        at: datetime,
    ) -> None:
        changed = conn.execute(
            update(memories)
            .where(memories.c.id == memory_id, memories.c.user_id == user_id)
            .values(
                content=content,
                content_key=content_key(content),
                about=about,
                importance=importance,
                happens_on=happens_on,
                confidence=1.0,
                source="edit",
                updated_at=at,
            )
        ).rowcount
        if changed != 1:
            return
        conn.execute(
            update(memory_vectors)
            .where(memory_vectors.c.memory_id == memory_id)
            .values(vector=vector, embedder=embedder)
        )
        if self._sqlite:
            self._drop_fts(conn, [memory_id])
            conn.execute(
                text("INSERT INTO memories_fts(rowid, about, content) VALUES (:id, :a, :c)"),
                {"id": memory_id, "a": about, "c": content},
            )

    def add_all(
        self,
        user_id: int,
        records: Sequence[tuple[MemoryRecord, bytes]],
        embedder: str,
    ) -> dict[int, int]:
        """Import: add records (keeping their history links) in one transaction; old id -> new.

        A record the user already has is not added again: an active one by its
        content, an earlier version by its content and when it was made. So
        importing one export twice changes nothing the second time; the
        mapping holds only the records that were added.
        """
        with translate_errors(self._where), self.engine.begin() as conn:
            self._one_writer(conn, user_id)
            earlier = {
                (key, aware(made))
                for key, made in conn.execute(
                    select(memories.c.content_key, memories.c.created_at).where(
                        memories.c.user_id == user_id, memories.c.superseded_by.is_not(None)
                    )
                ).all()
            }
            found: dict[int, int] = {}
            added: dict[int, int] = {}
            for record, vector in records:
                known = (content_key(record.content), aware(record.created_at)) in earlier
                if record.superseded_by is not None and known:
                    continue
                new = NewMemory(
                    kind=record.kind,
                    about=record.about,
                    aspect=record.aspect,
                    content=record.content,
                    importance=record.importance,
                    confidence=record.confidence,
                    happens_on=record.happens_on,
                    source=record.source,
                    source_turn_id=None,
                    derived_from=(),
                )
                if record.superseded_by is not None:
                    memory_id = self._insert_earlier(conn, user_id, new, vector, embedder, record)
                    fresh = True
                else:
                    memory_id, fresh = self._insert(
                        conn, user_id, new, vector, embedder, record.created_at
                    )
                found[record.id] = memory_id
                if fresh:
                    added[record.id] = memory_id
            for record, _ in records:
                if record.id not in added:
                    continue
                conn.execute(
                    update(memories)
                    .where(memories.c.id == added[record.id])
                    .values(
                        updated_at=record.updated_at,
                        superseded_by=found.get(record.superseded_by or -1),
                        superseded_at=record.superseded_at if record.superseded_by else None,
                        derived_from=[found[i] for i in record.derived_from if i in found],
                    )
                )
            return added

    def _one_writer(self, conn: Connection, user_id: int) -> None:
        """Hold this user's memories for the transaction, so what it reads stays true.

        Postgres: a per-user advisory lock. SQLite: a write that changes nothing
        takes the database's write lock first; otherwise the reads before the
        first insert would run outside the transaction.
        """
        if self._sqlite:
            conn.execute(update(users).where(users.c.id == user_id).values(name=users.c.name))
        else:
            conn.execute(
                text("SELECT pg_advisory_xact_lock(CAST(:k AS integer), CAST(:u AS integer))"),
                {"k": MEMORY_WRITER, "u": user_id},
            )

    def _insert_earlier(
        self,
        conn: Connection,
        user_id: int,
        new: NewMemory,
        vector: bytes,
        embedder: str,
        record: MemoryRecord,
    ) -> int:
        """Store an imported earlier version: inactive from the start, so never a duplicate.

        It points at itself until the import links it to what replaced it.
        """
        memory_id = int(
            conn.execute(
                insert(memories)
                .values(
                    user_id=user_id,
                    kind=new.kind,
                    about=new.about,
                    aspect=new.aspect,
                    content=new.content,
                    content_key=content_key(new.content),
                    importance=new.importance,
                    confidence=new.confidence,
                    happens_on=new.happens_on,
                    source=new.source,
                    derived_from=[],
                    created_at=record.created_at,
                    updated_at=record.updated_at,
                    superseded_by=0,
                    superseded_at=record.superseded_at,
                )
                .returning(memories.c.id)
            ).scalar_one()
        )
        self._index(conn, memory_id, user_id, new, vector, embedder)
        return memory_id

    # -- reading -----------------------------------------------------------

    def get(self, user_id: int, memory_id: int) -> MemoryRecord | None:
        """One memory, if it is this user's."""
        with translate_errors(self._where), self.engine.connect() as conn:
            row = conn.execute(
                select(memories).where(memories.c.id == memory_id, memories.c.user_id == user_id)
            ).first()
        return _record(row) if row else None

    def records(
        self,
        user_id: int,
        *,
        include_superseded: bool = False,
        ids: Iterable[int] | None = None,
        kinds: Iterable[str] | None = None,
    ) -> list[MemoryRecord]:
        """List the user's memories, newest first."""
        query = select(memories).where(memories.c.user_id == user_id)
        if not include_superseded:
            query = query.where(memories.c.superseded_by.is_(None))
        if ids is not None:
            query = query.where(memories.c.id.in_(list(ids)))
        if kinds is not None:
            query = query.where(memories.c.kind.in_(list(kinds)))
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(query.order_by(memories.c.id.desc())).all()
        return [_record(r) for r in rows]

    def earlier_versions(self, user_id: int, memory_id: int) -> list[MemoryRecord]:
        """What this memory replaced, most recent first."""
        return self.earlier_versions_of(user_id, [memory_id])[memory_id]

    def earlier_versions_of(
        self, user_id: int, memory_ids: Sequence[int]
    ) -> dict[int, list[MemoryRecord]]:
        """What each of these memories replaced, most recent first, in one walk of the chains."""
        found: dict[int, list[MemoryRecord]] = {m: [] for m in memory_ids}
        root = {m: m for m in memory_ids}
        frontier = list(memory_ids)
        with translate_errors(self._where), self.engine.connect() as conn:
            while frontier:
                rows = conn.execute(
                    select(memories).where(
                        memories.c.superseded_by.in_(frontier), memories.c.user_id == user_id
                    )
                ).all()
                frontier = []
                for row in rows:
                    record = _record(row)
                    if record.id in root or record.superseded_by is None:
                        continue
                    root[record.id] = root[record.superseded_by]
                    found[root[record.id]].append(record)
                    frontier.append(record.id)
        for versions in found.values():
            versions.sort(key=lambda r: r.superseded_at or r.updated_at, reverse=True)
        return found

    def fulltext(self, user_id: int, query: str, limit: int = 50) -> list[tuple[int, float]]:
        """Active memories matching any of the query's words, best first, with a score > 0."""
        words = search_terms(query)
        if not words:
            return []
        with translate_errors(self._where), self.engine.connect() as conn:
            if self._sqlite:
                return self._fulltext_sqlite(conn, user_id, words, limit)
            rows = conn.execute(
                text(
                    "SELECT id, ts_rank(to_tsvector('english', about || ' ' || content), q) "
                    "AS score FROM memories, to_tsquery('english', :q) q "
                    "WHERE to_tsvector('english', about || ' ' || content) @@ q "
                    "AND user_id = :u AND superseded_by IS NULL "
                    "ORDER BY score DESC LIMIT :n"
                ),
                {"q": " | ".join(words), "u": user_id, "n": limit},
            ).all()
        return [(int(r[0]), float(r[1])) for r in rows]

    def _fulltext_sqlite(
        self, conn: Connection, user_id: int, words: list[str], limit: int
    ) -> list[tuple[int, float]]:
        """Rank by the rare words; words held by very many memories only add recent matches.

        Scoring every match of a word that thousands of memories share costs
        tens of milliseconds on a large memory and says little about relevance,
        so those words fetch their newest matches in index order instead.
        """
        held = {w: self._matches(conn, w) for w in words}
        rare = [w for w in words if 0 < held[w] <= COMMON_TERM_DOCS]
        common = [w for w in words if held[w] > COMMON_TERM_DOCS]
        rows: list[tuple[int, float]] = []
        if rare:
            rows = [
                (int(r[0]), float(r[1]))
                for r in conn.execute(
                    text(
                        "SELECT m.id, -bm25(memories_fts) AS score FROM memories_fts "
                        "JOIN memories m ON m.id = memories_fts.rowid "
                        "WHERE memories_fts MATCH :q AND m.user_id = :u "
                        "AND m.superseded_by IS NULL ORDER BY score DESC LIMIT :n"
                    ),
                    {"q": " OR ".join(f'"{w}"' for w in rare), "u": user_id, "n": limit},
                )
            ]
        if common and len(rows) < limit:
            floor = min((score for _, score in rows), default=2.0) / 2
            seen = {memory_id for memory_id, _ in rows}
            rows += [
                (int(r[0]), floor)
                for r in conn.execute(
                    text(
                        "SELECT m.id FROM memories_fts "
                        "JOIN memories m ON m.id = memories_fts.rowid "
                        "WHERE memories_fts MATCH :q AND m.user_id = :u "
                        "AND m.superseded_by IS NULL ORDER BY memories_fts.rowid DESC LIMIT :n"
                    ),
                    {
                        "q": " OR ".join(f'"{w}"' for w in common),
                        "u": user_id,
                        "n": limit - len(rows),
                    },
                ).all()
                if int(r[0]) not in seen
            ]
        return rows

    @staticmethod
    def _matches(conn: Connection, word: str) -> int:
        """How many memories (of anyone) hold ``word``, counted no further than past common."""
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM (SELECT 1 FROM memories_fts "
                    "WHERE memories_fts MATCH :q LIMIT :n)"
                ),
                {"q": f'"{word}"', "n": COMMON_TERM_DOCS + 1},
            ).scalar_one()
        )

    def vectors(self, user_id: int, embedder: str) -> list[tuple[int, bytes]]:
        """Vectors of this user's active memories made by ``embedder``."""
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(
                select(memory_vectors.c.memory_id, memory_vectors.c.vector)
                .join(memories, memories.c.id == memory_vectors.c.memory_id)
                .where(
                    memory_vectors.c.user_id == user_id,
                    memory_vectors.c.embedder == embedder,
                    memories.c.superseded_by.is_(None),
                )
                .order_by(memory_vectors.c.memory_id)
            ).all()
        return [(int(r[0]), bytes(r[1])) for r in rows]

    def count(self, user_id: int) -> int:
        """Count the active memories of this user."""
        with translate_errors(self._where), self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(memories)
                    .where(memories.c.user_id == user_id, memories.c.superseded_by.is_(None))
                ).scalar_one()
            )

    def new_since_reflection(self, user_id: int) -> int:
        """Active facts added since the newest insight (all of them before the first)."""
        newest = (
            select(func.max(memories.c.created_at))
            .where(memories.c.user_id == user_id, memories.c.kind == "insight")
            .scalar_subquery()
        )
        with translate_errors(self._where), self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(memories)
                    .where(
                        memories.c.user_id == user_id,
                        memories.c.superseded_by.is_(None),
                        memories.c.kind.not_in(["insight", "episode"]),
                        (newest.is_(None)) | (memories.c.created_at > newest),
                    )
                ).scalar_one()
            )

    # -- the extraction queue ----------------------------------------------

    def pending_turns(self, user_id: int, max_attempts: int = 3) -> list[Row[Any]]:
        """Committed turns whose memories were not extracted yet (oldest first)."""
        with translate_errors(self._where), self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(turns, memory_jobs.c.attempts)
                    .join(memory_jobs, memory_jobs.c.turn_id == turns.c.id)
                    .where(
                        memory_jobs.c.user_id == user_id,
                        memory_jobs.c.done_at.is_(None),
                        memory_jobs.c.attempts < max_attempts,
                    )
                    .order_by(turns.c.id)
                ).all()
            )

    def job_failed(self, user_id: int, turn_id: int, error: str) -> None:
        """Count a failed attempt; the job is retried until it has failed three times."""
        with translate_errors(self._where), self.engine.begin() as conn:
            conn.execute(
                update(memory_jobs)
                .where(memory_jobs.c.turn_id == turn_id, memory_jobs.c.user_id == user_id)
                .values(
                    attempts=memory_jobs.c.attempts + 1, last_error=error[:2000], claimed_at=None
                )
            )

    def release_job(self, user_id: int, turn_id: int) -> None:
        """Give back a claim without an attempt counted (the work was cancelled, not failed)."""
        with translate_errors(self._where), self.engine.begin() as conn:
            conn.execute(
                update(memory_jobs)
                .where(memory_jobs.c.turn_id == turn_id, memory_jobs.c.user_id == user_id)
                .values(claimed_at=None)
            )

    def claim_job(self, user_id: int, turn_id: int, at: datetime) -> bool:
        """Take a turn's extraction for this process; False if another has it or it is done.

        A claim older than ``CLAIM_LEASE`` was left by a process that ended and
        is taken over, so a crash only delays the turn.
        """
        with translate_errors(self._where), self.engine.begin() as conn:
            taken = conn.execute(
                update(memory_jobs)
                .where(
                    memory_jobs.c.turn_id == turn_id,
                    memory_jobs.c.user_id == user_id,
                    memory_jobs.c.done_at.is_(None),
                    (memory_jobs.c.claimed_at.is_(None))
                    | (memory_jobs.c.claimed_at < at - CLAIM_LEASE),
                )
                .values(claimed_at=at)
            ).rowcount
        return bool(taken == 1)
