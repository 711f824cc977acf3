"""Persistence: the journal of conversations on SQLite or Postgres, migrated by Alembic."""

from os1.store.journal import ConversationRecord, Journal, TurnRecord

__all__ = ["ConversationRecord", "Journal", "TurnRecord"]
