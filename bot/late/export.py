"""The whole late-dossier list as a CSV file (``/trehan_csv`` and the 📄 button under the alert)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo

from sqlalchemy.orm import Session

from bot.clock import as_utc, local_date
from bot.config import Settings
from bot.contract.messages import Attachment
from bot.dossiers.calendar import WorkCalendar
from bot.late.query import AlertItem, iter_alert_rows

CSV_MIME = "text/csv"
CSV_HEADER = ("Mã hồ sơ", "Đơn vị", "Lĩnh vực", "Thủ tục", "Hạn trả", "Tình trạng", "Số ngày làm việc", "Đã xin lỗi")
_KIND_TEXT = {"overdue": "Quá hạn", "due_today": "Đến hạn hôm nay", "due_soon": "Sắp đến hạn", "on_time": "Trong hạn"}


def alert_csv(rows: Iterable[AlertItem], tz: tzinfo) -> bytes:
    """The list as CSV: UTF-8 with BOM (so Excel shows Vietnamese), due times in the office time zone ``tz``."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_HEADER)
    for item in rows:
        writer.writerow(
            (
                item.code,
                item.unit,
                item.field,
                item.procedure_name,
                item.due_at.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
                _KIND_TEXT[item.urgency.kind],
                item.urgency.working_days,
                "có" if item.has_apology else "không",
            )
        )
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


def compose_csv(
    session: Session,
    settings: Settings,
    *,
    units: Sequence[str] | None,
    now: datetime,
    calendar: WorkCalendar | None = None,
) -> Attachment:
    """The whole list of urgent dossiers of ``units`` as a CSV attachment."""
    rows = iter_alert_rows(
        session,
        None if units is None else list(units),
        as_utc(now),
        calendar or WorkCalendar.from_settings(settings),
        settings.calendar.soon_days,
    )
    name = f"ho-so-tre-han-{local_date(now, settings.zone).isoformat()}.csv"
    return Attachment(filename=name, content=alert_csv(rows, settings.zone), mime_type=CSV_MIME)
