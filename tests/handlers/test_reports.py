"""/baocao in the chat: officers choose a period and a unit; the figures come with targets and a PNG."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.knowledge import Knowledge
from bot.officers.models import Officer, Role
from bot.storage.db import Database
from tests.bot.reports.conftest import UNIT_A, UNIT_B, add_hand_dataset, secret_key  # noqa: F401  (autouse)
from tests.handlers.conftest import LEXICON, PROCEDURES, SETTINGS, Chat, Clock

NOW = datetime(2026, 11, 4, 2, 0, tzinfo=UTC)  # "last month" = October 2026


@pytest.fixture
def chat_as(database: Database):
    knowledge = Knowledge.build(PROCEDURES, LEXICON, SETTINGS.office.levels)
    add_hand_dataset(database)

    def make(user: str, role: Role | None = None, units: list[str] | None = None) -> Chat:
        if role is not None:
            with database.session() as s:
                s.add(Officer(channel="test", user_id=user, chat_id=user, role=role.value, units=units or []))
                s.commit()
        return Chat(knowledge, db=database, clock=Clock(NOW), chat_id=user)

    return make


def test_leader_chooses_period_and_unit(chat_as):
    chat = chat_as("leader", Role.LEADER, [UNIT_B, UNIT_A])
    (periods,) = chat.send("/baocao")
    assert [c.data for c in periods.flat_choices()] == ["rp:tw", "rp:lw", "rp:tm", "rp:lm", "rp:tq"]
    (units,) = chat.press("rp:lm")
    assert [(c.label, c.data) for c in units.flat_choices()] == [
        ("Tất cả đơn vị", "ru:lm:a"), (UNIT_A, "ru:lm:0"), (UNIT_B, "ru:lm:1")]
    (report,) = chat.press("ru:lm:0")
    assert "Báo cáo tháng trước" in report.text and "01/10/2026 – 31/10/2026" in report.text
    assert "Đúng hạn: 60,0% ⚠️ (mục tiêu 98%)" in report.text and UNIT_B not in report.text
    (png,) = report.attachments
    assert png.mime_type == "image/png" and png.content.startswith(b"\x89PNG")
    (both,) = chat.press("ru:lm:a")
    assert UNIT_A in both.text and UNIT_B in both.text and "Tiếp nhận 7" in both.text


def test_single_unit_officer_gets_the_report_at_once(chat_as):
    chat = chat_as("officer", Role.OFFICER, [UNIT_B])
    chat.send("/baocao")
    (report,) = chat.press("rp:lm")
    assert "Tiếp nhận 2 · Đã giải quyết 1" in report.text and UNIT_A not in report.text


def test_empty_period_is_a_clear_no_data(chat_as):
    chat = chat_as("officer", Role.OFFICER, ["Đơn vị không có hồ sơ"])
    (report,) = chat.press("rp:tw")
    assert "Không có dữ liệu" in report.text and report.attachments == []


def test_a_quiet_week_still_shows_the_overdue_backlog(chat_as):
    # nothing received or finished in B this week, but dossier 9 (due 9 October) is still open: not "no data"
    chat = chat_as("officer", Role.OFFICER, [UNIT_B])
    (report,) = chat.press("rp:tw")
    assert "Đang giải quyết (đến nay): quá hạn 1, trong hạn 0" in report.text
    assert "Trong đó đang quá hạn chưa có phiếu xin lỗi: 1" in report.text


def test_citizens_and_forged_units_are_refused(chat_as):
    citizen = chat_as("citizen")
    assert "chỉ dành cho cán bộ" in citizen.send("/baocao")[0].text
    assert "chỉ dành cho cán bộ" in citizen.press("ru:lm:a")[0].text
    officer = chat_as("officer", Role.OFFICER, [UNIT_B])
    assert "không còn hiệu lực" in officer.press("ru:lm:7")[0].text
    assert "không còn hiệu lực" in officer.press("ru:xx:1")[0].text


def test_admin_sees_every_unit(chat_as):
    admin = chat_as("admin", Role.ADMIN)
    (units,) = admin.press("rp:lm")
    assert [c.label for c in units.flat_choices()][1:] == [UNIT_A, UNIT_B]
    (report,) = admin.press("ru:lm:a")
    assert "Tiếp nhận 7" in report.text


def test_scorecard_in_the_chat(chat_as):
    chat = chat_as("leader-sc", Role.LEADER, [UNIT_A])
    (periods,) = chat.send("/bangdiem")
    assert [c.data for c in periods.flat_choices()] == ["sc:tm", "sc:lm", "sc:tq", "sc:lq"]
    (card,) = chat.press("sc:lm")
    assert "Bảng điểm chất lượng phục vụ" in card.text and "01/10/2026 – 31/10/2026" in card.text
    # A in October: 3 of 5 finished on time (no open overdue at the end of the month)
    assert "Tiến độ giải quyết (sớm và đúng hạn): 60,0% (3/5) — 12,0/20 điểm" in card.text
    assert "Nộp hồ sơ trực tuyến (toàn trình, một phần): không có dữ liệu" in card.text and UNIT_B not in card.text
    (png,) = card.attachments
    assert png.mime_type == "image/png" and png.content.startswith(b"\x89PNG")
    (quiet,) = chat.press("sc:lq")  # July – September: only dossier 6, open and on track on 30 September
    assert "Tiến độ giải quyết (sớm và đúng hạn): không có hồ sơ trong kỳ" in quiet.text
    assert "0,0%" not in quiet.text
    citizen = chat_as("citizen-sc")
    (refused,) = citizen.send("/bangdiem")
    assert "chỉ dành cho cán bộ" in refused.text and citizen.press("sc:tm")[0].attachments == []
