"""``python -m bot db upgrade|current|revision``: the database schema and its Alembic revisions."""

from __future__ import annotations

import argparse

from alembic import command

from bot.config import Settings
from bot.schema import SchemaTooNew, alembic_config, current_revision, head, upgrade
from bot.storage.db import Database


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add the ``db`` command to the main parser."""
    p = subparsers.add_parser("db", help="database schema: upgrade, show the revision, write a new revision")
    sub = p.add_subparsers(dest="db_command", required=True)
    sub.add_parser("upgrade", help="bring the database to the newest schema (the service also does it on start)")
    sub.add_parser("current", help="print the database's schema revision and the newest one this code knows")
    rev = sub.add_parser("revision", help="developers: write a new revision from the changed models")
    rev.add_argument("-m", "--message", required=True, help="what the revision changes, in a few words")
    return p


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run a ``db`` subcommand; the process exit code."""
    db = Database(settings.database_url)
    try:
        if args.db_command == "current":
            print(f"database: {current_revision(db) or 'none'}; newest known: {head()}")
            return 0
        upgrade(db)
        if args.db_command == "upgrade":
            print(f"database schema at revision {head()}")
            return 0
        with db.engine.connect() as conn:
            command.revision(alembic_config(conn), message=args.message, autogenerate=True)
        return 0
    except SchemaTooNew as exc:
        print(f"error: {exc}")
        return 2
    finally:
        db.dispose()
