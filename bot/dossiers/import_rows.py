"""Reading one export row into dossier column values: digests instead of phone/ID, UTC dates, a content hash.

Validation happens here, row by row, so every rejected row is reported with its line and column; the
loaders (``import_load``, ``import_staged``) only write rows this module accepted.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.catalog.model import Channel, Duration, Procedure
from bot.clock import as_utc
from bot.dossiers.calendar import WorkCalendar
from bot.dossiers.export_flags import read_scorecard_columns
from bot.dossiers.mapping import ColumnMapping
from bot.dossiers.models import OPEN_STATUSES, StatusChange
from bot.dossiers.sources import SourceRow
from bot.dossiers.store import phone_year_digest
from bot.dossiers.values import normalise_code, parse_export_datetime
from bot.security import digest, normalise_id, normalise_phone

DATE_FIELDS = ("received_at", "due_at", "finished_at", "returned_at", "apology_sent_at", "apology_new_due_at")
#: C0 control characters other than tab, line feed and carriage return (which quoted cells may hold).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TEXT_FIELDS = ("procedure_code", "procedure_name", "field", "unit", "officer", "applicant_name", "current_step")
_TEXT_COLUMNS = ("code", *TEXT_FIELDS, "phone_digest", "id_number_digest", "phone_year_digest")
_LIMITS = {
    "procedure_code": 16,
    "field": 255,
    "unit": 255,
    "officer": 255,
    "applicant_name": 255,
    "current_step": 255,
    "status_text": 255,
}
_TEXT_LIMITS = tuple((name, _LIMITS.get(name)) for name in TEXT_FIELDS)
#: Distinct values remembered by the per-import caches (status wording, scorecard cells).
_CACHE_SIZE = 10_000
#: Date cells remembered (cleared when full).
_DATE_CACHE = 20_000

Apology = tuple[datetime, datetime | None, str]


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
class Parsed:
    """An accepted row: its line, code, dossier column values (always in the same key order; times in the
    loader's stored form) and apology (aware UTC times)."""

    line: int
    code: str
    values: dict[str, object]
    apology: Apology | None


class RowReader:
    """Turns source rows into dossier column values (digests instead of phone/ID, UTC dates)."""

    def __init__(
        self,
        mapping: ColumnMapping,
        tz: ZoneInfo,
        calendar: WorkCalendar,
        procedures: Mapping[str, Procedure] | None,
        key: bytes,
        stored_time: Callable[[datetime], object] | None = None,
    ) -> None:
        self.mapping = mapping
        #: how the loader stores a time (e.g. SQLite's text); converted once per distinct cell
        self.stored_time: Callable[[datetime], object] = stored_time or (lambda value: value)
        self.tz = tz
        self.calendar = calendar
        self.procedures = procedures or {}
        self.key = key
        self._columns: dict[tuple[str, ...], tuple[dict[str, str], tuple[tuple[str, str], ...]]] = {}
        self._durations: dict[str, Duration | None] = {}
        self._flags: dict[tuple[str, ...], tuple[dict[str, object], list[str]] | str] = {}
        self._dates: dict[str, tuple[datetime, str, object]] = {}

    def columns(self, row: SourceRow) -> dict[str, str]:
        """Our field → the row's column name (resolved once per distinct set of column names)."""
        return self._layout(row)[0]

    def _layout(self, row: SourceRow) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
        keys = tuple(row.values)
        found = self._columns.get(keys)
        if found is None:
            cols = self.mapping.resolve(keys)
            found = self._columns[keys] = (cols, tuple(cols.items()))
        return found

    def duration(self, procedure_code: str) -> Duration | None:
        """The catalog processing time used for a missing due date (in-person way preferred)."""
        if procedure_code not in self._durations:
            proc = self.procedures.get(procedure_code)
            ways = sorted(proc.ways, key=lambda w: w.channel != Channel.IN_PERSON) if proc else []
            self._durations[procedure_code] = next((w.time for w in ways if w.time.amount is not None), None)
        return self._durations[procedure_code]

    def _scorecard(self, raw: dict[str, str]) -> tuple[dict[str, object], list[str]] | str:
        """The scorecard values of the row and their text (for the hash), or why they are unreadable
        (cached: these cells repeat a lot)."""
        key = (raw.get("online", ""), raw.get("paid_online", ""), raw.get("supplements", ""), raw.get("digitised", ""))
        found = self._flags.get(key)
        if found is None:
            try:
                flags = read_scorecard_columns(raw)
                found = (flags, [str(v) for v in flags.values()])
            except ValueError as exc:
                found = str(exc)
            if len(self._flags) < _CACHE_SIZE:
                self._flags[key] = found
        return found

    def date(self, text: str) -> tuple[datetime, str, object]:
        """``parse_export_datetime`` of a non-empty cell, its ``str`` (for the hash) and its stored form,
        remembered: due dates and times repeat a lot."""
        found = self._dates.get(text)
        if found is None:
            value = parse_export_datetime(text, self.tz)
            if value is None:  # only spaces
                raise ValueError("unreadable date")
            if len(self._dates) >= _DATE_CACHE:
                self._dates.clear()
            found = self._dates[text] = (value, str(value), self.stored_time(value))
        return found

    def read(self, row: SourceRow) -> Parsed | RejectedRow:
        """Column values of the row, or why it is rejected."""
        if row.problem:
            return RejectedRow(row.line, row.problem, row.column)
        cols, pairs = self._layout(row)
        cells = row.values
        raw = {ours: cells[theirs].strip() for ours, theirs in pairs}
        if _CONTROL.search("".join(raw.values())):  # NUL cannot be stored; the others are damage, not data
            name, char = next((n, m.group()) for n, v in raw.items() if (m := _CONTROL.search(v)))
            return RejectedRow(row.line, f"control character U+{ord(char):04X} in the cell", cols.get(name, name))
        code = normalise_code(raw.get("code", ""))
        if not code:
            return RejectedRow(row.line, "no dossier code (the cell is empty)", cols.get("code", "code"))
        if len(code) > 64:
            return RejectedRow(row.line, f"dossier code longer than 64 characters: {code[:20]}…", cols["code"])
        dates: dict[str, datetime | None] = {}
        shown: dict[str, str] = {}
        stored: dict[str, object] = {}
        for name in DATE_FIELDS:
            text = raw.get(name)
            if not text:
                dates[name] = stored[name] = None
                shown[name] = "None"
                continue
            try:
                dates[name], shown[name], stored[name] = self.date(text)
            except ValueError as exc:
                return RejectedRow(row.line, str(exc), cols.get(name, name))
        received = dates["received_at"]
        if received is None:
            return RejectedRow(row.line, "no received date (the cell is empty)", cols.get("received_at", "received_at"))
        wrong = _date_order(dates, raw, cols)
        if wrong:
            return RejectedRow(row.line, *wrong)
        scorecard = self._scorecard(raw)
        if isinstance(scorecard, str):
            return RejectedRow(row.line, scorecard)
        flags, flag_texts = scorecard
        status_text = raw.get("status", "")
        status = self.mapping.status_of(status_text)
        texts = []
        for name, limit in _TEXT_LIMITS:
            text = raw.get(name, "")
            texts.append(text[:limit] if limit else text)
        phone = normalise_phone(raw.get("phone", ""))
        id_number = normalise_id(raw.get("id_number", ""))
        digests = [
            digest(phone[-4:], "phone_last4", self.key) if len(phone) >= 4 else "",
            digest(id_number, "id_number", self.key) if id_number else "",
            phone_year_digest(phone, raw.get("birth_year", ""), self.key),
        ]
        computed = False
        if dates["due_at"] is None:
            duration = self.duration(texts[0])
            computed_due = self.calendar.due_from_duration(received, duration) if duration else None
            due, computed = as_utc(computed_due), computed_due is not None
            shown["due_at"] = str(due)
            stored["due_at"] = None if due is None else self.stored_time(due)
        returned = dates["returned_at"]
        is_open = status in OPEN_STATUSES and returned is None
        values: dict[str, object] = dict(zip(_TEXT_COLUMNS, [code, *texts, *digests], strict=True))
        values.update(
            received_at=stored["received_at"],
            due_at=stored["due_at"],
            due_computed=computed,
            finished_at=stored["finished_at"],
            returned_at=stored["returned_at"],
            status=status.value,
            status_text=status_text[:255],
            is_open=is_open,
        )
        values.update(flags)
        apology = None
        sent = dates["apology_sent_at"]
        if sent is not None:
            apology = (sent, dates["apology_new_due_at"], raw.get("apology_reason", ""))
        parts = [
            code, *texts, *digests, shown["received_at"], shown["due_at"], str(computed), shown["finished_at"],
            shown["returned_at"], status.value, status_text[:255], str(is_open), *flag_texts,
        ]  # fmt: skip
        values["content_hash"] = content_hash(parts, apology)
        return Parsed(row.line, code, values, apology)


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
RANK = {
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
    return old in RANK and new in RANK and RANK[new] < RANK[old]


def reversal(line: int, old: str, new: str, status_text: str, column: str) -> RejectedRow:
    """The rejected row of a status going back (``is_reversal``) without the flag that allows it."""
    reason = (
        f"status goes back from {old} to {new} ({status_text!r}); "
        "if that is right, import again with --allow-status-reversal"
    )
    return RejectedRow(line, reason, column)


def content_hash(parts: Iterable[str], apology: Apology | None) -> str:
    """Fingerprint of everything an import sets: ``parts`` are ``str`` of the dossier values, in the key
    order of ``Parsed.values``."""
    text = "\x1f".join(parts) + "\x1f" + repr(apology)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
