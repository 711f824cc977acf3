"""The tables, as SQLAlchemy Core metadata; migrations create them, queries use them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("password_hash", Text, nullable=True),
    Column("preferences", JSON, nullable=True),
)

devices = Table(
    "devices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Index("ix_devices_user", "user_id"),
)

auth_sessions = Table(
    "auth_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("device_id", Integer, ForeignKey("devices.id", ondelete="CASCADE"), nullable=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_auth_sessions_user", "user_id"),
)

pairing_codes = Table(
    "pairing_codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_conversations_user_updated", "user_id", "updated_at"),
)

turns = Table(
    "turns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "conversation_id",
        Integer,
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("user_text", Text, nullable=False),
    Column("reply", Text, nullable=False),
    Column("interrupted", Boolean, nullable=False),
    Column("model", String(300), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("committed_at", DateTime(timezone=True), nullable=False),
    Column("timings", JSON, nullable=False),
    Column("parts", JSON, nullable=True),
    Index("ix_turns_user_conversation", "user_id", "conversation_id", "id"),
)

open_turns = Table(
    "open_turns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column(
        "conversation_id",
        Integer,
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("user_text", Text, nullable=False),
    Column("reply", Text, nullable=False),
    Column("model", String(300), nullable=False),
    Column("remember", Boolean, nullable=False),
    Column("owner", String(300), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Index("ix_open_turns_user", "user_id"),
)
"""A message accepted and its reply so far, until the turn is committed (``Journal``)."""

memories = Table(
    "memories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("about", String(200), nullable=False),
    Column("aspect", String(200), nullable=False),
    Column("content", Text, nullable=False),
    Column("importance", Integer, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("happens_on", Date, nullable=True),
    Column("source", String(20), nullable=False),
    Column("source_turn_id", Integer, ForeignKey("turns.id", ondelete="SET NULL"), nullable=True),
    Column("derived_from", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("superseded_by", Integer, nullable=True),
    Column("superseded_at", DateTime(timezone=True), nullable=True),
    Column("content_key", String(64), nullable=True),
    Index("ix_memories_user_active", "user_id", "superseded_by"),
    Index(
        "ux_memories_user_active_key",
        "user_id",
        "content_key",
        unique=True,
        sqlite_where=text("superseded_by IS NULL"),
        postgresql_where=text("superseded_by IS NULL"),
    ),
)

memory_vectors = Table(
    "memory_vectors",
    metadata,
    Column("memory_id", Integer, ForeignKey("memories.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("embedder", String(200), nullable=False),
    Column("vector", LargeBinary, nullable=False),
    Index("ix_memory_vectors_user", "user_id"),
)

memory_jobs = Table(
    "memory_jobs",
    metadata,
    Column("turn_id", Integer, ForeignKey("turns.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("done_at", DateTime(timezone=True), nullable=True),
    Column("claimed_at", DateTime(timezone=True), nullable=True),
    Index("ix_memory_jobs_user_done", "user_id", "done_at"),
)

pending_actions = Table(
    "pending_actions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column(
        "conversation_id",
        Integer,
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("kind", String(40), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=True),
    Index("ix_pending_actions_user_conversation", "user_id", "conversation_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("conversation_id", Integer, nullable=True),
    Column("action_id", Integer, nullable=True),
    Column("skill", String(60), nullable=False),
    Column("arguments", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("result", Text, nullable=False),
    Column("confirmed_by", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_audit_log_user_at", "user_id", "at"),
)

letter_clients = Table(
    "letter_clients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("about", Text, nullable=False),
    Column("signs_as", String(200), nullable=False),
    Column("address", JSON, nullable=False),
    Column("samples", JSON, nullable=False),
    Column("hand", JSON, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ux_letter_clients_user_name", "user_id", "name", unique=True),
)

letter_recipients = Table(
    "letter_recipients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column(
        "client_id", Integer, ForeignKey("letter_clients.id", ondelete="CASCADE"), nullable=False
    ),
    Column("name", String(200), nullable=False),
    Column("relationship", String(200), nullable=False),
    Column("history", Text, nullable=False),
    Column("details", JSON, nullable=False),
    Column("address", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ux_letter_recipients_client_name", "client_id", "name", unique=True),
)

letters = Table(
    "letters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column(
        "client_id", Integer, ForeignKey("letter_clients.id", ondelete="CASCADE"), nullable=False
    ),
    Column(
        "recipient_id",
        Integer,
        ForeignKey("letter_recipients.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("occasion", String(300), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_letters_user_client", "user_id", "client_id"),
)

letter_versions = Table(
    "letter_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("letter_id", Integer, ForeignKey("letters.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("instruction", Text, nullable=False),
    Column("unconfirmed", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ux_letter_versions_letter_number", "letter_id", "number", unique=True),
)

personas = Table(
    "personas",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("card", JSON, nullable=False),
    Column("source", String(20), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ux_personas_user_version", "user_id", "version", unique=True),
)

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("persona_version", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("written_at", DateTime(timezone=True), nullable=False),
    Index("ix_journal_entries_user", "user_id", "written_at"),
)

initiatives = Table(
    "initiatives",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("key", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Index("ux_initiatives_user_key", "user_id", "key", unique=True),
    Index("ix_initiatives_user_status_due", "user_id", "status", "due_at"),
)

mail_accounts = Table(
    "mail_accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("address", String(320), nullable=False),
    Column("host", String(255), nullable=False),
    Column("port", Integer, nullable=False),
    Column("security", String(10), nullable=False),
    Column("username", String(320), nullable=False),
    Column("secret", String(200), nullable=False),
    Column("path", Text, nullable=False),
    Column("smtp_host", String(255), nullable=False),
    Column("smtp_port", Integer, nullable=False),
    Column("smtp_security", String(10), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ux_mail_accounts_user_name", "user_id", "name", unique=True),
)

mail_folders = Table(
    "mail_folders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column(
        "account_id", Integer, ForeignKey("mail_accounts.id", ondelete="CASCADE"), nullable=False
    ),
    Column("folder", String(300), nullable=False),
    Column("uidvalidity", BigInteger, nullable=False),
    Column("last_uid", BigInteger, nullable=False),
    Column("synced_at", DateTime(timezone=True), nullable=True),
    Index("ux_mail_folders_account_folder", "account_id", "folder", unique=True),
)

mail_messages = Table(
    "mail_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column(
        "account_id", Integer, ForeignKey("mail_accounts.id", ondelete="CASCADE"), nullable=False
    ),
    Column("folder", String(300), nullable=False),
    Column("key", String(300), nullable=False),
    Column("message_id", String(998), nullable=False),
    Column("sender_name", Text, nullable=False),
    Column("sender_addr", String(320), nullable=False),
    Column("recipients", JSON, nullable=False),
    Column("subject", Text, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("body", Text, nullable=False),
    Column("attachments", JSON, nullable=False),
    Column("calendar", Text, nullable=True),
    Column("problems", JSON, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("category", String(20), nullable=True),
    Column("reading", JSON, nullable=True),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    Index("ux_mail_messages_account_key", "account_id", "folder", "key", unique=True),
    Index("ix_mail_messages_user_sent", "user_id", "sent_at"),
)

mail_drafts = Table(
    "mail_drafts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column(
        "account_id", Integer, ForeignKey("mail_accounts.id", ondelete="CASCADE"), nullable=False
    ),
    Column("reply_to", Integer, ForeignKey("mail_messages.id", ondelete="SET NULL")),
    Column("recipients", JSON, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Index("ix_mail_drafts_user", "user_id", "status"),
)
