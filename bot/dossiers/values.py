"""Small value conversions shared by the importer and the store: codes, export dates, a UTC column type."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator

from bot.clock import as_utc

_SPACES = re.compile(r"\s+")
_VN_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T,]+(\d{1,2})[:hH](\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")


def normalise_code(code: str) -> str:
    """A dossier code as stored and looked up: no whitespace, upper case."""
    return _SPACES.sub("", code or "").upper()


def parse_export_datetime(text: str, tz: tzinfo) -> datetime | None:
    """A date from an export as aware UTC; ``None`` for an empty cell; ``ValueError`` when unreadable.

    Accepts ``dd/mm/yyyy HH:MM:SS`` (also ``-`` or ``.`` separators, without seconds or without a time),
    ISO 8601 with or without offset, and epoch seconds/milliseconds. Times without an offset are local
    to ``tz``; a date without a time is midnight local."""
    text = text.strip()
    if not text:
        return None
    m = _VN_DATE.match(text)
    if m:
        d, mo, y, hh, mm, ss = m.groups()
        try:
            local = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=tz)
        except ValueError as exc:
            raise ValueError(f"impossible date {text[:40]!r} ({exc})") from None
        return local.astimezone(UTC)
    if text.isdigit() and len(text) >= 9:
        seconds = int(text) / (1000 if len(text) >= 12 else 1)
        return datetime.fromtimestamp(seconds, UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"unreadable date {text[:40]!r} (expected dd/mm/yyyy HH:MM:SS)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that stores UTC on every backend and always returns aware UTC.

    SQLite keeps no offset: without this, an aware local time would be stored as its wall-clock time and
    read back as a naive value. Naive values given to it are taken as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return as_utc(value)
