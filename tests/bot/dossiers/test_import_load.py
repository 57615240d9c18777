"""The loaders: SQLite times stored as SQLAlchemy stores them, ids not used up by re-imports, rejected rows in
line order, a failed import leaving nothing behind (also while rows are being copied)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from bot.config import Settings
from bot.dossiers import import_rows
from bot.dossiers.calendar import WorkCalendar
from bot.dossiers.import_load import COLUMNS, sqlite_time
from bot.dossiers.import_rows import RowReader
from bot.dossiers.importer import import_dossiers
from bot.dossiers.mapping import load_mapping
from bot.dossiers.models import Dossier
from bot.dossiers.sources import SourceRow
from bot.dossiers.values import UTCDateTime

from .conftest import TEST_KEY, write_csv
from .test_importer import HEADER, count, get, row


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 3, 5, 9, 0, tzinfo=UTC),
        datetime(2026, 3, 5, 9, 0, 1, 123456, tzinfo=timezone(timedelta(hours=7))),
        datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        datetime(2026, 1, 1),
        None,
    ],
)
def test_sqlite_times_are_stored_as_sqlalchemy_stores_them(value):
    dialect = sqlite.dialect()
    column_type = UTCDateTime()
    bind = column_type.dialect_impl(dialect).bind_processor(dialect)
    assert bind is not None
    assert sqlite_time(value) == bind(column_type.process_bind_param(value, dialect))


def test_columns_follow_the_parsed_values():
    settings = Settings()
    reader = RowReader(load_mapping(None), settings.zone, WorkCalendar(), None, TEST_KEY)
    parsed = reader.read(SourceRow(2, dict(zip(HEADER, row("C-1"), strict=True))))
    assert isinstance(parsed, import_rows.Parsed)
    assert tuple(parsed.values) == COLUMNS
    assert parsed.values["content_hash"] == import_rows.content_hash(
        [str(v) for k, v in parsed.values.items() if k != "content_hash"], None
    )


def test_reimports_do_not_use_up_ids(database, settings, tmp_path):
    path = write_csv(tmp_path / "a.csv", HEADER, [row("I-1"), row("I-2")])
    for _ in range(3):
        import_dossiers(database, path, settings=settings)
    path = write_csv(tmp_path / "b.csv", HEADER, [row("I-1", "Đã có kết quả"), row("I-2"), row("I-3")])
    assert import_dossiers(database, path, settings=settings).inserted == 1
    assert [get(database, c).id for c in ("I-1", "I-2", "I-3")] == [1, 2, 3]


def test_rejected_rows_are_listed_in_line_order(database, settings, tmp_path):
    import_dossiers(database, write_csv(tmp_path / "a.csv", HEADER, [row("R-1", "Đã trả kết quả")]), settings=settings)
    rows = [row("R-2"), row("R-1", "Đang xử lý"), row("R-3"), row("R-4", acceptedDate="x")]
    result = import_dossiers(database, write_csv(tmp_path / "b.csv", HEADER, rows), settings=settings)
    assert [r.line for r in result.rejected] == [3, 5] and not result.applied
    assert count(database, Dossier) == 1


def test_an_error_while_rows_are_loaded_leaves_nothing(database, settings, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "a.csv", HEADER, [row(f"E-{i}") for i in range(50)])
    real = RowReader.read
    seen = []

    def failing(self, source_row):  # type: ignore[no-untyped-def]
        seen.append(source_row.line)
        if len(seen) == 30:
            raise RuntimeError("disk gone")
        return real(self, source_row)

    monkeypatch.setattr(RowReader, "read", failing)
    with pytest.raises(RuntimeError, match="disk gone"):
        import_dossiers(database, path, settings=settings, chunk_rows=10)
    monkeypatch.setattr(RowReader, "read", real)
    assert count(database, Dossier) == 0
    assert import_dossiers(database, path, settings=settings).inserted == 50  # the connection is usable again
    with database.session() as s:
        assert s.scalar(select(Dossier.code).order_by(Dossier.id).limit(1)) == "E-0"
