"""Full-text search matches word forms: "lives" finds "live", "learning" finds "learn".

On SQLite the FTS5 index is rebuilt with the Porter stemmer; Postgres already
stems with its 'english' configuration.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _rebuild(tokenize: str) -> None:
    op.execute("DROP TABLE memories_fts")
    op.execute(f"CREATE VIRTUAL TABLE memories_fts USING fts5(about, content{tokenize})")
    op.execute(
        "INSERT INTO memories_fts(rowid, about, content) SELECT id, about, content FROM memories"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(", tokenize='porter unicode61'")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild("")
