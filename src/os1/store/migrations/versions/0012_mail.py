"""Mail: accounts (no passwords: a keyring entry or a variable's name), folders' sync state,
messages as parsed and read, and drafts.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _owner() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )


def _account() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "account_id",
        sa.Integer,
        sa.ForeignKey("mail_accounts.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "mail_accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("port", sa.Integer, nullable=False),
        sa.Column("security", sa.String(10), nullable=False),
        sa.Column("username", sa.String(320), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("smtp_host", sa.String(255), nullable=False),
        sa.Column("smtp_port", sa.Integer, nullable=False),
        sa.Column("smtp_security", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ux_mail_accounts_user_name", "mail_accounts", ["user_id", "name"], unique=True)
    op.create_table(
        "mail_folders",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        _account(),
        sa.Column("folder", sa.String(300), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger, nullable=False),
        sa.Column("last_uid", sa.BigInteger, nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ux_mail_folders_account_folder", "mail_folders", ["account_id", "folder"], unique=True
    )
    op.create_table(
        "mail_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        _account(),
        sa.Column("folder", sa.String(300), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("message_id", sa.String(998), nullable=False),
        sa.Column("sender_name", sa.Text, nullable=False),
        sa.Column("sender_addr", sa.String(320), nullable=False),
        sa.Column("recipients", sa.JSON, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("attachments", sa.JSON, nullable=False),
        sa.Column("calendar", sa.Text, nullable=True),
        sa.Column("problems", sa.JSON, nullable=False),
        sa.Column("headers", sa.JSON, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("category", sa.String(20), nullable=True),
        sa.Column("reading", sa.JSON, nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ux_mail_messages_account_key",
        "mail_messages",
        ["account_id", "folder", "key"],
        unique=True,
    )
    op.create_index("ix_mail_messages_user_sent", "mail_messages", ["user_id", "sent_at"])
    op.create_table(
        "mail_drafts",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        _account(),
        sa.Column("reply_to", sa.Integer, sa.ForeignKey("mail_messages.id", ondelete="SET NULL")),
        sa.Column("recipients", sa.JSON, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_mail_drafts_user", "mail_drafts", ["user_id", "status"])


def downgrade() -> None:
    for table in ("mail_drafts", "mail_messages", "mail_folders", "mail_accounts"):
        op.drop_table(table)
