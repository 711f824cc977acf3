"""Persistence: the journal of conversations on SQLite or Postgres, migrated by Alembic."""

from os1.store.journal import ConversationRecord, Journal, TurnRecord
from os1.store.memories import MemoryChanges, MemoryRecord, MemoryStore, NewMemory
from os1.store.pim import PimStore

__all__ = [
    "ConversationRecord",
    "Journal",
    "MemoryChanges",
    "MemoryRecord",
    "MemoryStore",
    "NewMemory",
    "PimStore",
    "TurnRecord",
]
