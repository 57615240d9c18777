"""Shared fixtures: databases for storage tests on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from bot.clock import ManualClock, use_clock
from bot.schema import create_schema
from bot.storage.db import Database

#: Fixtures shared by several test folders (the real assistant of the channel tests).
pytest_plugins = ["tests.fakes.real_assistant"]

#: The moment frozen by the ``manual_clock`` fixture (a Monday morning, 07:30 in Vietnam).
FROZEN_AT = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_database(create: bool = True) -> Iterator[Database]:
    """A Database in a private schema of the test PostgreSQL database (with every table unless
    ``create`` is false), dropped afterwards."""
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # fail loudly: these tests must not be skipped silently
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is not usable ({exc}); run scripts/ensure-postgres.sh")
    sep = "&" if "?" in POSTGRES_URL else "?"
    db = Database(f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}")
    if create:
        create_schema(db)
    try:
        yield db
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:
    """The same storage tests run on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'test.db'}")
        create_schema(db)
        yield db
        db.dispose()
    else:
        yield from postgres_database()


@pytest.fixture
def manual_clock() -> Iterator[ManualClock]:
    """The process-wide clock stopped at ``FROZEN_AT`` for one test (move it with ``set``/``advance``)."""
    with use_clock(ManualClock(FROZEN_AT)) as clock:
        yield clock
