"""Migrations: an empty database, a database created by the first release, a newer one, concurrent starts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from bot.schema import SchemaTooNew, alembic_config, current_revision, head, metadata, upgrade
from bot.storage.db import Database
from tests.conftest import postgres_database


@pytest.fixture(params=["sqlite", "postgres"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database without any table, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
        yield db
        db.dispose()
    else:
        yield from postgres_database(create=False)


def _differences(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata()))


def test_an_empty_database_is_built_by_the_migrations_exactly_as_the_models_say(empty_db: Database) -> None:
    assert current_revision(empty_db) is None
    upgrade(empty_db)
    assert current_revision(empty_db) == head()
    assert _differences(empty_db) == []
    upgrade(empty_db)  # idempotent
    assert current_revision(empty_db) == head()


def test_a_database_of_the_first_release_is_stamped_and_upgraded_keeping_its_rows(empty_db: Database) -> None:
    with empty_db.engine.connect() as conn:  # what the first release's create_all left: tables, no revision
        command.upgrade(alembic_config(conn), "0001")
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(text("INSERT INTO conversations (channel, chat_id, language, state, updated_at) "
                          "VALUES ('telegram', '42', 'vi', '{}', CURRENT_TIMESTAMP)"))
        conn.commit()
    assert current_revision(empty_db) is None
    upgrade(empty_db)
    assert current_revision(empty_db) == head()
    assert _differences(empty_db) == []
    with empty_db.engine.connect() as conn:
        assert conn.execute(text("SELECT chat_id FROM conversations")).scalar_one() == "42"
    columns = {c["name"]: c["type"] for c in inspect(empty_db.engine).get_columns("outbox")}
    assert getattr(columns["channel"], "length", None) == 32


def test_a_database_upgraded_by_a_newer_release_is_refused(empty_db: Database) -> None:
    upgrade(empty_db)
    with empty_db.engine.connect() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
        conn.commit()
    with pytest.raises(SchemaTooNew, match="ffff_from_the_future"):
        upgrade(empty_db)


def test_two_processes_starting_at_once_upgrade_once(empty_db: Database) -> None:
    url = empty_db.engine.url.render_as_string(hide_password=False)
    errors: list[BaseException] = []

    def start() -> None:
        other = Database(url)
        try:
            upgrade(other)
        except BaseException as exc:
            errors.append(exc)
        finally:
            other.dispose()

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert current_revision(empty_db) == head()


def test_a_start_at_the_newest_revision_checks_it_without_alembic(empty_db: Database) -> None:
    from bot import schema

    assert schema._single_head() == head()  # the revision files read as Alembic reads them
    assert not schema._at_head(empty_db)  # no version table: Alembic decides
    upgrade(empty_db)
    assert schema._at_head(empty_db)
    with empty_db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert not schema._at_head(empty_db)  # an older database: Alembic migrates it (tests above)
