"""Calendars and address books (local files or DAV collections) and copies of remote items.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pim_sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("what", sa.String(10), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("username", sa.String(320), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ux_pim_sources_user_name", "pim_sources", ["user_id", "what", "name"], unique=True
    )
    op.create_table(
        "pim_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "source_id",
            sa.Integer,
            sa.ForeignKey("pim_sources.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("href", sa.Text, nullable=False),
        sa.Column("etag", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ux_pim_items_source_href", "pim_items", ["source_id", "href"], unique=True)
    op.create_index("ix_pim_items_user", "pim_items", ["user_id"])


def downgrade() -> None:
    op.drop_table("pim_items")
    op.drop_table("pim_sources")
