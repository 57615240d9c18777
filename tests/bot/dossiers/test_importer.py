"""Importing one-stop exports on SQLite and PostgreSQL: shapes, mapping, idempotency, all-or-nothing."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.catalog.model import Channel, Duration, FilingWay, Level, Procedure, TimeUnit
from bot.clock import as_utc
from bot.dossiers import sources
from bot.dossiers.calendar import WorkCalendar
from bot.dossiers.importer import ImportFileError, RejectedRow, import_dossiers
from bot.dossiers.models import Apology, Dossier, DossierEvent, DossierStatus
from bot.dossiers.sources import SourceFileError
from bot.security import digest

from .conftest import SAMPLES, TEST_KEY, write_csv

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HEADER = ["dossierNo", "procedureCode", "procedureName", "agencyName", "applicantPhone", "acceptedDate",
          "appointmentDate", "dossierStatusName", "apologySentDate", "newAppointmentDate", "apologyReason"]  # fmt: skip


def row(code: str, status: str = "Đang xử lý", **kw: str) -> list[str]:
    values = {
        "dossierNo": code,
        "procedureCode": "1.001193",
        "procedureName": "Thủ tục đăng ký khai sinh",
        "agencyName": "UBND phường An Bình",
        "applicantPhone": "0912345678",
        "acceptedDate": "02/03/2026 09:15:00",
        "appointmentDate": "05/03/2026 17:00:00",
        "dossierStatusName": status,
    }
    values.update(kw)
    return [values.get(h, "") for h in HEADER]


def count(db, model) -> int:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def get(db, code: str) -> Dossier:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return s.execute(select(Dossier).where(Dossier.code == code)).scalar_one()


def test_sample_json_then_csv_with_mapping(database, settings):
    first = import_dossiers(database, SAMPLES / "dossiers-sample.json", settings=settings)
    assert (first.inserted, first.updated, first.unchanged, first.rejected) == (300, 0, 0, [])
    assert first.applied and first.unknown_statuses == {"Chờ ký số": 26}
    again = import_dossiers(database, SAMPLES / "dossiers-sample.json", settings=settings)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 300)
    assert count(database, DossierEvent) == 0
    # the same dossiers in CSV with Vietnamese headers: only "Chờ ký số" (mapped to processing) changes
    csv_result = import_dossiers(
        database,
        SAMPLES / "dossiers-sample.csv",
        settings=settings,
        mapping_path=SAMPLES / "mapping-example.toml",
    )
    assert (csv_result.inserted, csv_result.updated, csv_result.unchanged) == (0, 26, 274)
    assert {(c.old, c.new) for c in csv_result.status_changes} == {("unknown", "processing")}
    assert count(database, DossierEvent) == 26
    assert count(database, Dossier) == 300 and count(database, Apology) > 0


def test_sample_csv_needs_its_mapping(database, settings):
    with pytest.raises(ImportFileError, match="missing required column"):
        import_dossiers(database, SAMPLES / "dossiers-sample.csv", settings=settings)


def test_fields_and_digests_no_phone_in_clear(database, settings, tmp_path):
    path = write_csv(tmp_path / "a.csv", HEADER, [row(" 000.00.10.h40-260302-0001 ", applicantPhone="+84 912 345 678")])
    assert import_dossiers(database, path, settings=settings).inserted == 1
    d = get(database, "000.00.10.H40-260302-0001")
    assert d.phone_digest == digest("5678", "phone_last4", TEST_KEY)
    assert d.id_number_digest == ""
    stored = " ".join(str(getattr(d, c.key)) for c in Dossier.__table__.columns)
    assert "912345678" not in stored and "5678" not in stored.replace(d.phone_digest, "")
    assert as_utc(d.received_at) == datetime(2026, 3, 2, 9, 15, tzinfo=VN)
    assert as_utc(d.due_at) == datetime(2026, 3, 5, 17, 0, tzinfo=VN)
    assert d.status == DossierStatus.PROCESSING and d.status_text == "Đang xử lý" and d.is_open


def test_status_change_is_recorded_as_history(database, settings, tmp_path):
    write_csv(tmp_path / "1.csv", HEADER, [row("A-1"), row("A-2")])
    import_dossiers(database, tmp_path / "1.csv", settings=settings)
    write_csv(tmp_path / "2.csv", HEADER, [row("A-1", "Đã trả kết quả"), row("A-2")])
    result = import_dossiers(database, tmp_path / "2.csv", settings=settings, source_name="export 2")
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 1)
    [change] = result.status_changes
    assert (change.code, change.old, change.new) == ("A-1", "processing", "returned")
    d = get(database, "A-1")
    assert not d.is_open
    with database.session() as s:
        [event] = s.scalars(select(DossierEvent)).all()
        assert (event.dossier_id, event.new_status, event.source) == (d.id, "returned", "export 2")


def test_one_bad_date_rejects_the_whole_file(database, settings, tmp_path):
    import_dossiers(database, write_csv(tmp_path / "0.csv", HEADER, [row("OLD-1")]), settings=settings)
    rows = [row("N-1"), row("OLD-1", "Đã trả kết quả"), row("N-2", acceptedDate="31/02/2026 08:00:00"), row("N-3")]
    result = import_dossiers(database, write_csv(tmp_path / "bad.csv", HEADER, rows), settings=settings)
    assert not result.applied
    assert [r.line for r in result.rejected] == [4]
    assert "31/02/2026" in result.rejected[0].reason
    assert count(database, Dossier) == 1 and get(database, "OLD-1").status == "processing"
    assert count(database, DossierEvent) == 0


def test_every_rejected_row_is_listed(database, settings, tmp_path):
    rows = [row("D-1"), row("D-2", appointmentDate="tomorrow"), row(""), row("D-1"), row("D-3")]
    result = import_dossiers(database, write_csv(tmp_path / "x.csv", HEADER, rows), settings=settings)
    assert [r.line for r in result.rejected] == [3, 4, 5]
    assert result.rejected[0].column == "appointmentDate" and "tomorrow" in result.rejected[0].reason
    assert "no dossier code" in result.rejected[1].reason and result.rejected[1].column == "dossierNo"
    assert result.rejected[2] == RejectedRow(5, "duplicate dossier code D-1 (first on line 2)", "dossierNo")
    assert count(database, Dossier) == 0


def test_control_characters_reject_their_row_with_its_cell(database, settings, tmp_path):
    rows = [row("C-1"), row("\x00"), row("C-3", procedureName="Khai\x07sinh"), row("C-4", procedureName="Khai\tsinh")]
    result = import_dossiers(database, write_csv(tmp_path / "nul.csv", HEADER, rows), settings=settings)
    assert [(r.line, r.column) for r in result.rejected] == [(3, "dossierNo"), (4, "procedureName")]
    assert "U+0000" in result.rejected[0].reason and "U+0007" in result.rejected[1].reason
    assert not result.applied and count(database, Dossier) == 0  # nothing written, on SQLite and PostgreSQL


def test_missing_required_column_is_a_file_error(database, settings, tmp_path):
    header = [h for h in HEADER if h != "acceptedDate"]
    path = write_csv(tmp_path / "m.csv", header, [["X"] * len(header)])
    with pytest.raises(ImportFileError, match="received_at"):
        import_dossiers(database, path, settings=settings)


def test_unknown_status_is_counted_not_rejected(database, settings, tmp_path):
    path = write_csv(tmp_path / "u.csv", HEADER, [row("U-1", "Trạng thái lạ"), row("U-2", "")])
    result = import_dossiers(database, path, settings=settings)
    assert result.inserted == 2 and result.unknown_statuses == {"Trạng thái lạ": 1, "": 1}
    assert get(database, "U-1").status == "unknown" and get(database, "U-1").is_open


def test_apologies_are_upserted(database, settings, tmp_path):
    late = {"apologySentDate": "05/03/2026 16:00:00", "newAppointmentDate": "10/03/2026 17:00:00"}
    write_csv(tmp_path / "1.csv", HEADER, [row("L-1", apologyReason="Chờ xác minh", **late)])
    import_dossiers(database, tmp_path / "1.csv", settings=settings)
    write_csv(tmp_path / "2.csv", HEADER, [row("L-1", apologyReason="Chờ ý kiến cơ quan khác", **late)])
    assert import_dossiers(database, tmp_path / "2.csv", settings=settings).updated == 1
    with database.session() as s:
        [apology] = s.scalars(select(Apology)).all()
        assert apology.reason == "Chờ ý kiến cơ quan khác"
        assert as_utc(apology.new_due_at) == datetime(2026, 3, 10, 17, tzinfo=VN)


def test_missing_due_date_is_computed_from_the_catalog(database, settings, tmp_path):
    proc = Procedure(
        code="1.004222",
        name="Đăng ký thường trú",
        levels=[Level.COMMUNE],
        field="Cư trú",
        ways=[
            FilingWay(channel=Channel.ONLINE, time=Duration(amount=5, unit=TimeUnit.WORKING_DAYS)),
            FilingWay(channel=Channel.IN_PERSON, time=Duration(amount=7, unit=TimeUnit.WORKING_DAYS)),
        ],
    )
    rows = [row("C-1", procedureCode="1.004222", appointmentDate="", acceptedDate="12/02/2026 16:00:00"),
            row("C-2", procedureCode="9.999999", appointmentDate="")]  # fmt: skip
    result = import_dossiers(database, write_csv(tmp_path / "c.csv", HEADER, rows), settings=settings,
                             procedures={"1.004222": proc})  # fmt: skip
    assert result.due_computed == 1
    d = get(database, "C-1")
    expected = WorkCalendar().add_working_days(datetime(2026, 2, 12, 16, tzinfo=VN), 7)
    assert d.due_computed and as_utc(d.due_at) == expected == datetime(
        2026, 3, 2, 17, tzinfo=VN
    )  # Fri 13, (Tết), 23..27, Mon 2
    assert get(database, "C-2").due_at is None


def test_json_shapes_nested_fields_and_line_numbers(database, settings, tmp_path):
    records = [
        {"dossierNo": "J-1", "procedure": {"code": "1.000894", "name": "Đăng ký kết hôn"},
         "acceptedDate": "2026-03-02T09:00:00", "appointmentDate": None, "dossierStatus": {"name": "Đã tiếp nhận"}},
        {"dossierNo": "J-2", "acceptedDate": "02/03/2026", "dossierStatus": {"name": "Chờ bổ sung"}},
    ]  # fmt: skip
    path = tmp_path / "list.json"
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    assert import_dossiers(database, path, settings=settings).inserted == 2
    d = get(database, "J-1")
    assert (d.procedure_code, d.status) == ("1.000894", "received")
    assert get(database, "J-2").status == "supplement"
    records[1]["acceptedDate"] = "99/99/2026"
    text = json.dumps({"totalElements": 2, "content": records}, ensure_ascii=False, indent=1)
    path.write_text(text, encoding="utf-8")
    [rejected] = import_dossiers(database, path, settings=settings).rejected
    assert text.splitlines()[rejected.line - 1].strip() == "{" and rejected.line > 10


@pytest.mark.parametrize(
    "content",
    [
        '{"content": [{"dossierNo": "B-1",',
        '{"other": 1}',
        '"text"',
        '[{"dossierNo": "x", "acceptedDate": "1/3/2026", "status": "a"} {"dossierNo": "y"}]',
    ],
)
def test_malformed_json_is_a_file_error(database, settings, tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceFileError):
        import_dossiers(database, path, settings=settings)


def test_semicolon_csv_and_extra_values(database, settings, tmp_path):
    rows = [row("S-1"), [*row("S-2"), "surplus"]]
    path = write_csv(tmp_path / "s.csv", HEADER, rows, delimiter=";")
    result = import_dossiers(database, path, settings=settings)
    assert result.rejected == [RejectedRow(3, "12 values but the header has 11 columns", "column 12")]
    assert result.rejected[0].describe("s.csv") == "s.csv: line 3, column 12: 12 values but the header has 11 columns"


def test_dry_run_changes_nothing(database, settings, tmp_path):
    path = write_csv(tmp_path / "d.csv", HEADER, [row("R-1")])
    result = import_dossiers(database, path, settings=settings, dry_run=True, progress=True)
    assert result.inserted == 1 and not result.applied and count(database, Dossier) == 0


def test_file_over_the_limit_is_refused(database, settings, tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_BYTES", 1000)
    path = write_csv(tmp_path / "big.csv", HEADER, [row(f"B-{i}") for i in range(20)])
    with pytest.raises(SourceFileError, match="limit"):
        import_dossiers(database, path, settings=settings)


def test_50_mb_file_with_a_bad_last_row_leaves_nothing_behind(database, settings, tmp_path):
    import_dossiers(database, write_csv(tmp_path / "0.csv", HEADER, [row("KEEP-1")]), settings=settings)
    header = [*HEADER, "ghiChu"]
    note = "Ghi chú mẫu rất dài. " * 95  # about 2 KB of ignored text per row, as some exports carry
    path = tmp_path / "big.csv"
    rows = ([*row(f"BIG-{i:06d}"), note] for i in range(25_000))
    write_csv(path, header, [*rows, [*row("BIG-LAST", acceptedDate="not a date"), note]])
    assert path.stat().st_size > 50_000_000
    result = import_dossiers(database, path, settings=settings, chunk_rows=2000)
    assert not result.applied and [r.line for r in result.rejected] == [25_002]
    assert count(database, Dossier) == 1
