"""Import a one-stop export into the dossier store: all or nothing, idempotent, history of status changes.

The whole file is applied in ONE transaction, in chunks (existing codes and hashes of a chunk are loaded at
once, new rows bulk-inserted, changed rows bulk-updated). The first rejected row stops writing; the rest of
the file is still checked so every rejected row is listed; then the transaction is rolled back.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table, bindparam, insert, select, update

from bot import clock
from bot.catalog.model import Channel, Duration, Procedure
from bot.clock import as_utc
from bot.config import Settings
from bot.dossiers.calendar import WorkCalendar
from bot.dossiers.export_flags import read_scorecard_columns
from bot.dossiers.mapping import DEFAULT_COLUMNS, REQUIRED, ColumnMapping, load_mapping
from bot.dossiers.models import OPEN_STATUSES, Apology, Dossier, DossierEvent, StatusChange
from bot.dossiers.sources import Source, SourceFileError, SourceRow, open_source
from bot.dossiers.store import phone_year_digest
from bot.dossiers.values import normalise_code, parse_export_datetime
from bot.security import digest, normalise_id, normalise_phone, secret_key
from bot.storage.db import Database

log = logging.getLogger(__name__)

CHUNK_ROWS = 5000
DATE_FIELDS = ("received_at", "due_at", "finished_at", "returned_at", "apology_sent_at", "apology_new_due_at")
TEXT_FIELDS = ("procedure_code", "procedure_name", "field", "unit", "officer", "applicant_name", "current_step")
_LIMITS = {
    "procedure_code": 16,
    "field": 255,
    "unit": 255,
    "officer": 255,
    "applicant_name": 255,
    "current_step": 255,
    "status_text": 255,
}
_DOSSIERS = cast(Table, Dossier.__table__)
_EVENTS = cast(Table, DossierEvent.__table__)
_APOLOGIES = cast(Table, Apology.__table__)


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row that cannot be imported: the line it starts on, why, and the column (or JSON key) at fault."""

    line: int
    reason: str
    column: str = ""

    def describe(self, path: Path | str) -> str:
        """``file:line: column X: reason`` for the administrator."""
        where = ""
        if self.column:
            where = f", {self.column}" if self.column.startswith("column ") else f", column {self.column!r}"
        return f"{path}: line {self.line}{where}: {self.reason}"


@dataclass
class ImportResult:
    """What an import did (or, when rejected or a dry run, what it would have done: nothing is applied)."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    status_changes: list[StatusChange] = field(default_factory=list)
    unknown_statuses: Counter[str] = field(default_factory=Counter)
    due_computed: int = 0
    applied: bool = False

    @property
    def rows(self) -> int:
        """Rows read (accepted or not)."""
        return self.inserted + self.updated + self.unchanged + len(self.rejected)


@dataclass(slots=True)
class _Parsed:
    line: int
    code: str
    values: dict[str, object]
    apology: tuple[datetime, datetime | None, str] | None


class _RowReader:
    """Turns source rows into dossier column values (digests instead of phone/ID, UTC dates)."""

    def __init__(
        self,
        mapping: ColumnMapping,
        tz: ZoneInfo,
        calendar: WorkCalendar,
        procedures: Mapping[str, Procedure] | None,
        key: bytes,
    ) -> None:
        self.mapping = mapping
        self.tz = tz
        self.calendar = calendar
        self.procedures = procedures or {}
        self.key = key
        self._columns: dict[tuple[str, ...], dict[str, str]] = {}
        self._durations: dict[str, Duration | None] = {}

    def columns(self, row: SourceRow) -> dict[str, str]:
        keys = tuple(row.values)
        found = self._columns.get(keys)
        if found is None:
            found = self._columns[keys] = self.mapping.resolve(keys)
        return found

    def duration(self, procedure_code: str) -> Duration | None:
        """The catalog processing time used for a missing due date (in-person way preferred)."""
        if procedure_code not in self._durations:
            proc = self.procedures.get(procedure_code)
            ways = sorted(proc.ways, key=lambda w: w.channel != Channel.IN_PERSON) if proc else []
            self._durations[procedure_code] = next((w.time for w in ways if w.time.amount is not None), None)
        return self._durations[procedure_code]

    def read(self, row: SourceRow) -> _Parsed | RejectedRow:
        """Column values of the row, or why it is rejected."""
        if row.problem:
            return RejectedRow(row.line, row.problem, row.column)
        cols = self.columns(row)
        raw = {ours: row.values.get(theirs, "").strip() for ours, theirs in cols.items()}
        code = normalise_code(raw.get("code", ""))
        if not code:
            return RejectedRow(row.line, "no dossier code (the cell is empty)", cols.get("code", "code"))
        if len(code) > 64:
            return RejectedRow(row.line, f"dossier code longer than 64 characters: {code[:20]}…", cols["code"])
        dates: dict[str, datetime | None] = {}
        for name in DATE_FIELDS:
            try:
                dates[name] = parse_export_datetime(raw.get(name, ""), self.tz)
            except ValueError as exc:
                return RejectedRow(row.line, str(exc), cols.get(name, name))
        if dates["received_at"] is None:
            return RejectedRow(row.line, "no received date (the cell is empty)", cols.get("received_at", "received_at"))
        wrong = _date_order(dates, raw, cols)
        if wrong:
            return RejectedRow(row.line, *wrong)
        try:
            flags = read_scorecard_columns(raw)
        except ValueError as exc:
            return RejectedRow(row.line, str(exc))
        status_text = raw.get("status", "")
        status = self.mapping.status_of(status_text)
        values: dict[str, object] = {"code": code}
        for name in TEXT_FIELDS:
            text = raw.get(name, "")
            limit = _LIMITS.get(name)
            values[name] = text[:limit] if limit else text
        phone = normalise_phone(raw.get("phone", ""))
        id_number = normalise_id(raw.get("id_number", ""))
        values["phone_digest"] = digest(phone[-4:], "phone_last4", self.key) if len(phone) >= 4 else ""
        values["id_number_digest"] = digest(id_number, "id_number", self.key) if id_number else ""
        values["phone_year_digest"] = phone_year_digest(phone, raw.get("birth_year", ""), self.key)
        due = dates["due_at"]
        computed = False
        if due is None:
            duration = self.duration(values["procedure_code"])  # type: ignore[arg-type]
            computed_due = self.calendar.due_from_duration(dates["received_at"], duration) if duration else None
            due, computed = as_utc(computed_due), computed_due is not None
        values.update(
            received_at=dates["received_at"],
            due_at=due,
            due_computed=computed,
            finished_at=dates["finished_at"],
            returned_at=dates["returned_at"],
            status=status.value,
            status_text=status_text[:255],
            is_open=status in OPEN_STATUSES and dates["returned_at"] is None,
            **flags,
        )
        apology = None
        if dates["apology_sent_at"] is not None:
            apology = (dates["apology_sent_at"], dates["apology_new_due_at"], raw.get("apology_reason", ""))
        values["content_hash"] = _content_hash(values, apology)
        return _Parsed(row.line, code, values, apology)


#: Dates that cannot come before another one: (later, earlier) — equal is fine.
_DATE_ORDER = (
    ("due_at", "received_at"),
    ("finished_at", "received_at"),
    ("returned_at", "received_at"),
    ("returned_at", "finished_at"),
    ("apology_new_due_at", "received_at"),
)


def _date_order(
    dates: Mapping[str, datetime | None], raw: Mapping[str, str], cols: Mapping[str, str]
) -> tuple[str, str] | None:
    """(reason, column) when a date comes before one it must follow (e.g. returned before received)."""
    for later, earlier in _DATE_ORDER:
        a, b = dates[later], dates[earlier]
        if a is not None and b is not None and a < b:
            return f"{raw[later]!r} is before {cols[earlier]} {raw[earlier]!r}: impossible date order", cols[later]
    return None


#: Order of progress; an import may not move a dossier to a lower rank unless reversal is allowed.
_RANK = {
    "received": 0,
    "processing": 1,
    "supplement": 1,
    "done": 2,
    "rejected": 2,
    "cancelled": 2,
    "returned": 3,
}


def is_reversal(old: str, new: str) -> bool:
    """True when ``new`` is an earlier stage than ``old`` (e.g. returned → processing); unknown never is."""
    return old in _RANK and new in _RANK and _RANK[new] < _RANK[old]


def _content_hash(values: Mapping[str, object], apology: tuple[datetime, datetime | None, str] | None) -> str:
    """Fingerprint of everything an import sets (``values`` are always built in the same key order)."""
    parts = [str(v) for v in values.values()]
    parts.append(repr(apology))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class _Writer:
    """Applies chunks of parsed rows inside the caller's transaction."""

    def __init__(
        self, conn: Connection, source_name: str, result: ImportResult, status_column: str, allow_reversal: bool
    ) -> None:
        self.conn = conn
        self.source_name = source_name
        self.result = result
        self.status_column = status_column
        self.allow_reversal = allow_reversal
        self.now = clock.now()

    def apply(self, chunk: list[_Parsed]) -> None:
        """Check the chunk against the stored dossiers; write it unless a row of the file was rejected."""
        codes = [p.code for p in chunk]
        existing = {
            code: (id_, content_hash, status)
            for id_, code, content_hash, status in self.conn.execute(
                select(_DOSSIERS.c.id, _DOSSIERS.c.code, _DOSSIERS.c.content_hash, _DOSSIERS.c.status).where(
                    _DOSSIERS.c.code.in_(codes)
                )
            )
        }
        if not self.allow_reversal:
            for p in chunk:
                old = existing.get(p.code)
                if old is not None and is_reversal(old[2], str(p.values["status"])):
                    reason = (
                        f"status goes back from {old[2]} to {p.values['status']} ({p.values['status_text']!r}); "
                        "if that is right, import again with --allow-status-reversal"
                    )
                    self.result.rejected.append(RejectedRow(p.line, reason, self.status_column))
        if self.result.rejected:
            return
        new = [p for p in chunk if p.code not in existing]
        changed = [p for p in chunk if p.code in existing and existing[p.code][1] != p.values["content_hash"]]
        self.result.unchanged += len(chunk) - len(new) - len(changed)
        if new:
            self._insert_dossiers([{**p.values, "updated_at": self.now} for p in new])
            self.result.inserted += len(new)
            with_apology = [p for p in new if p.apology]
            if with_apology:
                ids = dict(
                    self.conn.execute(
                        select(_DOSSIERS.c.code, _DOSSIERS.c.id).where(
                            _DOSSIERS.c.code.in_([p.code for p in with_apology])
                        )
                    ).all()
                )
                self._apologies([(ids[p.code], p) for p in with_apology], known={})
        if changed:
            self._update(changed, existing)

    def _insert_dossiers(self, rows: list[dict[str, object]]) -> None:
        """Bulk insert; on PostgreSQL through COPY (several times faster than multi-row INSERTs)."""
        if self.conn.dialect.name != "postgresql":
            self.conn.execute(insert(_DOSSIERS), rows)
            return
        columns = list(rows[0])
        quote = self.conn.dialect.identifier_preparer
        sql = f"COPY {quote.format_table(_DOSSIERS)} ({', '.join(quote.quote(c) for c in columns)}) FROM STDIN"
        raw = self.conn.connection.dbapi_connection
        with raw.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row([row[c] for c in columns])

    def _update(self, changed: list[_Parsed], existing: Mapping[str, tuple[int, str, str]]) -> None:
        columns = list(changed[0].values)
        stmt = (
            update(_DOSSIERS)
            .where(_DOSSIERS.c.id == bindparam("b_id"))
            .values({c: bindparam(f"b_{c}") for c in [*columns, "updated_at"]})
        )
        params = [
            {"b_id": existing[p.code][0], "b_updated_at": self.now, **{f"b_{k}": v for k, v in p.values.items()}}
            for p in changed
        ]
        self.conn.execute(stmt, params)
        self.result.updated += len(changed)
        events = []
        for p in changed:
            id_, _, old = existing[p.code]
            if old != p.values["status"]:
                self.result.status_changes.append(StatusChange(id_, p.code, old, str(p.values["status"])))
                events.append(
                    {
                        "dossier_id": id_,
                        "at": self.now,
                        "old_status": old,
                        "new_status": p.values["status"],
                        "status_text": p.values["status_text"],
                        "source": self.source_name[:255],
                    }
                )
        if events:
            self.conn.execute(insert(_EVENTS), events)
        with_apology = [(existing[p.code][0], p) for p in changed if p.apology]
        if with_apology:
            known: dict[tuple[int, datetime], tuple[int, datetime | None, str]] = {}
            rows = self.conn.execute(
                select(
                    _APOLOGIES.c.id,
                    _APOLOGIES.c.dossier_id,
                    _APOLOGIES.c.sent_at,
                    _APOLOGIES.c.new_due_at,
                    _APOLOGIES.c.reason,
                ).where(_APOLOGIES.c.dossier_id.in_([i for i, _ in with_apology]))
            )
            for aid, did, sent, new_due, reason in rows:
                known[(did, as_utc(sent))] = (aid, as_utc(new_due), reason)
            self._apologies(with_apology, known)

    def _apologies(
        self,
        items: Iterable[tuple[int, _Parsed]],
        known: Mapping[tuple[int, datetime], tuple[int, datetime | None, str]],
    ) -> None:
        """Insert apologies not seen before (by dossier and sending time); update changed ones."""
        inserts, updates = [], []
        for dossier_id, p in items:
            sent, new_due, reason = p.apology  # type: ignore[misc]
            old = known.get((dossier_id, sent))
            if old is None:
                inserts.append({"dossier_id": dossier_id, "sent_at": sent, "new_due_at": new_due, "reason": reason})
            elif old[1:] != (new_due, reason):
                updates.append({"a_id": old[0], "a_new_due_at": new_due, "a_reason": reason})
        if inserts:
            self.conn.execute(insert(_APOLOGIES), inserts)
        if updates:
            stmt = (
                update(_APOLOGIES)
                .where(_APOLOGIES.c.id == bindparam("a_id"))
                .values(new_due_at=bindparam("a_new_due_at"), reason=bindparam("a_reason"))
            )
            self.conn.execute(stmt, updates)


def _missing_columns(source: Source, mapping: ColumnMapping) -> list[str]:
    found = mapping.resolve(source.header)
    return [f for f in REQUIRED if f not in found]


def _chunks(source: Source, reader: _RowReader, result: ImportResult, size: int) -> Iterator[list[_Parsed]]:
    """Parsed rows in chunks; rejected rows (bad values, duplicate codes) go to ``result.rejected``."""
    seen: dict[str, int] = {}
    chunk: list[_Parsed] = []
    for row in source.rows:
        parsed = reader.read(row)
        if isinstance(parsed, RejectedRow):
            result.rejected.append(parsed)
            continue
        first = seen.setdefault(parsed.code, row.line)
        if first != row.line:
            column = reader.columns(row).get("code", "")
            reason = f"duplicate dossier code {parsed.code} (first on line {first})"
            result.rejected.append(RejectedRow(row.line, reason, column))
            continue
        if parsed.values["status"] == "unknown":
            result.unknown_statuses[str(parsed.values["status_text"])] += 1
        result.due_computed += bool(parsed.values["due_computed"])
        chunk.append(parsed)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class ImportFileError(SourceFileError):
    """The file as a whole cannot be imported (missing columns, unreadable, too large)."""


def import_dossiers(
    db: Database,
    path: Path,
    *,
    settings: Settings,
    procedures: Mapping[str, Procedure] | None = None,
    mapping_path: Path | None = None,
    progress: bool = False,
    source_name: str | None = None,
    dry_run: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    allow_status_reversal: bool = False,
) -> ImportResult:
    """Import ``path`` (CSV or JSON export) completely or not at all; see the module docstring.

    A row moving a stored dossier to an earlier status (returned → processing) is rejected unless
    ``allow_status_reversal``. Raises ``SourceFileError`` (``ImportFileError`` for missing columns) or
    ``MappingError`` — both ``ValueError`` — when the file or the mapping as a whole is unusable."""
    mapping = load_mapping(mapping_path)
    source = open_source(path)
    if source.kind == "json" and not source.header:  # an empty list of dossiers: nothing to do
        return ImportResult(applied=True)
    missing = _missing_columns(source, mapping)
    if missing:
        names = "; ".join(f"{m} (e.g. {', '.join(DEFAULT_COLUMNS[m][:3])})" for m in missing)
        raise ImportFileError(f"{path}: missing required column(s): {names}. Add them to a mapping file (--mapping).")
    tz = settings.zone
    reader = _RowReader(mapping, tz, WorkCalendar.from_settings(settings), procedures, secret_key(settings))
    result = ImportResult()
    with db.engine.connect() as conn, _progress_bar(progress, source) as advance:
        trans = conn.begin()
        status_column = mapping.resolve(source.header).get("status", "status")
        writer = _Writer(conn, source_name or path.name, result, status_column, allow_status_reversal)
        try:
            for chunk in _chunks(source, reader, result, chunk_rows):
                writer.apply(chunk)
                advance()
        except BaseException:
            trans.rollback()
            raise
        if result.rejected or dry_run:
            trans.rollback()
        else:
            trans.commit()
            result.applied = True
    log.info(
        "dossier import %s: %d inserted, %d updated, %d unchanged, %d rejected%s",
        source_name or path.name,
        result.inserted,
        result.updated,
        result.unchanged,
        len(result.rejected),
        "" if result.applied else " (nothing applied)",
    )
    return result


@contextmanager
def _progress_bar(enabled: bool, source: Source) -> Iterator[Callable[[], None]]:
    """A rich progress bar over the bytes of the file (``advance()`` refreshes it), or a no-op."""
    if not enabled:
        yield lambda: None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("importing"), BarColumn(), DownloadColumn(), TimeRemainingColumn()) as bar:
        task = bar.add_task("import", total=source.total_bytes)
        yield lambda: bar.update(task, completed=source.position())
        bar.update(task, completed=source.total_bytes)
