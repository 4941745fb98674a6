"""theme ids are never reused

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 10:00:00

SQLite gives a new row the highest rowid + 1, so deleting the newest theme and creating another
gave the new one the deleted one's id; AUTOINCREMENT never reuses one. PostgreSQL's sequences
never did: nothing changes there.
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _rebuild_theme(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "theme", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def upgrade() -> None:
    _rebuild_theme(True)


def downgrade() -> None:
    _rebuild_theme(False)
