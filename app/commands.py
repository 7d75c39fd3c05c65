"""What each `accord` command does: serve, demo, db upgrade|downgrade|current,
user create|disable|enable|admin|password, backup and restore (app/cli.py reads the command
line)."""

import argparse
import contextlib
import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import ValidationError
from sqlmodel import Session, func, select

from app import migrate, restore
from app.backup import BackupError, back_up
from app.collab.batching import BatchingWebSocketProtocol
from app.collab.fanout import CHANNEL, notice
from app.config import Settings, get_settings
from app.db import DurabilityError, check_durability, make_engine
from app.demo import DEMO_PASSWORD, seed
from app.errors import AccordError, describe_validation_errors
from app.main import create_app
from app.models.user import MAX_PASSWORD, MIN_PASSWORD, NewAccount
from app.services import accounts
from app.supervisor import HEALTHCHECK_SECONDS, Supervisor

MAIL_OFF = (
    "Mail is off: set ACCORD_SMTP_URL (such as smtp://user:password@mail.example.org:587) "
    "to send notifications by email."
)
DEMO_MAIL_OFF = (
    "Mail is off. To read what the demo sends, run a mail catcher such as Mailpit "
    "(SMTP on port 1025, its pages at http://localhost:8025/) and start the demo with "
    "ACCORD_SMTP_URL=smtp://127.0.0.1:1025."
)


class CommandError(Exception):
    """A failure to report in one line, exiting with status 1."""


def _prepare_database(settings: Settings) -> None:
    """Upgrade an embedded SQLite database; insist that PostgreSQL was upgraded on purpose."""
    engine = make_engine(settings)
    try:
        check_durability(engine)
        if settings.is_sqlite:
            migrate.upgrade(engine)
        else:
            migrate.check_current(engine)
    finally:
        engine.dispose()


def _serve(
    settings: Settings,
    host: str,
    port: int,
    reload: bool,
    workers: int = 1,
    *,
    mail_off: str = MAIL_OFF,
) -> None:
    # Websocket pings: a connection that does not answer a ping within ping_seconds is
    # closed and leaves its room, so dead clients hold nothing for long. Live frames are
    # small JSON, so permessage-deflate saves little and costs a compression per frame and
    # recipient plus zlib state for each socket's life: off unless asked for.
    if workers > 1 and settings.is_sqlite:
        raise CommandError(
            f"Asked for {workers} workers, but SQLite lets one process write at a time, so "
            "Accord runs one worker on it. For more, use PostgreSQL: set ACCORD_DATABASE_URL "
            "(the README's section on scaling out says how)."
        )
    if workers > 1 and reload:
        raise CommandError("--reload runs one worker; leave out --workers.")
    _prepare_database(settings)
    if settings.smtp is None:
        print(mail_off)
    print(f"Accord is at http://{host}:{port}/" + (f" ({workers} workers)" if workers > 1 else ""))
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": settings.log_level,
        "proxy_headers": True,
        "ws_ping_interval": settings.ping_seconds,
        "ws_ping_timeout": settings.ping_seconds,
        "ws_per_message_deflate": settings.ws_deflate,
        "ws": BatchingWebSocketProtocol,
    }
    sys.stdout.flush()
    if workers > 1:
        # Each worker process builds the app itself, from the same ACCORD_ environment.
        config = uvicorn.Config(
            "app.main:create_app",
            factory=True,
            workers=workers,
            timeout_worker_healthcheck=HEALTHCHECK_SECONDS,
            **options,
        )
        supervisor = Supervisor(config)
        with contextlib.suppress(KeyboardInterrupt):
            supervisor.run()
        if supervisor.failed:
            raise CommandError("A worker could not start (its error is above), so Accord stopped.")
    elif reload:
        uvicorn.run("app.main:create_app", factory=True, reload=True, **options)
    else:
        uvicorn.run(create_app(settings), **options)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> None:
    host, port = args.host or settings.host, args.port or settings.port
    workers = settings.workers if args.workers is None else args.workers
    if workers < 1:
        raise CommandError("--workers must be 1 or more.")
    _serve(settings, host, port, args.reload, workers)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> None:
    path = settings.data_dir / "demo.sqlite3"
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    demo = settings.model_copy(update={"database_url": f"sqlite:///{path.as_posix()}"})
    engine = make_engine(demo)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session:
            statement_id, people = seed(session=session, settings=demo)
    finally:
        engine.dispose()
    host, port = args.host or settings.host, args.port or settings.port
    print(f"A fresh demo database is at {path}.")
    print(f"Open http://{host}:{port}/statements/{statement_id} and sign in as anyone below,")
    print(f"each with the password {DEMO_PASSWORD!r}:\n")
    for person in people:
        print(f"  {person.email:<48} {person.role.value:<12} {person.name}")
    print(flush=True)
    if not args.no_serve:
        _serve(demo, host, port, reload=False, mail_off=DEMO_MAIL_OFF)


def cmd_db(args: argparse.Namespace, settings: Settings) -> None:
    engine = make_engine(settings)
    try:
        if args.action == "upgrade":
            check_durability(engine)
            migrate.upgrade(engine, args.revision or "head")
        elif args.action == "downgrade":
            if not args.revision:
                raise CommandError("Say which revision to go back to, or 'base'.")
            migrate.downgrade(engine, args.revision)
        print(
            f"Schema revision: {migrate.current_revision(engine) or 'none'} "
            f"(this Accord's newest: {migrate.head_revision()})"
        )
    finally:
        engine.dispose()


def cmd_backup(args: argparse.Namespace, settings: Settings) -> None:
    engine = make_engine(settings)
    try:
        summary = back_up(engine, args.file)
    except BackupError as error:
        raise CommandError(str(error)) from None
    finally:
        engine.dispose()
    # Written to standard output, the backup leaves the report to standard error.
    report = sys.stderr if args.file == "-" else sys.stdout
    print(f"Backed up {summary.describe()} to {args.file}.", file=report)


def cmd_restore(args: argparse.Namespace, settings: Settings) -> None:
    engine = make_engine(settings)
    try:
        check_durability(engine)
        summary = restore.restore(engine, args.file, force=args.force)
    except BackupError as error:
        raise CommandError(str(error)) from None
    finally:
        engine.dispose()
    print(
        f"Restored {summary.describe()}, backed up from {summary.database} at {summary.created_at}."
    )


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != password:
        raise CommandError("The passwords differ.")
    return password


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    """A database session for a command on accounts, on a schema brought up to date."""
    _prepare_database(settings)
    engine = make_engine(settings)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def cmd_user_create(args: argparse.Namespace, settings: Settings) -> None:
    try:
        account = NewAccount(
            email=args.email,
            name=args.name,
            organisation=args.organisation,
            password=_read_password(),
        )
    except ValidationError as error:
        raise CommandError(describe_validation_errors(error.errors())) from None
    with _session(settings) as session:
        user = accounts.create_user(session=session, account=account)
        user.admin = args.admin
        session.commit()
        role = "site administrator " if user.admin else ""
        print(f"Created {role}{user.name} <{user.email}> (id {user.id}).")


def cmd_user_access(args: argparse.Namespace, settings: Settings) -> None:
    """Disable an account (its sessions end and its live sockets close) or enable it again."""
    disable = args.user_command == "disable"
    with _session(settings) as session:
        user = accounts.by_email(session=session, email=args.email)
        accounts.set_disabled(session=session, user=user, disabled=disable)
        session.commit()
        if disable and session.get_bind().dialect.name == "postgresql":
            # The workers close the sockets at once; without this they would within seconds.
            session.exec(select(func.pg_notify(CHANNEL, notice("disabled", None, u=user.id))))
            session.commit()
        state = "disabled: signed out everywhere" if disable else "enabled"
        print(f"{user.name} <{user.email}> is {state}.")


def cmd_user_password(args: argparse.Namespace, settings: Settings) -> None:
    """Set a new password for someone who forgot theirs; their sessions end."""
    password = _read_password()
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise CommandError(f"A password has {MIN_PASSWORD} to {MAX_PASSWORD} characters.")
    with _session(settings) as session:
        user = accounts.by_email(session=session, email=args.email)
        accounts.reset_password(session=session, user=user, password=password)
        session.commit()
        print(f"{user.name} <{user.email}> has a new password and was signed out everywhere.")


def cmd_user_admin(args: argparse.Namespace, settings: Settings) -> None:
    """Make an account a site administrator, or (with --remove) no longer one."""
    with _session(settings) as session:
        user = accounts.by_email(session=session, email=args.email)
        user.admin = not args.remove
        session.add(user)
        session.commit()
        state = "a site administrator" if user.admin else "no longer a site administrator"
        print(f"{user.name} <{user.email}> is {state}.")


def run(args: argparse.Namespace) -> int:
    """Run the parsed command; the exit status: 0 done, 1 refused or failed, 2 misconfigured."""
    try:
        settings = get_settings()
    except ValidationError as error:
        print(
            f"accord: bad configuration: {describe_validation_errors(error.errors())}",
            file=sys.stderr,
        )
        return 2
    handlers = {
        "serve": cmd_serve,
        "demo": cmd_demo,
        "db": cmd_db,
        "backup": cmd_backup,
        "restore": cmd_restore,
    }
    user_command = getattr(args, "user_command", None)
    handlers["user"] = {
        "create": cmd_user_create,
        "admin": cmd_user_admin,
        "password": cmd_user_password,
    }.get(user_command or "", cmd_user_access)
    try:
        handlers[args.command](args, settings)
    except (CommandError, AccordError, DurabilityError, migrate.SchemaOutOfDate) as error:
        message = error.detail if isinstance(error, AccordError) else str(error)
        print(f"accord: {message}", file=sys.stderr)
        return 1
    return 0
