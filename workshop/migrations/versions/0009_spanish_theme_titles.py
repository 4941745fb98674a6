"""Spanish theme titles: a theme's title for Spanish-speaking phones, and the copy a vote
round's candidate keeps of it

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("theme") as batch:
        batch.add_column(
            sa.Column("title_es", sa.String(length=120), server_default="", nullable=False)
        )
    with op.batch_alter_table("candidate") as batch:
        batch.add_column(
            sa.Column("title_es", sa.String(length=300), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("candidate") as batch:
        batch.drop_column("title_es")
    # SQLite rebuilds the table to drop a column: keep its ids never reused (0006).
    with op.batch_alter_table("theme", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("title_es")
