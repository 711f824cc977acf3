"""The letters studio: clients, the people they write to, letters and their versions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _owner() -> sa.Column[int]:
    return sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "letter_clients",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("about", sa.Text, nullable=False),
        sa.Column("signs_as", sa.String(200), nullable=False),
        sa.Column("address", sa.JSON, nullable=False),
        sa.Column("samples", sa.JSON, nullable=False),
        *_stamps(),
    )
    op.create_index(
        "ux_letter_clients_user_name", "letter_clients", ["user_id", "name"], unique=True
    )
    op.create_table(
        "letter_recipients",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        sa.Column(
            "client_id",
            sa.Integer,
            sa.ForeignKey("letter_clients.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("relationship", sa.String(200), nullable=False),
        sa.Column("history", sa.Text, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("address", sa.JSON, nullable=False),
        *_stamps(),
    )
    op.create_index(
        "ux_letter_recipients_client_name",
        "letter_recipients",
        ["client_id", "name"],
        unique=True,
    )
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        sa.Column(
            "client_id",
            sa.Integer,
            sa.ForeignKey("letter_clients.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "recipient_id",
            sa.Integer,
            sa.ForeignKey("letter_recipients.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("occasion", sa.String(300), nullable=False),
        *_stamps(),
    )
    op.create_index("ix_letters_user_client", "letters", ["user_id", "client_id"])
    op.create_table(
        "letter_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "letter_id", sa.Integer, sa.ForeignKey("letters.id", ondelete="CASCADE"), nullable=False
        ),
        _owner(),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("instruction", sa.Text, nullable=False),
        sa.Column("unconfirmed", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ux_letter_versions_letter_number", "letter_versions", ["letter_id", "number"], unique=True
    )


def downgrade() -> None:
    for table in ("letter_versions", "letters", "letter_recipients", "letter_clients"):
        op.drop_table(table)
