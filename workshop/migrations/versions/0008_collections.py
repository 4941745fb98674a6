"""collections: the regional roll-up's collections, owners, members (tables), regional themes
and share links

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 07:03:25.720227
"""

import sqlalchemy as sa
from alembic import op

import workshop.models

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "collection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", workshop.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", workshop.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("earlier_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["facilitator.id"], name=op.f("fk_collection_created_by_facilitator")
        ),
        sa.ForeignKeyConstraint(
            ["earlier_id"],
            ["collection.id"],
            name=op.f("fk_collection_earlier_id_collection"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection")),
    )
    op.create_table(
        "collection_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=True),
        sa.Column("table_name", sa.String(length=120), nullable=False),
        sa.Column("table_key", sa.String(length=120), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("session_title", sa.String(length=200), nullable=False),
        sa.Column("results_json", sa.Text(), nullable=False),
        sa.Column("results_as_of", workshop.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("added_at", workshop.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", workshop.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collection.id"],
            name=op.f("fk_collection_member_collection_id_collection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_collection_member_workshop_id_workshop"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_member")),
        sa.UniqueConstraint(
            "collection_id",
            "source_key",
            name=op.f("uq_collection_member_collection_id_source_key"),
        ),
        sa.UniqueConstraint(
            "collection_id", "table_key", name=op.f("uq_collection_member_collection_id_table_key")
        ),
    )
    op.create_table(
        "collection_owner",
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collection.id"],
            name=op.f("fk_collection_owner_collection_id_collection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["facilitator.id"],
            name=op.f("fk_collection_owner_facilitator_id_facilitator"),
        ),
        sa.PrimaryKeyConstraint(
            "collection_id", "facilitator_id", name=op.f("pk_collection_owner")
        ),
    )
    op.create_table(
        "collection_share_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", workshop.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", workshop.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", workshop.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collection.id"],
            name=op.f("fk_collection_share_link_collection_id_collection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["facilitator.id"],
            name=op.f("fk_collection_share_link_created_by_facilitator"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_share_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_collection_share_link_token_hash")),
    )
    with op.batch_alter_table("collection_share_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_collection_share_link_collection_id"), ["collection_id"], unique=False
        )

    op.create_table(
        "regional_theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", workshop.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collection.id"],
            name=op.f("fk_regional_theme_collection_id_collection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regional_theme")),
    )
    with op.batch_alter_table("regional_theme", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_regional_theme_collection_id"), ["collection_id"], unique=False
        )

    op.create_table(
        "regional_theme_member",
        sa.Column("regional_theme_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["collection_member.id"],
            name=op.f("fk_regional_theme_member_member_id_collection_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["regional_theme_id"],
            ["regional_theme.id"],
            name=op.f("fk_regional_theme_member_regional_theme_id_regional_theme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "regional_theme_id", "member_id", "theme_id", name=op.f("pk_regional_theme_member")
        ),
        sa.UniqueConstraint(
            "member_id", "theme_id", name=op.f("uq_regional_theme_member_member_id_theme_id")
        ),
    )
    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table("regional_theme_member")
    with op.batch_alter_table("regional_theme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_regional_theme_collection_id"))

    op.drop_table("regional_theme")
    with op.batch_alter_table("collection_share_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collection_share_link_collection_id"))

    op.drop_table("collection_share_link")
    op.drop_table("collection_owner")
    op.drop_table("collection_member")
    op.drop_table("collection")
    # ### end Alembic commands ###
