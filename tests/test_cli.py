"""The `accord` command: demo, serve (upgrading SQLite itself; several workers on PostgreSQL,
even on busy cores, replacing one that dies), db, user create and admin."""

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from app import migrate
from app.config import Settings
from app.db import make_engine
from app.models.membership import Membership
from app.models.statement import Statement
from app.models.user import User
from app.security import verify_password
from app.services.history import editing_sessions
from app.services.text import text_at
from app.supervisor import describe_exit
from tests.serving import busy_cores, serving

THEMES = [
    "Diversify and Alignment",
    "Resources and Structures",
    "Collaboration, Learning and Sharing",
    "Trust and Culture",
]


def accord(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACCORD_DATA_DIR": str(data_dir)}
    env.pop("ACCORD_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_demo_creates_workshop_statement(tmp_path: Path) -> None:
    result = accord(tmp_path, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    assert "facilitator@example.org" in result.stdout
    assert "wikimedia-norway@example.org" in result.stdout
    assert "accord-demo" in result.stdout
    engine = make_engine(
        Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/demo.sqlite3")
    )
    with Session(engine) as session:
        statement = session.exec(select(Statement)).one()
        assert statement.title == "Statement on Partnerships in the Wikimedia Movement"
        roles = [str(m.role) for m in session.exec(select(Membership))]
        assert len(roles) == 13
        assert roles.count("facilitator") == 1
        assert {"editor", "reviewer", "viewer"} <= set(roles)
        # The demo's facilitator runs the site too, so its accounts page can be tried.
        admins = [user.email for user in session.exec(select(User).where(User.admin))]
        assert admins == ["facilitator@example.org"]
        draft = text_at(session=session, statement_id=statement.id).text
        # Delegates' edits from the workshop's two days give history and authorship substance.
        days = editing_sessions(
            session=session,
            statement_id=statement.id,
            gap=timedelta(minutes=30),
            before=None,
            limit=10,
        )
    engine.dispose()
    for theme in THEMES:
        assert f"## {theme}" in draft
    assert "Case studies are published on Meta-Wiki" in draft
    assert [len(day.authors) for day in days] == [2, 2, 1]
    # Running it again starts afresh rather than failing on the old demo.
    assert accord(tmp_path, "demo", "--no-serve").returncode == 0


def test_user_create_reads_password_from_stdin(tmp_path: Path) -> None:
    args = [
        "user",
        "create",
        "--email",
        "Ada@Example.org",
        "--name",
        "Ada",
        "--organisation",
        "Wikimedia UK",
    ]
    created = accord(tmp_path, *args, stdin="a good long password\n")
    assert created.returncode == 0, created.stderr
    assert "ada@example.org" in created.stdout
    again = accord(tmp_path, *args, stdin="a good long password\n")
    assert again.returncode == 1
    assert "already exists" in again.stderr
    short = accord(
        tmp_path, "user", "create", "--email", "b@example.org", "--name", "B", stdin="short\n"
    )
    assert short.returncode == 1
    assert "password" in short.stderr


def _is_admin(data_dir: Path, email: str) -> bool:
    engine = make_engine(Settings(data_dir=data_dir))
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
    engine.dispose()
    return user.admin


def test_user_admin_names_and_removes_site_administrators(tmp_path: Path) -> None:
    password = "a good long password\n"
    created = accord(
        tmp_path,
        "user",
        "create",
        "--email",
        "ada@example.org",
        "--name",
        "Ada",
        "--admin",
        stdin=password,
    )
    assert created.returncode == 0, created.stderr
    assert "Created site administrator Ada" in created.stdout
    assert _is_admin(tmp_path, "ada@example.org")
    made = accord(
        tmp_path, "user", "create", "--email", "ben@example.org", "--name", "Ben", stdin=password
    )
    assert "site administrator" not in made.stdout
    assert not _is_admin(tmp_path, "ben@example.org")

    named = accord(tmp_path, "user", "admin", "--email", "Ben@Example.org")
    assert named.returncode == 0, named.stderr
    assert "Ben <ben@example.org> is a site administrator." in named.stdout
    assert _is_admin(tmp_path, "ben@example.org")
    removed = accord(tmp_path, "user", "admin", "--email", "ben@example.org", "--remove")
    assert "no longer a site administrator" in removed.stdout
    assert not _is_admin(tmp_path, "ben@example.org")
    nobody = accord(tmp_path, "user", "admin", "--email", "nobody@example.org")
    assert nobody.returncode == 1
    assert "There is no account with the email" in nobody.stderr


def test_user_password_sets_a_forgotten_one(tmp_path: Path) -> None:
    old, new = "the old long password\n", "the new long password\n"
    accord(tmp_path, "user", "create", "--email", "ada@example.org", "--name", "Ada", stdin=old)
    reset = accord(tmp_path, "user", "password", "--email", "ada@example.org", stdin=new)
    assert reset.returncode == 0, reset.stderr
    assert "has a new password and was signed out everywhere" in reset.stdout
    engine = make_engine(Settings(data_dir=tmp_path))
    with Session(engine) as session:
        user = session.exec(select(User)).one()
        assert verify_password(user.password_hash, new.strip())
        assert not verify_password(user.password_hash, old.strip())
    engine.dispose()
    short = accord(tmp_path, "user", "password", "--email", "ada@example.org", stdin="short\n")
    assert short.returncode == 1
    assert "8 to 1024 characters" in short.stderr


def test_db_upgrade_reports_revision(tmp_path: Path) -> None:
    result = accord(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert f"Schema revision: {migrate.head_revision()}" in result.stdout


def test_bad_configuration_refused(tmp_path: Path) -> None:
    env_result = subprocess.run(
        [sys.executable, "-m", "app.cli", "db", "current"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "ACCORD_DATABASE_URL": "mysql://nope", "ACCORD_DATA_DIR": str(tmp_path)},
    )
    assert env_result.returncode == 2
    assert "ACCORD_DATABASE_URL must start with" in env_result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serve_upgrades_sqlite_and_answers(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ACCORD_DATA_DIR": str(tmp_path)}
    env.pop("ACCORD_DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/me")
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("accord serve did not start")
                time.sleep(0.1)
        assert response.status_code == 401
        page = httpx.get(f"http://127.0.0.1:{port}/signin")
        assert page.status_code == 200
        assert "text/html" in page.headers["content-type"]
        assert (tmp_path / "accord.sqlite3").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_refuses_several_workers_on_sqlite(tmp_path: Path) -> None:
    refused = accord(tmp_path, "serve", "--workers", "2")
    assert refused.returncode == 1
    assert "SQLite lets one process write at a time" in refused.stderr
    assert "ACCORD_DATABASE_URL" in refused.stderr
    assert not (tmp_path / "accord.sqlite3").exists()  # refused before touching anything
    assert accord(tmp_path, "serve", "--workers", "0").returncode == 1


def _workers_env(database_url: str, data_dir: Path) -> dict[str, str]:
    return {
        "ACCORD_DATABASE_URL": database_url,
        "ACCORD_DATA_DIR": str(data_dir),
        "ACCORD_LOG_LEVEL": "warning",
    }


@pytest.mark.slow
@pytest.mark.postgres
def test_serve_starts_workers_on_busy_cores(serve_database: str, tmp_path: Path) -> None:
    """Both workers come up while every core is busy, none killed for answering slowly."""
    cores = os.cpu_count() or 2
    with (
        busy_cores(2 * cores, longest=900),
        serving(_workers_env(serve_database, tmp_path), 2, tmp_path / "out.log") as served,
    ):
        deadline = time.monotonic() + 300
        while len(started := served.workers()) < 2:
            assert time.monotonic() < deadline, served.text()
            assert served.process.poll() is None, served.text()
            time.sleep(0.1)
        answering = served.wait_until_answering(2, within=600)
        assert answering == set(started), served.text()
        assert "started worker" not in served.text()


@pytest.mark.slow
@pytest.mark.postgres
def test_serve_says_when_a_worker_dies_and_replaces_it(serve_database: str, tmp_path: Path) -> None:
    with serving(_workers_env(serve_database, tmp_path), 2, tmp_path / "out.log") as served:
        victim, survivor = sorted(served.wait_until_answering(2, within=300))
        served.close_held()
        os.kill(victim, signal.SIGKILL)
        line = served.wait_for_output(f"Worker {victim} was killed by SIGKILL", within=300)
        replacement = int(line.rpartition("started worker ")[2].split()[0])
        assert replacement not in (victim, survivor)
        assert served.wait_until_answering(2, within=300) == {survivor, replacement}
        assert served.process.poll() is None


def test_describe_worker_exit() -> None:
    assert describe_exit(-signal.SIGKILL) == "was killed by SIGKILL"
    assert describe_exit(-signal.SIGSEGV) == "was killed by SIGSEGV"
    assert describe_exit(1) == "exited with code 1"
    assert describe_exit(0) == "exited with code 0"
