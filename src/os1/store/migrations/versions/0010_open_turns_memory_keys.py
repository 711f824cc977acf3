"""Messages held while their reply is written, and one active memory per content.

``open_turns`` keeps the person's message (and the reply so far) from the
moment it is accepted, so a killed process loses nothing; the next start
commits it as interrupted. ``memories.content_key`` (normalised content,
hashed) with a unique index over a user's active memories keeps concurrent
extractions from storing one fact twice; duplicates already stored become
earlier versions of the oldest copy.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from os1.store.memories import content_key

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "open_turns",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "conversation_id",
            sa.Integer,
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_text", sa.Text, nullable=False),
        sa.Column("reply", sa.Text, nullable=False),
        sa.Column("model", sa.String(300), nullable=False),
        sa.Column("remember", sa.Boolean, nullable=False),
        sa.Column("owner", sa.String(300), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_open_turns_user", "open_turns", ["user_id"])
    with op.batch_alter_table("memories") as batch:
        batch.add_column(sa.Column("content_key", sa.String(64), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, user_id, content, superseded_by FROM memories ORDER BY id")
    ).all()
    holders: dict[tuple[int, str], int] = {}
    now = datetime.now(UTC)
    for memory_id, user_id, content, superseded_by in rows:
        key = content_key(content)
        values: dict[str, object] = {"id": memory_id, "k": key}
        statement = "UPDATE memories SET content_key = :k WHERE id = :id"
        if superseded_by is None:
            holder = holders.setdefault((user_id, key), memory_id)
            if holder != memory_id:
                statement = (
                    "UPDATE memories SET content_key = :k, superseded_by = :h, "
                    "superseded_at = :t WHERE id = :id"
                )
                values |= {"h": holder, "t": now}
        bind.execute(sa.text(statement), values)
    op.create_index(
        "ux_memories_user_active_key",
        "memories",
        ["user_id", "content_key"],
        unique=True,
        sqlite_where=sa.text("superseded_by IS NULL"),
        postgresql_where=sa.text("superseded_by IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ux_memories_user_active_key", "memories")
    with op.batch_alter_table("memories") as batch:
        batch.drop_column("content_key")
    op.drop_index("ix_open_turns_user", "open_turns")
    op.drop_table("open_turns")
