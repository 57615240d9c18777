"""Engine and session factory: SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from bot import clock

#: A pooled connection idle longer than this is checked (one ``SELECT 1``) before it is handed out.
IDLE_PING_SECONDS = 30.0
#: Pooled connections are replaced after this long, before any server or proxy idle timeout drops them.
RECYCLE_SECONDS = 1800


def _normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://") :]
    return url


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL and a busy timeout so several threads/processes can share it.

    SQL parameters (names, complaint texts, digests) are never written to logs or error messages."""
    url = _normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    engine = create_engine(url, pool_pre_ping=False, pool_recycle=RECYCLE_SECONDS, pool_use_lifo=True,
                           pool_size=5, max_overflow=10, hide_parameters=True)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection only when it sat idle for ``IDLE_PING_SECONDS``, not on every checkout.

    A busy connection (LIFO: the pool hands out the most recently used one) goes out without a round
    trip. A dead idle one is discarded and the pool connects afresh (``DisconnectionError``); a connection
    dropped while in use fails that one statement, and SQLAlchemy then invalidates the whole pool."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record) -> None:  # type: ignore[no-untyped-def]
        record.info["idle_since"] = clock.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        since = record.info.get("idle_since")
        if since is None or clock.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            cursor = dbapi_conn.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi_conn.rollback()
        except Exception as error:  # the driver's own "connection closed" errors
            raise DisconnectionError("pooled connection was dropped while idle") from error


def rowcount(result: Result[Any]) -> int:
    """Rows matched by an UPDATE/DELETE executed through ``Session.execute``."""
    return cast(CursorResult[Any], result).rowcount


class Database:
    """Owns the engine and hands out sessions."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        """A new session; use as a context manager."""
        return self.sessions()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads that need no transaction: every statement commits on its own (autocommit), so
        a lookup is one round trip, without BEGIN and ROLLBACK. Nothing written through it is atomic."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn, Session(conn) as s:
            yield s

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
