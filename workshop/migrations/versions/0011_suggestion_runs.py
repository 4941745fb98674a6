"""suggestion runs kept in the database: behind several processes, the page that follows a
run finds it on whichever process answers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 11:00:00
"""

import sqlalchemy as sa
from alembic import op

import workshop.models

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suggestion_run",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("fraction", sa.Float(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", workshop.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", workshop.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", workshop.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_run")),
    )
    op.create_index(op.f("ix_suggestion_run_owner"), "suggestion_run", ["owner"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_suggestion_run_owner"), table_name="suggestion_run")
    op.drop_table("suggestion_run")
