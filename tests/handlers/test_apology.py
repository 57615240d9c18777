"""``/xinloi MÃ`` in the chat: the guided flow (date, reason), its validation, and who may use it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.dossiers.models import Apology
from bot.storage.db import Database
from tests.bot.late.factory import MONDAY_0730, UNIT_B, add_dossier, add_officer, secret_key  # noqa: F401  (autouse)
from tests.handlers.test_officers import Chat


def test_an_officer_records_an_apology_with_buttons(database: Database) -> None:
    add_dossier(database, "A-0001", MONDAY_0730 + timedelta(hours=8))
    add_officer(database, 900)
    chat = Chat(database, "900")
    [ask] = chat.say("/xinloi a-0001")
    assert "hồ sơ A-0001" in ask.text and "Hẹn trả hiện tại: 23/11/2026" in ask.text
    assert [c.data for c in ask.flat_choices()] == ["ad:20261125", "ad:20261126", "ad:20261127"]
    [reason] = chat.press("ad:20261126")
    assert "Ngày hẹn mới: 26/11/2026" in reason.text and len(reason.flat_choices()) == 3
    [done] = chat.press("ar:1")
    assert "Đã ghi nhận phiếu xin lỗi và hẹn lại cho hồ sơ A-0001" in done.text and "lần hẹn lại thứ" not in done.text
    [letter] = done.attachments
    assert letter.filename == "phieu-xin-loi-A-0001.pdf" and letter.content.startswith(b"%PDF")
    with database.session() as s:
        [apology] = s.scalars(select(Apology)).all()
    assert apology.reason == "Chờ ý kiến của cơ quan phối hợp"
    assert chat.press("ar:1") != [done]  # the flow is over: a stale button records nothing more
    with database.session() as s:
        assert len(s.scalars(select(Apology)).all()) == 1


def test_typed_dates_are_checked_and_the_reason_typed(database: Database) -> None:
    add_dossier(database, "A-0001", MONDAY_0730 - timedelta(days=3))
    add_officer(database, 900)
    chat = Chat(database, "900")
    chat.say("/xinloi A-0001")
    [bad] = chat.say("ngày mai")
    assert "Không đọc được ngày" in bad.text and bad.flat_choices()
    [off] = chat.say("24/11/2026")
    assert "không phải ngày làm việc" in off.text
    [no_year] = chat.say("30/11")  # the next 30 November
    assert "Ngày hẹn mới: 30/11/2026" in no_year.text
    chat.say("/xinloi A-0001")
    [before] = chat.say("23/11/2026")
    assert "phải sau hôm nay" in before.text
    chat.say("27/11/26")
    [short] = chat.say("ok")
    assert "Lý do quá ngắn" in short.text
    [done] = chat.say("Hồ sơ cần lấy ý kiến Sở Tư pháp")
    assert "Đã ghi nhận" in done.text and "27/11/2026" in done.text
    with database.session() as s:
        [apology] = s.scalars(select(Apology)).all()
    assert apology.reason == "Hồ sơ cần lấy ý kiến Sở Tư pháp"


def test_other_units_dossiers_and_citizens_are_refused(database: Database) -> None:
    add_dossier(database, "B-0001", MONDAY_0730 + timedelta(hours=8), unit=UNIT_B)
    add_dossier(database, "A-0009", MONDAY_0730, is_open=False)
    add_officer(database, 900)
    officer = Chat(database, "900")
    [other] = officer.say("/xinloi B-0001")
    assert "Không tìm thấy hồ sơ B-0001 trong các đơn vị của bạn" in other.text and not other.flat_choices()
    [closed] = officer.say("/xinloi A-0009")
    assert "đã kết thúc xử lý" in closed.text
    [citizen] = Chat(database, "901").say("/xinloi B-0001")
    assert "chỉ dành cho cán bộ" in citizen.text


def test_a_second_postponement_warns_the_officer(database: Database) -> None:
    add_dossier(database, "A-0001", MONDAY_0730 - timedelta(days=3), apology=True)
    add_officer(database, 900)
    chat = Chat(database, "900")
    [ask] = chat.say("/xinloi A-0001")
    assert "đã được hẹn lại 1 lần" in ask.text
    chat.press("ad:20261125")
    [done] = chat.press("ar:0")
    assert "lần hẹn lại thứ 2" in done.text
