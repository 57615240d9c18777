"""The whole database schema: every module that defines tables, and the migrations that build it.

It sits at the top of ``bot/`` (beside the assistant and the command line), because it has to know the
tables of every package; the packages themselves only know ``bot.storage.models.Base``. A package's tables
live in a module named ``models.py`` or ``<something>_models.py``; :func:`metadata` imports every such
module under ``bot/``, so a new package or channel with tables needs no line here.

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
import importlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, MetaData, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from bot.storage.db import Database
from bot.storage.models import Base

if TYPE_CHECKING:  # Alembic (with Mako and Pygments, a fifth of a second) is imported only to migrate
    from alembic.config import Config
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"
#: A table every database created by the first release has (it had no ``alembic_version`` table).
_BASELINE_MARKER = "conversations"
_LOCK_KEY = 7_731_204_118  # PostgreSQL advisory lock held while migrating


class SchemaTooNew(RuntimeError):
    """The database was upgraded by a newer release than this code."""


PACKAGE_ROOT = Path(__file__).resolve().parent


def table_modules() -> list[str]:
    """The modules that define tables: ``bot/**/models.py`` and ``bot/**/*_models.py``, by name."""
    found = {*PACKAGE_ROOT.rglob("models.py"), *PACKAGE_ROOT.rglob("*_models.py")}
    names = (".".join(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts) for path in found)
    return sorted(name for name in names if ".migrations." not in name)


for _module in table_modules():  # every table is known as soon as the schema is (as plain imports did)
    importlib.import_module(_module)


def metadata() -> MetaData:
    """Every table of every package."""
    return Base.metadata


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for this project (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision this code knows."""
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def current_revision(db: Database) -> str | None:
    """The revision the database is at (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext

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
    from alembic.util import CommandError

    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


_REVISION = re.compile(r"""^revision = ["']([^"']+)["']$""", re.MULTILINE)
_DOWN_REVISION = re.compile(r"""^down_revision = (?:None|["']([^"']+)["'])$""", re.MULTILINE)


def _single_head() -> str | None:
    """The newest revision as the revision files state it, when they form one chain with one head; None for
    anything else (a merge, two heads, another layout), which is left to Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(source), _DOWN_REVISION.search(source)
        if len(revision) != 1 or down is None:
            return None
        revisions.add(revision[0])
        if down.group(1):
            parents.add(down.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def _at_head(db: Database) -> bool:
    """Whether the database is at the newest revision, read without Alembic (False when unsure)."""
    newest = _single_head()
    if newest is None:
        return False
    try:
        with db.engine.connect() as conn:
            stored = list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except SQLAlchemyError:  # no version table yet: Alembic decides
        return False
    return stored == [newest]


def upgrade(db: Database) -> None:
    """Bring the database to the newest revision (see the module docstring); idempotent and safe to race."""
    if _at_head(db):
        return  # the usual start: nothing to migrate, Alembic not even imported
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

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
