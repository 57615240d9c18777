"""The connection pool: no ping on a busy connection, a dropped idle one replaced; autocommit reads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from bot.clock import ManualClock
from bot.dossiers.models import GuessCounter
from bot.storage.db import IDLE_PING_SECONDS, Database
from tests.conftest import postgres_database


@pytest.fixture
def pg() -> Iterator[Database]:
    yield from postgres_database()


def _backend_pid(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(text("SELECT pg_backend_pid()")) or 0)


def _drop(db: Database, pid: int) -> None:
    """Terminate the server process of one pooled connection, as a server restart or a proxy would."""
    other = Database(db.engine.url.render_as_string(hide_password=False))
    try:
        with other.engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        other.dispose()


def test_a_recently_used_connection_goes_out_unchecked(pg: Database, manual_clock: ManualClock) -> None:
    dropped = _backend_pid(pg)
    _drop(pg, dropped)
    manual_clock.advance(IDLE_PING_SECONDS - 1)
    with pytest.raises(OperationalError):  # no ping: the one statement on the dead connection fails...
        _backend_pid(pg)
    assert _backend_pid(pg) != dropped  # ...and the pool, invalidated, connects afresh for the next one


def test_a_connection_dropped_while_idle_is_replaced_before_use(pg: Database, manual_clock: ManualClock) -> None:
    dropped = _backend_pid(pg)
    _drop(pg, dropped)
    manual_clock.advance(IDLE_PING_SECONDS + 1)
    assert _backend_pid(pg) != dropped  # no error reaches the caller: checked when handed out, and replaced


def test_reading_sends_no_begin(pg: Database) -> None:
    with pg.reading() as s:
        assert list(s.scalars(select(GuessCounter))) == []
        assert s.connection().connection.driver_connection.info.transaction_status == TransactionStatus.IDLE
    with pg.session() as s:  # a session, by contrast, opens a transaction
        assert list(s.scalars(select(GuessCounter))) == []
        assert s.connection().connection.driver_connection.info.transaction_status == TransactionStatus.INTRANS


def test_reading_works_on_sqlite(database: Database) -> None:
    with database.reading() as s:
        assert s.scalar(text("SELECT 1")) == 1
