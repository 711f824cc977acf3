"""A client's own hand: the handwriting parameters their letters are rendered with.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("letter_clients") as batch:
        batch.add_column(sa.Column("hand", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("letter_clients") as batch:
        batch.drop_column("hand")
