"""Alembic environment: the schema of app.models, on the configured database."""

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table on the metadata)
from app.config import get_settings
from app.db import make_engine

target_metadata = SQLModel.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = make_engine(get_settings())
    try:
        with engine.connect() as fresh:
            run_on(fresh)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Accord's migrations run against a live database: use `accord db upgrade`.")
run_online()
