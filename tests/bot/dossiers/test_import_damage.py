"""Damaged exports are refused with file, line and column, and nothing of them is applied."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bot.dossiers import sources
from bot.dossiers.importer import import_dossiers
from bot.dossiers.models import Dossier, DossierEvent
from bot.dossiers.sources import SourceFileError

from .conftest import SAMPLES
from .test_importer import HEADER, get, row


def count(db, model) -> int:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def csv_text(rows: list[list[str]], header: list[str] = HEADER) -> str:
    return "".join(",".join(cells) + "\r\n" for cells in [header, *rows])


def test_short_and_long_rows_are_rejected_with_their_column(database, settings, tmp_path):
    short = row("S-2")[:6]
    path = tmp_path / "s.csv"
    path.write_text(csv_text([row("S-1"), short, [*row("S-3"), "x"]]), encoding="utf-8")
    result = import_dossiers(database, path, settings=settings)
    assert not result.applied and count(database, Dossier) == 0
    first, second = result.rejected
    assert (first.line, first.column) == (3, "appointmentDate") and "6 values but the header has 11" in first.reason
    assert (second.line, second.column) == (4, "column 12")


def test_every_cut_inside_the_last_row_is_refused(database, settings, tmp_path):
    """The issue's case: a returned dossier cut after its received date became open again. Cut anywhere."""
    done = row("CUT-2", "Đã trả kết quả", apologySentDate="04/03/2026 10:00:00",
               newAppointmentDate="06/03/2026 17:00:00", apologyReason="Chờ xác minh")  # fmt: skip
    full = csv_text([row("CUT-1"), done])
    path = tmp_path / "full.csv"
    path.write_text(full, encoding="utf-8")
    assert import_dossiers(database, path, settings=settings).applied
    last_start = full.index("CUT-2")
    for cut in range(last_start + 1, len(full) - 1):  # up to and including the cut of the final line break
        path.write_text(full[:cut], encoding="utf-8")
        result = import_dossiers(database, path, settings=settings)
        assert not result.applied, (cut, full[last_start:cut])
        assert [r.line for r in result.rejected] == [3], cut
    assert get(database, "CUT-2").status == "returned" and count(database, DossierEvent) == 0
    path.write_text(full[: full.index("\r\n", last_start) + 1], encoding="utf-8")  # "\r" alone ends a row too
    assert import_dossiers(database, path, settings=settings).applied


def test_the_last_row_without_a_line_break_names_the_cut(database, settings, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(csv_text([row("C-1")]).rstrip("\r\n"), encoding="utf-8")
    [rejected] = import_dossiers(database, path, settings=settings).rejected
    assert "cut off" in rejected.reason and rejected.describe(path).startswith(f"{path}: line 2, column")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ([*HEADER, "dossierNo"], "line 1, column 12 ('dossierNo'): the header repeats column 1"),
        ([*HEADER, "dossier_no"], "line 1, column 12 ('dossier_no'): the header repeats column 1"),
    ],
)
def test_a_header_naming_a_column_twice_is_refused(database, settings, tmp_path, header, message):
    path = tmp_path / "h.csv"
    path.write_text(csv_text([[*row("H-1"), "x"]], header), encoding="utf-8")
    with pytest.raises(SourceFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_dossiers(database, path, settings=settings)


def test_two_joined_exports_are_refused_at_the_second_header(database, settings, tmp_path):
    path = tmp_path / "j.csv"
    path.write_text(csv_text([row("J-1")]) + "\ufeff" + csv_text([row("J-2")]), encoding="utf-8")
    result = import_dossiers(database, path, settings=settings)
    assert not result.applied and [(r.line, r.column) for r in result.rejected] == [(3, "dossierNo")]
    assert "header line again" in result.rejected[0].reason


@pytest.mark.parametrize(
    ("kw", "column"),
    [
        ({"appointmentDate": "01/03/2026 17:00:00"}, "appointmentDate"),
        ({"newAppointmentDate": "01/03/2026 17:00:00", "apologySentDate": "01/03/2026 08:00:00"}, "newAppointmentDate"),
    ],
)
def test_dates_in_an_impossible_order_are_rejected(database, settings, tmp_path, kw, column):
    path = tmp_path / "d.csv"
    path.write_text(csv_text([row("D-1", **kw)]), encoding="utf-8")
    [rejected] = import_dossiers(database, path, settings=settings).rejected
    assert rejected.column == column and "impossible date order" in rejected.reason
    assert "acceptedDate '02/03/2026 09:15:00'" in rejected.reason


def test_returned_before_received_is_rejected(database, settings, tmp_path):
    header = [*HEADER, "returnedDate"]
    path = tmp_path / "r.csv"
    path.write_text(csv_text([[*row("R-1", "Đã trả kết quả"), "01/03/2026"]], header), encoding="utf-8")
    [rejected] = import_dossiers(database, path, settings=settings).rejected
    assert (rejected.line, rejected.column) == (2, "returnedDate") and count(database, Dossier) == 0


def test_a_status_going_back_needs_the_flag(database, settings, tmp_path):
    path = tmp_path / "b.csv"
    path.write_text(csv_text([row("B-1", "Đã trả kết quả"), row("B-2")]), encoding="utf-8")
    import_dossiers(database, path, settings=settings)
    path.write_text(csv_text([row("B-2", "Đã có kết quả"), row("B-1", "Đang xử lý")]), encoding="utf-8")
    result = import_dossiers(database, path, settings=settings)
    [rejected] = result.rejected
    assert (rejected.line, rejected.column) == (3, "dossierStatusName") and not result.applied
    assert "from returned to processing" in rejected.reason and "--allow-status-reversal" in rejected.reason
    assert get(database, "B-2").status == "processing" and count(database, DossierEvent) == 0
    again = import_dossiers(database, path, settings=settings, allow_status_reversal=True)
    assert again.applied and {(c.old, c.new) for c in again.status_changes} == {
        ("returned", "processing"),
        ("processing", "done"),
    }


def test_json_record_repeating_a_key_is_rejected(database, settings, tmp_path):
    path = tmp_path / "k.json"
    path.write_text(
        '[{"dossierNo": "K-1", "acceptedDate": "02/03/2026", "status": "Đang xử lý"},\n'
        ' {"dossierNo": "K-2", "acceptedDate": "02/03/2026", "status": "Đang xử lý",\n'
        '  "applicant": {"phone": "0912345678", "phone": "0987654321"}}]\n',
        encoding="utf-8",
    )
    result = import_dossiers(database, path, settings=settings)
    assert [(r.line, r.column) for r in result.rejected] == [(2, "applicant.phone")]


@pytest.mark.parametrize("cut", [0.3, 0.5, 0.97, -2])
def test_a_cut_json_export_is_a_file_error_with_its_line(database, settings, tmp_path, cut):
    text = (SAMPLES / "dossiers-sample.json").read_text(encoding="utf-8")
    path = tmp_path / "cut.json"
    path.write_text(text[: int(len(text) * cut) if cut > 0 else cut], encoding="utf-8")
    with pytest.raises(SourceFileError, match=r"cut\.json: line \d+"):
        import_dossiers(database, path, settings=settings)
    assert count(database, Dossier) == 0


def test_deeply_nested_json_is_a_file_error(database, settings, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('[{"dossierNo": ' + "[" * 100_000 + "]" * 100_000 + "}]", encoding="utf-8")
    with pytest.raises(SourceFileError, match="nested too deeply"):
        import_dossiers(database, path, settings=settings)


def test_json_is_streamed_in_blocks_with_the_same_result_and_lines(database, settings, tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "_READ_CHARS", 7)
    records = json.loads((SAMPLES / "dossiers-sample.json").read_text(encoding="utf-8"))["content"]
    records[-1]["acceptedDate"] = "99/99/2026"
    text = json.dumps({"totalElements": 1.5e3, "ok": [True, None], "content": records}, ensure_ascii=False, indent=1)
    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    [rejected] = import_dossiers(database, path, settings=settings).rejected
    assert text.splitlines()[rejected.line - 1] == "  {" and rejected.column == "acceptedDate"
    records[-1]["acceptedDate"] = "02/03/2026"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    assert import_dossiers(database, path, settings=settings).inserted == 300


def test_a_json_record_over_the_limit_is_a_file_error(database, settings, tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_JSON_RECORD", 1000)
    monkeypatch.setattr(sources, "_READ_CHARS", 100)
    path = tmp_path / "big.json"
    path.write_text(json.dumps([{"dossierNo": "x" * 5000}, {"dossierNo": "y"}]), encoding="utf-8")
    with pytest.raises(SourceFileError, match="over"):
        import_dossiers(database, path, settings=settings)


def test_a_trailing_row_of_empty_cells_without_a_line_break_is_not_a_cut(database, settings, tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(csv_text([row("E-1")]) + "," * (len(HEADER) - 1), encoding="utf-8")
    assert import_dossiers(database, path, settings=settings).applied
