"""The `accord` command line: serve, demo, db upgrade|downgrade|current,
user create|disable|enable|admin|password, backup and restore.

This module only reads the command line; app/commands.py does the work and imports the app.
`accord serve --workers N` starts each worker as a new Python process that imports this
module first, before it answers the supervisor's health checks (app/supervisor.py), so this
module imports little.
"""

import argparse
import sys
from collections.abc import Sequence


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="accord", description="Co-write one statement and agree on it."
    )
    commands = top.add_subparsers(dest="command", required=True)

    for name, helptext in (
        ("serve", "run Accord"),
        ("demo", "run Accord on a fresh demo database"),
    ):
        command = commands.add_parser(name, help=helptext)
        command.add_argument("--host", help="address to listen on (ACCORD_HOST)")
        command.add_argument("--port", type=int, help="port to listen on (ACCORD_PORT)")
        if name == "serve":
            command.add_argument("--reload", action="store_true", help="restart on code changes")
            command.add_argument(
                "--workers",
                type=int,
                help="worker processes, on PostgreSQL only (ACCORD_WORKERS, default 1)",
            )
        else:
            command.add_argument("--no-serve", action="store_true", help="only create the database")

    db = commands.add_parser("db", help="the database schema")
    db.add_argument("action", choices=["upgrade", "downgrade", "current"])
    db.add_argument("revision", nargs="?", help="target revision (upgrade: default head)")

    dump = commands.add_parser(
        "backup", help="write the whole database to a file; safe while Accord runs"
    )
    dump.add_argument("file", help="the file to write (gzip-compressed JSON lines); - for stdout")
    load = commands.add_parser("restore", help="load a backup into an empty database")
    load.add_argument("file", help="a file `accord backup` wrote; - for stdin")
    load.add_argument("--force", action="store_true", help="empty a database that holds data first")

    user = commands.add_parser("user", help="accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    create = user_commands.add_parser("create", help="create an account; password on stdin")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--organisation", default="")
    create.add_argument(
        "--admin", action="store_true", help="a site administrator, who may disable accounts"
    )
    for name, helptext in (
        ("disable", "stop an account signing in; ends its sessions and live connections"),
        ("enable", "let a disabled account sign in again"),
    ):
        user_commands.add_parser(name, help=helptext).add_argument("--email", required=True)
    user_commands.add_parser(
        "password", help="set a new password (on stdin) for someone who forgot theirs"
    ).add_argument("--email", required=True)
    admin = user_commands.add_parser(
        "admin", help="make an account a site administrator, who may disable and enable accounts"
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--remove", action="store_true", help="no longer an administrator")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from app import commands  # the app and its libraries: seconds of imports on a busy host

    return commands.run(args)


if __name__ == "__main__":
    sys.exit(main())
