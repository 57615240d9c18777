"""Writing accepted rows inside the import's transaction: the shared part, and the chunked loader for SQLite.

A loader receives the accepted rows one by one (``add``), then ``finish`` checks status reversals against
the stored dossiers and writes (unless a row of the file was rejected: the caller rolls back). Both loaders
produce the same rows: dossiers inserted or updated when their content hash differs, one status-history
event per changed status, apologies inserted or updated by (dossier, sending time).

The SQLite loader works in chunks through the raw DB-API cursor (prepared statements, ``executemany``, no
ORM objects): the stored code, hash and status of a chunk are read at once, then new rows inserted and
changed rows updated. The journal and ``synchronous`` settings of the database stay as configured.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from bot.dossiers.import_rows import ImportResult, Parsed, is_reversal, reversal
from bot.dossiers.models import StatusChange

#: The dossier columns an import sets, in the key order of ``Parsed.values``.
COLUMNS = (
    "code", "procedure_code", "procedure_name", "field", "unit", "officer", "applicant_name", "current_step",
    "phone_digest", "id_number_digest", "phone_year_digest", "received_at", "due_at", "due_computed",
    "finished_at", "returned_at", "status", "status_text", "is_open", "online", "paid_online", "supplements",
    "digitised", "content_hash",
)  # fmt: skip
#: Codes looked up per statement (below SQLite's limit of bound parameters).
_LOOKUP = 5000


class Loader:
    """What both loaders share: the result being filled, the moment and source of the import."""

    def __init__(
        self, conn: Connection, result: ImportResult, source_name: str, status_column: str, allow_reversal: bool,
        now: datetime, chunk_rows: int,
    ) -> None:  # fmt: skip
        self.conn = conn
        self.result = result
        self.source = source_name[:255]
        self.status_column = status_column
        self.allow_reversal = allow_reversal
        self.now = now
        self.chunk_rows = chunk_rows

    @staticmethod
    def stored_time(value: datetime) -> object:
        """A time as the loader writes it (``RowReader`` converts each distinct cell once)."""
        return value

    def add(self, parsed: Parsed) -> None:
        """One accepted row (rows come in file order, codes are unique)."""
        raise NotImplementedError

    def finish(self) -> None:
        """After the last row: reject reversals, then write everything unless a row was rejected."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the loader holds (also after an error)."""

    def reject_reversal(self, line: int, old: str, new: str, status_text: str) -> None:
        """Record a status going back as a rejected row."""
        self.result.rejected.append(reversal(line, old, new, status_text, self.status_column))

    def changed_status(self, dossier_id: int, code: str, old: str, new: str) -> None:
        """Record a status change (what followers are told)."""
        self.result.status_changes.append(StatusChange(dossier_id, code, old, new))


def sqlite_time(value: datetime | None) -> str | None:
    """A time as SQLAlchemy stores a UTC time in SQLite (``YYYY-MM-DD HH:MM:SS.ffffff``, naive taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is not None and value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]


class ChunkLoader(Loader):
    """SQLite (and any other DB-API database): chunks of rows through prepared statements."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chunk: list[Parsed] = []
        self.cur = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        names = ", ".join(COLUMNS)
        marks = ", ".join("?" * (len(COLUMNS) + 1))
        self.insert_sql = f"INSERT INTO dossiers ({names}, updated_at) VALUES ({marks})"
        sets = ", ".join(f"{c} = ?" for c in COLUMNS)
        self.update_sql = f"UPDATE dossiers SET {sets}, updated_at = ? WHERE id = ?"
        self.stamp = sqlite_time(self.now)

    @staticmethod
    def stored_time(value: datetime) -> object:
        return sqlite_time(value)

    def add(self, parsed: Parsed) -> None:
        self.chunk.append(parsed)
        if len(self.chunk) >= self.chunk_rows:
            self._apply(self.chunk)
            self.chunk = []

    def finish(self) -> None:
        if self.chunk:
            self._apply(self.chunk)
            self.chunk = []

    def close(self) -> None:
        self.cur.close()

    def _params(self, p: Parsed) -> list[object]:
        return [*p.values.values(), self.stamp]

    def _stored(self, codes: Sequence[str]) -> dict[str, tuple[int, str, str]]:
        """Code → (id, content hash, status) of the stored dossiers among ``codes``."""
        found: dict[str, tuple[int, str, str]] = {}
        for start in range(0, len(codes), _LOOKUP):
            part = codes[start : start + _LOOKUP]
            sql = f"SELECT code, id, content_hash, status FROM dossiers WHERE code IN ({', '.join('?' * len(part))})"
            for code, id_, hash_, status in self.cur.execute(sql, part):
                found[code] = (id_, hash_, status)
        return found

    def _apply(self, chunk: list[Parsed]) -> None:
        """Check the chunk against the stored dossiers; write it unless a row of the file was rejected."""
        existing = self._stored([p.code for p in chunk])
        if not self.allow_reversal:
            for p in chunk:
                old = existing.get(p.code)
                if old is not None and is_reversal(old[2], str(p.values["status"])):
                    self.reject_reversal(p.line, old[2], str(p.values["status"]), str(p.values["status_text"]))
        if self.result.rejected:
            return
        new = [p for p in chunk if p.code not in existing]
        changed = [p for p in chunk if p.code in existing and existing[p.code][1] != p.values["content_hash"]]
        self.result.unchanged += len(chunk) - len(new) - len(changed)
        if new:
            self.cur.executemany(self.insert_sql, [self._params(p) for p in new])
            self.result.inserted += len(new)
            with_apology = [p for p in new if p.apology]
            if with_apology:
                ids = {code: found[0] for code, found in self._stored([p.code for p in with_apology]).items()}
                self._apologies([(ids[p.code], p) for p in with_apology])
        if changed:
            self._update(changed, existing)

    def _update(self, changed: list[Parsed], existing: dict[str, tuple[int, str, str]]) -> None:
        self.cur.executemany(self.update_sql, [[*self._params(p), existing[p.code][0]] for p in changed])
        self.result.updated += len(changed)
        events = []
        for p in changed:
            id_, _, old = existing[p.code]
            new = str(p.values["status"])
            if old != new:
                self.changed_status(id_, p.code, old, new)
                events.append((id_, self.stamp, old, new, p.values["status_text"], self.source))
        if events:
            self.cur.executemany(
                "INSERT INTO dossier_events (dossier_id, at, old_status, new_status, status_text, source) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                events,
            )
        self._apologies([(existing[p.code][0], p) for p in changed if p.apology])

    def _apologies(self, items: Iterable[tuple[int, Parsed]]) -> None:
        """Insert apologies not seen before (by dossier and sending time); update changed ones."""
        rows = []
        for dossier_id, p in items:
            sent, new_due, reason = p.apology or (None, None, "")
            rows.append((dossier_id, sqlite_time(sent), sqlite_time(new_due), reason))
        if rows:
            self.cur.executemany(
                "INSERT INTO apologies (dossier_id, sent_at, new_due_at, reason) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (dossier_id, sent_at) DO UPDATE SET new_due_at = excluded.new_due_at, "
                "reason = excluded.reason "
                "WHERE new_due_at IS NOT excluded.new_due_at OR reason IS NOT excluded.reason",
                rows,
            )
