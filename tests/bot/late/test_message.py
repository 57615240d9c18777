"""The morning alert text: counts first, grouping by unit and field, the "nothing late" case, the 4096 limit."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from bot.dossiers.calendar import Urgency
from bot.late.compose import compose_alert
from bot.late.message import AlertView, alert_reply
from bot.late.query import AlertItem, AlertReport
from bot.storage.db import Database
from tests.bot.late.factory import HCM, MONDAY_0730, UNIT_A, UNIT_B, add_dossier, settings
from tests.fakes.telegram_api import check_text

TODAY = date(2026, 11, 23)
DUE = datetime(2026, 11, 19, 17, 0, tzinfo=HCM)


def _item(code: str, unit: str, field: str, kind: str = "overdue", days: int = 2, apology: bool = False) -> AlertItem:
    return AlertItem(code, unit, field, "Đăng ký khai sinh", DUE, Urgency(kind, days), apology)  # type: ignore[arg-type]


def _view(language: str = "vi", page: int = 1, size: int = 10, units: tuple[str, ...] | None = (UNIT_A,)) -> AlertView:
    return AlertView(language=language, zone=HCM, today=TODAY, units=units, page=page, page_size=size)


def test_counts_come_first_then_items_grouped_by_unit_and_field() -> None:
    report = AlertReport(overdue=3, due_today=2, due_soon=5, late_without_apology=1, items=[
        _item("A-1", UNIT_A, "Hộ tịch"),
        _item("B-1", UNIT_B, "Chứng thực", apology=True),
        _item("A-2", UNIT_A, "Chứng thực", kind="due_today", days=0),
        _item("A-3", UNIT_A, "Hộ tịch", kind="due_soon", days=1),
    ])  # fmt: skip
    text = alert_reply(report, _view()).text
    lines = text.splitlines()
    assert lines[0] == "<b>⏰ Hồ sơ cần xử lý — 23/11/2026</b>"
    assert lines[2] == "🔴 Quá hạn: 3 · 🟠 Đến hạn hôm nay: 2 · 🟡 Sắp đến hạn: 5 · ✉️ Trễ hạn chưa có phiếu xin lỗi: 1"
    order = [line for line in lines if line.startswith(("<b>🏢", "<i>", "• "))]
    assert order == [
        f"<b>🏢 {UNIT_A}</b>", "<i>Hộ tịch</i>", "• A-1 — Đăng ký khai sinh", "• A-3 — Đăng ký khai sinh",
        "<i>Chứng thực</i>", "• A-2 — Đăng ký khai sinh",
        f"<b>🏢 {UNIT_B}</b>", "<i>Chứng thực</i>", "• B-1 — Đăng ký khai sinh",
    ]  # fmt: skip
    assert "hẹn trả 19/11/2026 · quá hạn 2 ngày làm việc · ✉️ chưa có phiếu xin lỗi" in text
    assert "quá hạn 2 ngày làm việc\n" in text  # B-1 has its apology: no mark
    assert "đến hạn hôm nay" in text and "còn 1 ngày làm việc" in text
    assert "Toàn bộ danh sách (CSV): /trehan_csv" in text and "/trehan 2" not in text


def test_more_items_than_a_page_point_to_the_next_page_and_the_csv() -> None:
    items = [_item(f"A-{i}", UNIT_A, "Hộ tịch") for i in range(4)]
    reply = alert_reply(AlertReport(overdue=4, items=items), _view(size=3))
    assert reply.text.count("• ") == 3
    assert "Xem tiếp: /trehan 2" in reply.text
    assert [c.data for c in reply.flat_choices()] == ["th:2", "tc"]
    page2 = alert_reply(AlertReport(overdue=4, items=items), _view(size=3, page=2))
    assert "trang 2" in page2.text and page2.text.count("• ") == 1 and "• A-3" in page2.text
    assert [c.data for c in page2.flat_choices()] == ["th:1", "tc"]


def test_nothing_late_is_one_short_message() -> None:
    reply = alert_reply(AlertReport(open_total=7), _view())
    assert "✅ Không có hồ sơ trễ hạn hay sắp đến hạn" in reply.text
    assert reply.choices == [] and len(reply.text) < 300


def test_english_from_the_catalog_and_dates_by_babel() -> None:
    report = AlertReport(overdue=1, late_without_apology=1, items=[_item("A-1", UNIT_A, "Hộ tịch", days=1)])
    text = alert_reply(report, _view("en", units=None)).text
    assert "23 Nov 2026" in text and "All units" in text
    assert "🔴 Overdue: 1 · 🟠 Due today: 0 · 🟡 Due soon: 0 · ✉️ Late without an apology letter: 1" in text
    assert "due 19 Nov 2026 · overdue by 1 working day · ✉️ no apology letter yet" in text


def test_a_page_of_huge_names_stays_under_4096_characters() -> None:
    name = "&<" * 400  # escaping makes it longer still
    items = [AlertItem(f"{i:040d}", f"{name} {i}", f"{name} {i}", name, DUE, Urgency("overdue", 9), False)
             for i in range(50)]  # fmt: skip
    reply = alert_reply(AlertReport(overdue=50, items=items), _view(size=50))
    assert len(reply.text) <= 4096
    check_text(reply.text, "HTML")  # what Telegram would accept
    assert "hồ sơ khác trong trang này" in reply.text and "/trehan_csv" in reply.text


def test_counts_and_items_from_a_hand_made_dataset(database: Database) -> None:
    now = MONDAY_0730
    add_dossier(database, "A-LATE-3", now - timedelta(days=6))  # due Tue 17/11 → 4 working days late
    add_dossier(database, "A-LATE-1", datetime(2026, 11, 20, 17, 0, tzinfo=HCM), apology=True)
    add_dossier(database, "A-TODAY", datetime(2026, 11, 23, 17, 0, tzinfo=HCM), field="Chứng thực")
    add_dossier(database, "A-SOON", datetime(2026, 11, 25, 17, 0, tzinfo=HCM))
    add_dossier(database, "A-LATER", datetime(2026, 12, 15, 17, 0, tzinfo=HCM))
    add_dossier(database, "A-DONE", now - timedelta(days=3), is_open=False)
    add_dossier(database, "B-LATE", now - timedelta(days=3), unit=UNIT_B)
    with database.session() as s:
        text = compose_alert(s, settings(), units=[UNIT_A], language="vi", now=now).text
    assert "🔴 Quá hạn: 2 · 🟠 Đến hạn hôm nay: 1 · 🟡 Sắp đến hạn: 1 · ✉️ Trễ hạn chưa có phiếu xin lỗi: 1" in text
    codes = [line.split(" — ")[0][2:] for line in text.splitlines() if line.startswith("• ")]
    assert codes == ["A-LATE-3", "A-LATE-1", "A-SOON", "A-TODAY"]  # grouped: Hộ tịch first, then Chứng thực
    assert "quá hạn 4 ngày làm việc · ✉️ chưa có phiếu xin lỗi" in text
    assert "B-LATE" not in text and "A-LATER" not in text and "A-DONE" not in text


def test_dossiers_due_within_one_working_day_ask_for_an_apology_letter() -> None:
    report = AlertReport(due_today=2, due_soon=2, items=[
        _item("T-1", UNIT_A, "Hộ tịch", kind="due_today", days=0),
        _item("T-2", UNIT_A, "Hộ tịch", kind="due_today", days=0, apology=True),
        _item("S-1", UNIT_A, "Hộ tịch", kind="due_soon", days=1),
        _item("S-2", UNIT_A, "Hộ tịch", kind="due_soon", days=2),
    ])  # fmt: skip
    lines = alert_reply(report, _view()).text.splitlines()
    blocks = {line.split(" — ")[0][2:]: nxt for line, nxt in itertools.pairwise(lines) if line.startswith("• ")}
    mark = "✍️ cần lập phiếu xin lỗi và hẹn lại"
    assert mark in blocks["T-1"] and mark in blocks["S-1"]
    assert mark not in blocks["T-2"] and mark not in blocks["S-2"]
    english = alert_reply(report, _view("en")).text
    assert "✍️ apology and new appointment letter needed" in english
