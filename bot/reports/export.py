"""CSV export of a report's figures, for administrators (UTF-8 with BOM, so Excel shows Vietnamese)."""

from __future__ import annotations

import csv
import io

from bot.reports.compute import Figures, Report

HEADER = [
    "ky_bao_cao", "tu_ngay", "den_ngay", "nhom_theo", "nhom",
    "tiep_nhan", "da_giai_quyet", "dung_han", "tre_han", "tre_han_co_xin_loi", "tre_han_chua_xin_loi",
    "ty_le_dung_han_pct", "muc_tieu_dung_han_pct", "so_danh_gia", "hai_long", "ty_le_hai_long_pct",
    "muc_tieu_hai_long_pct", "dang_giai_quyet_qua_han", "giai_quyet_tre_han", "dang_giai_quyet_trong_han",
    "qua_han_chua_xin_loi", "den_hien_tai",
]
TOTAL_KEY = "TONG"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.2f}"


def _line(report: Report, key: str, f: Figures) -> list[str | int]:
    p = report.period
    return [
        p.kind.value, p.start.isoformat(), p.last_day.isoformat(), report.group_by.value, key,
        f.received, f.finished, f.on_time, f.late, f.late_with_apology, f.late_without_apology,
        _pct(f.on_time_rate), _pct(report.on_time_target), f.ratings, f.satisfied, _pct(f.satisfaction_rate),
        _pct(report.satisfaction_target), f.open_overdue, f.finished_late, f.open_on_track,
        f.open_overdue_without_apology, int(report.partial),
    ]


def report_csv(report: Report) -> bytes:
    """One line per group and a total line (key ``TONG``); rates in percent with two decimals, '' = no data.

    ``tre_han`` counts finished late and open overdue; ``den_hien_tai`` = 1 when the period has not ended."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in report.rows:
        writer.writerow(_line(report, row.key, row.figures))
    writer.writerow(_line(report, TOTAL_KEY, report.total))
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
