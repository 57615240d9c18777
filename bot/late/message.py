"""The text of the morning alert (and of ``/trehan``): counts first, then the most urgent dossiers.

Vietnamese is the source language; English comes from the message catalog. Dates are formatted by Babel
in the office time zone. The text stays under the platform's limit by construction: lines are added while
they fit, and if a pathological page does not fit, the message says how many were left out and points to
the CSV file, which always holds the whole list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.contract.callbacks import Action, encode
from bot.contract.html import bold, esc, italic, shorten
from bot.contract.messages import Choice, Reply
from bot.i18n import Translator, translator
from bot.i18n.format import format_date

#: Telegram's limit; the alert job passes the officer's channel's own (Zalo: 2000).
MAX_TEXT = 4096
_UNIT_CHARS = 60
_FIELD_CHARS = 60
_PROCEDURE_CHARS = 70
_CODE_CHARS = 40
_UNITS_LINE_CHARS = 160


class UrgencyLike(Protocol):
    """``bot.dossiers.calendar.Urgency``."""

    @property
    def kind(self) -> str: ...

    @property
    def working_days(self) -> int: ...


class ItemLike(Protocol):
    """``bot.late.query.AlertItem``: one urgent dossier."""

    @property
    def code(self) -> str: ...

    @property
    def unit(self) -> str: ...

    @property
    def field(self) -> str: ...

    @property
    def procedure_name(self) -> str: ...

    @property
    def due_at(self) -> datetime: ...

    @property
    def urgency(self) -> UrgencyLike: ...

    @property
    def has_apology(self) -> bool: ...

    @property
    def supplements(self) -> int: ...


class ReportLike(Protocol):
    """``bot.late.query.AlertReport``: counts of the officer's units and the most urgent items."""

    @property
    def overdue(self) -> int: ...

    @property
    def due_today(self) -> int: ...

    @property
    def due_soon(self) -> int: ...

    @property
    def late_without_apology(self) -> int: ...

    @property
    def items(self) -> Sequence[ItemLike]: ...


@dataclass(frozen=True, slots=True)
class AlertView:
    """What to show: one page of the list for one officer's units."""

    language: str
    zone: ZoneInfo
    today: date
    units: Sequence[str] | None  # None: every unit (administrators)
    page: int = 1
    page_size: int = 10
    limit: int = MAX_TEXT


def counts_line(report: ReportLike, t: Translator) -> str:
    """"🔴 Quá hạn: 3 · 🟠 Đến hạn hôm nay: 2 · 🟡 Sắp đến hạn: 5 · ✉️ Trễ hạn chưa có phiếu xin lỗi: 1"."""
    parts = [
        t.gettext("🔴 Quá hạn: {n}").format(n=report.overdue),
        t.gettext("🟠 Đến hạn hôm nay: {n}").format(n=report.due_today),
        t.gettext("🟡 Sắp đến hạn: {n}").format(n=report.due_soon),
        t.gettext("✉️ Trễ hạn chưa có phiếu xin lỗi: {n}").format(n=report.late_without_apology),
    ]
    return esc(" · ".join(parts))


def scope_line(units: Sequence[str] | None, t: Translator) -> str:
    """"Đơn vị: UBND phường A, …" or "Tất cả đơn vị" (plain text, shortened)."""
    if units is None:
        return t.gettext("Tất cả đơn vị")
    return shorten(t.gettext("Đơn vị: {units}").format(units=", ".join(units)), _UNITS_LINE_CHARS)


def urgency_text(item: ItemLike, t: Translator) -> str:
    """"quá hạn 2 ngày làm việc", "đến hạn hôm nay", "còn 1 ngày làm việc"."""
    n = item.urgency.working_days
    kind = item.urgency.kind
    if kind == "overdue" and n == 0:
        return t.gettext("trễ hạn: yêu cầu bổ sung {n} lần").format(n=item.supplements)
    if kind == "overdue":
        return t.ngettext("quá hạn {n} ngày làm việc", "quá hạn {n} ngày làm việc", n).format(n=n)
    if kind == "due_today":
        return t.gettext("đến hạn hôm nay")
    return t.ngettext("còn {n} ngày làm việc", "còn {n} ngày làm việc", n).format(n=n)


def needs_apology_soon(item: ItemLike) -> bool:
    """Due today or on the next working day, not finished, no apology yet: Decree 118/2025 asks for the
    Phiếu xin lỗi và hẹn lại ngày trả kết quả before the appointment passes."""
    kind, days = item.urgency.kind, item.urgency.working_days
    return not item.has_apology and (kind == "due_today" or (kind == "due_soon" and days <= 1))


@lru_cache(maxsize=4096)
def _day_text(day: date, language: str) -> str:
    """Babel's date text, once per day and language (an alert run formats thousands of due dates)."""
    return format_date(day, language)


def item_lines(item: ItemLike, view: AlertView, t: Translator) -> str:
    """Two lines for one dossier: code and procedure, then due date, urgency and a missing apology."""
    due = _day_text(item.due_at.astimezone(view.zone).date(), view.language)
    details = [t.gettext("hẹn trả {date}").format(date=due), urgency_text(item, t)]
    if item.urgency.kind == "overdue" and not item.has_apology:
        details.append(t.gettext("✉️ chưa có phiếu xin lỗi"))
    elif needs_apology_soon(item):
        details.append(t.gettext("✍️ cần lập phiếu xin lỗi và hẹn lại"))
    head = f"{shorten(item.code, _CODE_CHARS)} — {shorten(item.procedure_name, _PROCEDURE_CHARS)}"
    return f"• {esc(head)}\n   {esc(' · '.join(details))}"


def _title(report: ReportLike, view: AlertView, t: Translator) -> list[str]:
    day = format_date(view.today, view.language)
    if view.page == 1:
        title = t.gettext("⏰ Hồ sơ cần xử lý — {date}").format(date=day)
    else:
        title = t.gettext("⏰ Hồ sơ cần xử lý — {date} — trang {page}").format(date=day, page=view.page)
    return [bold(title), esc(scope_line(view.units, t)), counts_line(report, t)]


def _buttons(view: AlertView, has_more: bool, t: Translator) -> list[list[Choice]]:
    nav = []
    if view.page > 1:
        nav.append(Choice(t.gettext("◀️ Trang trước"), encode(Action.LATE, view.page - 1)))
    if has_more:
        nav.append(Choice(t.gettext("▶️ Trang sau"), encode(Action.LATE, view.page + 1)))
    rows = [nav] if nav else []
    rows.append([Choice(t.gettext("📄 Toàn bộ danh sách (CSV)"), encode(Action.LATE_CSV))])
    return rows


def _footer(view: AlertView, has_more: bool, left_out: int, t: Translator) -> str:
    lines = []
    if left_out:
        lines.append(t.ngettext("… và {n} hồ sơ khác trong trang này.", "… và {n} hồ sơ khác trong trang này.",
                                left_out).format(n=left_out))
    if has_more:
        lines.append(t.gettext("Xem tiếp: /trehan {page}").format(page=view.page + 1))
    lines.append(t.gettext("Toàn bộ danh sách (CSV): /trehan_csv"))
    return esc("\n".join(lines))


def alert_reply(report: ReportLike, view: AlertView) -> Reply:
    """The alert message for ``view``; ``report.items`` must hold at least ``page × page_size`` items
    when there are that many (one more tells that a next page exists)."""
    t = translator(view.language)
    lines = _title(report, view, t)
    if report.overdue + report.due_today + report.due_soon == 0 and view.page == 1:
        lines.append("")
        lines.append(esc(t.gettext("✅ Không có hồ sơ trễ hạn hay sắp đến hạn. Chúc một ngày làm việc tốt!")))
        return Reply(text="\n".join(lines))
    first = (view.page - 1) * view.page_size
    page_items = list(report.items[first : first + view.page_size])
    has_more = len(report.items) > first + view.page_size
    if not page_items:
        lines.append("")
        lines.append(esc(t.gettext("Không còn hồ sơ nào ở trang này. Gõ /trehan để xem từ đầu.")))
        return Reply(text="\n".join(lines), choices=_buttons(view, False, t))
    reserve = len(_footer(view, has_more, len(page_items), t)) + 2
    body: list[str] = []
    used = sum(len(line) + 1 for line in lines)
    group: tuple[str, str] | None = None
    shown = 0
    for item in _grouped(page_items):
        block = []
        if group is None or item.unit != group[0]:
            block.append("\n" + bold("🏢 " + shorten(item.unit or t.gettext("(chưa rõ đơn vị)"), _UNIT_CHARS)))
        if group is None or (item.unit, item.field) != group:
            block.append(italic(shorten(item.field or t.gettext("(chưa rõ lĩnh vực)"), _FIELD_CHARS)))
        block.append(item_lines(item, view, t))
        size = sum(len(b) + 1 for b in block)
        if used + size + reserve > view.limit:
            break
        body.extend(block)
        used += size
        group = (item.unit, item.field)
        shown += 1
    footer = _footer(view, has_more, len(page_items) - shown, t)
    return Reply(text="\n".join([*lines, *body, "", footer]), choices=_buttons(view, has_more, t))


def _grouped(items: Sequence[ItemLike]) -> list[ItemLike]:
    """Items grouped by unit, then field; groups in order of their most urgent item, items keep their order."""
    order: dict[tuple[str, str], list[ItemLike]] = {}
    units: dict[str, int] = {}
    for item in items:
        units.setdefault(item.unit, len(units))
        order.setdefault((item.unit, item.field), []).append(item)
    keys = sorted(order, key=lambda k: units[k[0]])  # stable: fields keep first-seen order within a unit
    return [item for key in keys for item in order[key]]
