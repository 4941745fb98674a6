"""Alembic environment: the URL comes from `workshop.database.alembic_config`."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from workshop import models  # noqa: F401  (registers the tables)
from workshop.collections import records  # noqa: F401  (the collections' tables)
from workshop.extensions import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    connectable.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `workshop init-db`")
run_migrations_online()
