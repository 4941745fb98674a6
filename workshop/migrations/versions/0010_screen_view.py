"""screen view: the facilitators' choices for the projector (the full join screen again,
the answers wall per prompt)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 10:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screen_view",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("show_join", sa.Boolean(), nullable=False),
        sa.Column("wall_prompts", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_screen_view_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workshop_id", name=op.f("pk_screen_view")),
    )


def downgrade() -> None:
    op.drop_table("screen_view")
