"""Alembic migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from workshop import database
from workshop.collections import records  # noqa: F401  (the collections' tables)
from workshop.extensions import Base

TABLES = {
    "facilitator",
    "workshop",
    "workshop_facilitator",
    "participant",
    "response",
    "segment_run",
    "saved_agenda",
    "share_link",
    "ballot_submission",
    "installation",
    "collection",
    "collection_owner",
    "collection_member",
    "regional_theme",
    "regional_theme_member",
    "collection_share_link",
}


def assert_schema_matches_models(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) >= TABLES
            context = MigrationContext.configure(connection)
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def assert_round_trip(url: str) -> None:
    database.upgrade(url)
    assert_schema_matches_models(url)
    database.downgrade(url, "base")
    engine = create_engine(url)
    with engine.connect() as connection:
        assert not TABLES & set(inspect(connection).get_table_names())
    engine.dispose()
    database.upgrade(url)  # and up again, as a re-deploy would
    assert_schema_matches_models(url)


def test_migrations_on_sqlite(tmp_path):
    assert_round_trip(f"sqlite:///{tmp_path / 'nested' / 'db.sqlite'}")


@pytest.mark.postgres
def test_migrations_on_postgresql(postgres_url):
    assert_round_trip(postgres_url)


def test_upgrade_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    database.upgrade(url)
    database.upgrade(url)
    assert_schema_matches_models(url)


def test_rebuilding_the_theme_table_keeps_themes_their_links_and_answers(tmp_path):
    """0006 rebuilds `theme` on SQLite (so ids are never reused), and its downgrade rebuilds it
    back: the themes, their strategy links and their answers' places all survive both."""
    from room import RETRO, open_room

    with open_room(tmp_path) as room:
        host = room.facilitator()
        session = host.start()
        phone = room.phone(session)
        host.go_to(session, RETRO)
        answer = phone.answer("Childcare during evening meetings")
        host.board(session, "create", new_title="Access", response_ids=[str(answer)])
        (theme_id,) = room.themes(session)
        host.board(session, f"link:{theme_id}", **{f"strategy-{theme_id}": "access-childcare"})
        before = room.themes(session)
        url = room.app.config["DATABASE_URL"]
    assert before[theme_id]["answers"] == [answer] and before[theme_id]["strategies"]
    for step in ("0005", "head"):
        (database.downgrade if step == "0005" else database.upgrade)(url, step)
        engine = create_engine(url)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT theme_id FROM response").scalars().all() == [
                theme_id
            ]
            links = connection.exec_driver_sql("SELECT theme_id, strategy_id FROM theme_strategy")
            assert links.all() == [(theme_id, "access-childcare")]
            titles = connection.exec_driver_sql("SELECT title FROM theme").scalars().all()
            assert titles == ["Access"]
        engine.dispose()
