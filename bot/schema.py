"""The whole database schema: every module that defines tables, and the migrations that build it.

It sits at the top of ``bot/`` (beside the assistant and the command line), because it has to know the
tables of every package; the packages themselves only know ``bot.storage.models.Base``.

The schema is changed only by Alembic revisions in ``bot/migrations/versions/``. :func:`upgrade` brings a
database to the newest revision on every start: an empty database gets every revision, a database created
by the first release (tables but no ``alembic_version``) is stamped as the baseline first, and a database
whose revision this code does not know (it was upgraded by a newer release) is refused with
:class:`SchemaTooNew`. Concurrent starts are serialised (a PostgreSQL advisory lock, a file lock for
SQLite). To add a revision: change the models, then ``python -m bot db revision -m "what changed"``.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, MetaData, inspect, text

import bot.channels.zalo_models
import bot.dossiers.models
import bot.feedback.models
import bot.officers.models
import bot.outbox.models
import bot.storage.models  # noqa: F401
from bot.storage.db import Database
from bot.storage.models import Base

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"
#: A table every database created by the first release has (it had no ``alembic_version`` table).
_BASELINE_MARKER = "conversations"
_LOCK_KEY = 7_731_204_118  # PostgreSQL advisory lock held while migrating


class SchemaTooNew(RuntimeError):
    """The database was upgraded by a newer release than this code."""


def metadata() -> MetaData:
    """Every table of every package."""
    return Base.metadata


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for this project (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision this code knows."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def current_revision(db: Database) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextlib.contextmanager
def _migration_lock(db: Database, conn: Connection) -> Iterator[None]:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK_KEY})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})
            conn.commit()
        return
    database = db.engine.url.database
    if conn.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


def upgrade(db: Database) -> None:
    """Bring the database to the newest revision (see the module docstring); idempotent and safe to race."""
    scripts = ScriptDirectory.from_config(alembic_config())
    with db.engine.connect() as conn, _migration_lock(db, conn):
        current = MigrationContext.configure(conn).get_current_revision()
        if current is not None and not _known(scripts, current):
            raise SchemaTooNew(
                f"the database is at schema revision {current}, which this version of the assistant does not "
                f"know (newest known: {scripts.get_current_head()}); it was upgraded by a newer release. "
                "Run that release, or restore the backup taken before the upgrade."
            )
        if current == scripts.get_current_head():
            return
        config = alembic_config(conn)
        if current is None and inspect(conn).has_table(_BASELINE_MARKER):
            log.warning("database created before migrations existed: stamping it as revision %s", BASELINE)
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")
        conn.commit()
    log.info("database schema at revision %s", scripts.get_current_head())


def create_schema(db: Database) -> None:
    """Create or upgrade every table (the same as :func:`upgrade`)."""
    upgrade(db)
