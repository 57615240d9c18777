"""Answers a citizen can act on, through the real handlers, over procedures built from real portal records:
documents, steps, fees, time and the expected date, and where to go — inside and outside opening hours."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.catalog.checklist import build_checklist
from bot.channels.base import text_pieces
from bot.channels.zalo_bot import CAPABILITIES as ZALO
from bot.config import Settings
from bot.contract.html import strip_tags
from bot.contract.messages import Reply
from bot.knowledge import Knowledge
from handlers.digest import FIRST_MESSAGE_CHARS
from tests.handlers.conftest import NOW, Chat, Clock
from tests.records import portal_procedure

CODES = ("1.001193", "1.004222", "3.000347", "1.000894")
SETTINGS = Settings.model_validate({
    "office": {"name": "UBND phường Mẫu", "hotline": "1900 1234"},
    "receiving_points": [
        {"name": "Trung tâm Phục vụ hành chính công tỉnh", "address": "Số 1 đường Trần Phú", "phone": "0200 3800 000",
         "map_url": "https://www.openstreetmap.org/?mlat=21.0285&mlon=105.8542", "levels": ["Cấp tỉnh"],
         "hours": {"sat": "07:30-11:30"}},
        {"name": "Bộ phận Một cửa phường An Bình", "address": "Số 25 đường Lê Lợi", "phone": "0200 3811 111",
         "levels": ["Cấp xã"], "areas": ["Phường An Bình"], "hours": {"sat": "07:30-11:30"}},
        {"name": "Bộ phận Một cửa xã Tân Lập", "levels": ["Cấp xã"], "areas": ["Xã Tân Lập"]},
    ],
})


@pytest.fixture(scope="module")
def real_knowledge() -> Knowledge:
    return Knowledge.build([portal_procedure(code) for code in CODES], [], SETTINGS.office.levels)


@pytest.fixture
def chat(real_knowledge: Knowledge) -> Chat:
    """A conversation on Wednesday 18 November 2026, 10:00 in Hà Nội."""
    return Chat(real_knowledge, SETTINGS, clock=Clock(NOW))


def plain(reply: Reply) -> str:
    return strip_tags(reply.text)


def datas(reply: Reply) -> list[str]:
    return [c.data for c in reply.flat_choices()]


def one_zalo_message(reply: Reply) -> bool:
    pieces = [piece.text for piece in text_pieces(reply, ZALO)]
    return len(pieces) == 1 and len(pieces[0]) <= FIRST_MESSAGE_CHARS


# ------------------------------------------------------------------------------------------ documents


def test_birth_registration_documents_fit_one_message_with_the_form_first(chat: Chat):
    chat.send("đăng ký khai sinh")
    [docs] = chat.send("cần giấy tờ gì")
    lines = plain(docs).split("\n")
    assert lines[0].startswith("Giấy tờ cần mang — Thủ tục đăng ký khai sinh (1.001193)")
    assert lines[2].startswith("• Tờ khai đăng ký khai sinh theo mẫu")  # the form within the first three lines
    assert "Giấy chứng sinh" in plain(docs) and "— 1 bản chính" in plain(docs)
    assert "0 bản chính" not in plain(docs)
    assert "1. Trẻ em bị bỏ rơi" in plain(docs)  # the rare cases behind a number, not first
    assert plain(docs).index("Giấy chứng sinh") < plain(docs).index("Trẻ em bị bỏ rơi")
    assert one_zalo_message(docs)
    assert datas(docs)[:1] == ["d:1.001193:docs:0"] and "d:1.001193:docs:all" in datas(docs)


def test_a_case_number_shows_what_that_case_adds(chat: Chat):
    chat.send("đăng ký khai sinh")
    chat.send("cần giấy tờ gì")
    [case] = chat.send("1")  # typed, as on Zalo
    assert "Trường hợp: Trẻ em bị bỏ rơi" in plain(case)
    assert "Biên bản về việc trẻ bị bỏ rơi do cơ quan có thẩm quyền lập. — 1 bản chính" in plain(case)
    [stale] = chat.press("d:1.001193:docs:42")
    assert "không còn hiệu lực" in stale.text


def test_one_more_tap_shows_every_item_of_the_source(chat: Chat):
    chat.send("đăng ký khai sinh")
    [full] = chat.press("d:1.001193:docs:all")
    text = plain(full)
    for document in portal_procedure("1.001193").documents:
        assert document.name in text  # nothing dropped, notes included
    assert "Lưu ý của Cổng Dịch vụ công:" in text


def test_permanent_residence_offers_its_cases_after_the_shared_form(chat: Chat):
    chat.send("đăng ký thường trú")
    [docs] = chat.send("giấy tờ gì")
    lines = plain(docs).split("\n")
    assert "Tờ khai thay đổi thông tin cư trú (mẫu CT01" in lines[2]
    assert "1. Vào chỗ ở hợp pháp thuộc quyền sở hữu của mình" in plain(docs)
    assert "6. Vào chỗ ở hợp pháp do thuê, mượn, ở nhờ" in plain(docs)
    assert one_zalo_message(docs)
    [rented] = chat.send("6")
    assert "Hợp đồng, văn bản về việc cho thuê, cho mượn, cho ở nhờ" in plain(rented)


def test_documents_first_message_in_english_keeps_the_source_words(chat: Chat):
    chat.send("/lang en")
    chat.send("đăng ký khai sinh")
    [docs] = chat.send("cần giấy tờ gì")
    assert "Documents to bring" in docs.text and "Forms (fill in and hand in):" in docs.text
    assert "1 original" in docs.text and "Tờ khai đăng ký khai sinh" in docs.text


# ------------------------------------------------------------------------------------------ steps


def test_steps_are_numbered_once_with_details_one_tap_away(chat: Chat):
    chat.send("đăng ký khai sinh")
    [steps] = chat.send("các bước làm thế nào")
    text = plain(steps)
    assert "Bước 1: Nếu lựa chọn hình thức nộp hồ sơ trực tiếp" in text and "Bước 5:" in text
    assert "Bước 1: -" not in text and "Bước 1: Bước" not in text
    assert one_zalo_message(steps)
    [full] = chat.press("d:1.001193:steps:all")
    assert "(i) Trường hợp hồ sơ đầy đủ, hợp lệ" in plain(full) and "Lưu ý của Cổng Dịch vụ công:" in plain(full)


# ------------------------------------------------------------------------------------------ fees


def test_driving_licence_exchange_is_never_shown_free(chat: Chat):
    [card] = chat.send("đổi giấy phép lái xe")
    assert "1.000894" not in card.text and "3.000347" in card.text
    assert "Miễn phí" not in card.text and "115.000" in card.text
    [fees] = chat.send("lệ phí bao nhiêu")
    text = plain(fees)
    assert "115.000 ₫ – 135.000 ₫/lần (tùy trường hợp)" in text.replace("\xa0", " ")
    assert "Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần" in text
    assert "Cổng Dịch vụ công ghi “Miễn phí” ở cột phí, nhưng ghi chú nói có thu phí" in text


def test_marriage_registration_stays_free(chat: Chat):
    chat.send("đăng ký kết hôn")
    [fees] = chat.send("phí bao nhiêu")
    assert "Miễn phí (Miễn lệ phí." in plain(fees)


# ------------------------------------------------------------------------------------------ time


def test_a_bare_one_is_said_to_have_no_unit_and_the_source_is_quoted(chat: Chat):
    chat.send("đăng ký khai sinh")
    [time_reply] = chat.send("mất mấy ngày")
    text = plain(time_reply)
    assert "1 (Cổng Dịch vụ công không ghi đơn vị)" in text
    assert "không ghi là giờ, ngày hay ngày làm việc" in text
    assert "“nếu tiếp nhận hồ sơ sau 15 giờ thì có Phiếu hẹn" in text
    assert "s:1.001193:due" in datas(time_reply)


def test_when_is_the_result_ready_if_filed_today(chat: Chat):
    chat.send("đăng ký thường trú")
    [due] = chat.send("khi nào có kết quả nếu tôi nộp hôm nay?")
    text = plain(due)
    assert "Bây giờ là 10:00, Thứ Tư, 18/11/2026." in text
    # 7 working days from Wednesday 18: 18, 19, 20, 23, (24 November: Vietnam Cultural Day, a holiday), 25, 26, 27.
    assert "Trực tuyến, Trực tiếp (7 ngày làm việc): chậm nhất 17:00, Thứ Sáu, 27/11/2026" in text


def test_after_the_cutoff_the_count_starts_on_the_next_working_day(chat: Chat):
    assert chat.clock is not None
    chat.clock.now = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)  # Friday 16:30 in Hà Nội
    chat.send("đăng ký khai sinh")
    [due] = chat.send("khi nào có kết quả nếu tôi nộp hôm nay")
    text = plain(due)
    assert "Hôm nay đã sau 15:00, nên thời hạn được tính từ Thứ Hai, 23/11/2026." in text
    assert "chỉ ghi “1”, không ghi đơn vị; nếu là 1 ngày làm việc thì chậm nhất 17:00, Thứ Hai, 23/11/2026" in text


def test_on_a_day_off_the_reason_given_is_the_day_off(chat: Chat):
    assert chat.clock is not None
    chat.clock.now = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # Sunday 09:00 in Hà Nội
    chat.send("đăng ký khai sinh")
    text = plain(chat.send("khi nào có kết quả nếu tôi nộp hôm nay")[0])
    assert "Hôm nay là ngày nghỉ, nên thời hạn được tính từ Thứ Hai, 23/11/2026." in text
    assert "đã sau" not in text


def test_a_working_saturday_afternoon_names_the_saturday_close(real_knowledge: Knowledge):
    settings = SETTINGS.model_copy(update={"calendar": SETTINGS.calendar.model_copy(
        update={"working_saturday_morning": True})})
    chat = Chat(real_knowledge, settings, clock=Clock(datetime(2026, 11, 21, 6, 0, tzinfo=UTC)))  # Sat 13:00
    chat.send("đăng ký khai sinh")
    text = plain(chat.send("khi nào có kết quả nếu tôi nộp hôm nay")[0])
    assert "Hôm nay đã sau 11:30, nên thời hạn được tính từ Thứ Hai, 23/11/2026." in text


def test_calendar_days_are_explained(knowledge: Knowledge):
    chat = Chat(knowledge, clock=Clock(NOW))
    chat.send("chứng thực bản sao từ bản chính")  # 1 calendar day
    [time_reply] = chat.send("bao lâu")
    assert "“Ngày” ở đây là ngày theo lịch" in plain(time_reply)


# ------------------------------------------------------------------------------------------ where


def test_where_asks_the_ward_then_shows_the_open_counter(chat: Chat):
    chat.send("đăng ký khai sinh")
    [ask] = chat.send("nộp ở đâu")
    assert "Bạn ở xã/phường nào?" in plain(ask)
    assert datas(ask)[:2] == ["a:1.001193:1", "a:1.001193:2"]
    [where] = chat.send("1")
    text = plain(where)
    assert "📍 Bộ phận Một cửa phường An Bình" in text and "Số 25 đường Lê Lợi" in text
    assert "🕒 Thứ Hai – Thứ Sáu: 07:30–11:30, 13:30–17:00" in text and "🕒 Thứ Bảy: 07:30–11:30" in text
    assert "🟢 Đang mở cửa, đến 11:30 hôm nay." in text and "☎️ 0200 3811 111" in text
    assert "Gửi qua bưu chính" in text and "Nộp trực tuyến (trực tuyến một phần)" in text
    [again] = chat.send("ở đâu")  # the ward is remembered for the chat
    assert "Bộ phận Một cửa phường An Bình" in plain(again) and "Bạn ở xã/phường nào?" not in plain(again)


def test_where_outside_opening_hours_says_when_it_opens(chat: Chat):
    assert chat.clock is not None
    chat.clock.now = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)  # Saturday 15:00: the Saturday morning is over
    chat.send("đổi giấy phép lái xe")
    [ministry] = chat.send("nộp ở đâu")
    assert "không tiếp nhận hồ sơ" in plain(ministry) and "Công an tỉnh" in plain(ministry)
    chat.send("đăng ký thường trú")
    chat.send("ở đâu")
    [where] = chat.send("2")  # Xã Tân Lập: no Saturday opening
    text = plain(where)
    assert "🔴 Đang ngoài giờ làm việc. Mở cửa lại lúc 07:30, Thứ Hai, 23/11/2026." in text
    assert "Không nhận hồ sơ qua bưu chính." in text


def test_the_opening_hours_follow_the_holidays(chat: Chat):
    assert chat.clock is not None
    chat.clock.now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # Monday 19:00; Tuesday 24 is a holiday
    chat.send("đăng ký khai sinh")
    chat.send("ở đâu")
    [where] = chat.press("a:1.001193:1")
    assert "Mở cửa lại lúc 07:30, Thứ Tư, 25/11/2026." in plain(where)


def test_without_receiving_points_the_office_itself_is_shown(real_knowledge: Knowledge):
    chat = Chat(real_knowledge, Settings.model_validate({"office": {"name": "UBND xã Mẫu", "address": "Thôn 1"}}))
    chat.send("đăng ký khai sinh")
    [where] = chat.send("ở đâu")
    assert "📍 UBND xã Mẫu" in plain(where) and "Thôn 1" in plain(where)


def test_the_full_answer_keeps_every_row_of_every_test_procedure(chat: Chat, real_knowledge: Knowledge):
    for procedure in real_knowledge.procedures.values():
        full = build_checklist(procedure, lift_shared=False)
        rows = len(full.common) + sum(len(c.documents) for c in full.cases) + len(full.notes)
        assert rows == len(procedure.documents)
        [reply] = chat.press(f"d:{procedure.code}:docs:all")
        assert all(d.name in plain(reply) for d in procedure.documents)
