"""Who os1 is for each person (persona versions, its journal) and what it will say first.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _owner() -> sa.Column[int]:
    return sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "personas",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("card", sa.JSON, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ux_personas_user_version", "personas", ["user_id", "version"], unique=True)
    op.create_table(
        "journal_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        sa.Column("persona_version", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_journal_entries_user", "journal_entries", ["user_id", "written_at"])
    op.create_table(
        "initiatives",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ux_initiatives_user_key", "initiatives", ["user_id", "key"], unique=True)
    op.create_index(
        "ix_initiatives_user_status_due", "initiatives", ["user_id", "status", "due_at"]
    )


def downgrade() -> None:
    for table in ("initiatives", "journal_entries", "personas"):
        op.drop_table(table)
