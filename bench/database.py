"""The databases the benchmarks run on: which there are, and a fresh one seeded for a run.

SQLite lives in a temporary folder; on PostgreSQL the benchmarks use a database of their own,
`accord_bench` (ACCORD_BENCH_POSTGRES names another), dropped and created again for each run,
never the one the tests use.
"""

import os
import sys
from collections.abc import Iterator

import psycopg
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app import migrate
from app.config import Settings
from app.db import make_engine
from app.models.membership import Role
from app.models.statement import StatementCreate
from app.models.user import User
from app.services import members, sessions, statements

# The database benchmarks create on a PostgreSQL server, never the one the tests use.
POSTGRES_DATABASE = "accord_bench"
POSTGRES = os.environ.get(
    "ACCORD_BENCH_POSTGRES", f"postgresql://postgres@127.0.0.1:5432/{POSTGRES_DATABASE}"
)
DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}  # a --database choice: its name
DRAFT = "We agree to share what we learn, openly and in time.\n"


def database_url(database: str) -> str:
    """The URL `running` takes for a --database choice: empty for SQLite."""
    return POSTGRES if database == "postgres" else ""


def setups(databases: list[str], workers: list[int]) -> Iterator[tuple[str, int]]:
    """The (database, workers) pairs to run: SQLite only with one worker, all it allows."""
    for database in databases:
        for count in workers:
            if count > 1 and database == "sqlite":
                print(f"(SQLite runs one worker: skipping {count})", file=sys.stderr)
                continue
            yield database, count


def recreate_postgres(url: str) -> None:
    """Drop and create the database named in `url`, connecting to the server's `postgres`."""
    parsed = make_url(url)
    name = parsed.database
    if not name or name in {"postgres", "test", "template0", "template1"}:
        raise SystemExit(f"refusing to recreate the database {name!r}; name a benchmark one")
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(
    settings: Settings, users: int, statement_count: int, text: str = DRAFT
) -> tuple[list[str], list[int]]:
    """Create the users (no password: they use tokens), the statements and the memberships."""
    engine = make_engine(settings)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session:
            people = [
                User(
                    name=f"Delegate {n}",
                    organisation=f"Organisation {n}",
                    email=f"delegate-{n}@example.org",
                    password_hash="!",  # noqa: S106  (no argon2 hash: matches no password)
                )
                for n in range(users)
            ]
            session.add_all(people)
            session.flush()
            tokens = [
                sessions.create_api_token(session=session, user=person, name="bench")[1]
                for person in people
            ]
            ids = []
            for n in range(statement_count):
                statement = statements.create_statement(
                    session=session,
                    settings=settings,
                    statement_in=StatementCreate(title=f"Statement {n}", context="", text=text),
                    author=people[0],
                )
                assert statement.id is not None
                ids.append(statement.id)
                for person in people[1:]:
                    members.add_member(
                        session=session, statement_id=statement.id, user=person, role=Role.editor
                    )
            session.commit()
    finally:
        engine.dispose()
    return tokens, ids
