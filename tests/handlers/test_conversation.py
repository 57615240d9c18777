"""Whole conversations through the router, as a citizen would have them."""

from __future__ import annotations

from bot.contract.callbacks import decode
from bot.contract.messages import Kind
from tests.handlers.conftest import SETTINGS


def _datas(replies) -> list[str]:
    return [c.data for r in replies for c in r.flat_choices()]


def test_start_greets_with_office_name_and_menu(chat):
    [reply] = chat.send("/start")
    assert "UBND phường Mẫu" in reply.text
    datas = _datas([reply])
    assert {"m:search", "m:dossier", "m:feedback", "m:help", "fl:0"} <= set(datas)


def test_search_without_diacritics_shows_the_card(chat):
    [card] = chat.send("dk ket hon")
    assert "Thủ tục đăng ký kết hôn" in card.text
    assert "1.000894" in card.text
    assert "Miễn phí" in card.text
    assert "5 ngày làm việc" in card.text
    assert "https://dichvucong.gov.vn/p/1" in card.text
    assert "s:1.000894:docs" in _datas([card])


def test_follow_up_questions_use_the_procedure_in_context(chat):
    chat.send("đăng ký kết hôn")
    [fees] = chat.send("phí bao nhiêu?")
    assert "Phí, lệ phí" in fees.text and "Miễn phí" in fees.text and "1.000894" in fees.text
    [docs] = chat.send("can giay to gi")
    assert "Tờ khai đăng ký kết hôn" in docs.text and "1 bản chính" in docs.text
    [time] = chat.send("mất mấy ngày")
    assert "5 ngày làm việc" in time.text
    [online] = chat.send("nộp online được không")
    assert "trực tuyến một phần" in online.text
    assert "1.000894" in online.text and "VNeID" in online.text


def test_follow_up_without_context_asks_which_procedure(chat):
    [reply] = chat.send("phí bao nhiêu")
    assert "thủ tục nào" in reply.text


def test_question_naming_a_new_procedure_with_a_section(chat):
    chat.send("đăng ký kết hôn")
    replies = chat.send("làm hộ chiếu hết bao nhiêu tiền")
    assert "Cấp hộ chiếu phổ thông" in replies[0].text
    assert "200.000\xa0₫/lần" in replies[1].text


def test_money_is_formatted_in_vnd(chat):
    [card] = chat.send("chứng thực bản sao từ bản chính")
    assert "2.000\xa0₫/trang" in card.text


def test_procedure_without_online_filing_says_so(chat):
    chat.send("1.001456")
    [online] = chat.send("nộp trực tuyến được không")
    assert "chưa nhận hồ sơ trực tuyến" in online.text
    assert "Qua bưu chính: không" in online.text


def test_variants_at_other_levels_are_mentioned(chat):
    [card] = chat.send("cấp thẻ căn cước cho người từ đủ 14 tuổi")
    assert "còn được thực hiện ở" in card.text


def test_ambiguous_question_offers_choices_and_a_number_selects(chat):
    [choices] = chat.send("chứng thực")
    datas = _datas([choices])
    assert "p:2.000815" in datas and "p:2.000884" in datas
    index = datas.index("p:2.000884") + 1
    [card] = chat.send(str(index))
    assert "Chứng thực chữ ký" in card.text


def test_pressing_a_section_button(chat):
    [section] = chat.press("s:1.000894:legal")
    assert "60/2014/QH13" in section.text and "Luật Hộ tịch" in section.text


def test_nothing_found_is_honest_and_gives_the_hotline(chat):
    [reply] = chat.send("thời tiết hà nội ngày mai")
    assert "chưa tìm thấy" in reply.text
    assert SETTINGS.office.hotline in reply.text
    assert "fl:0" in _datas([reply])


def test_browse_by_field_pages(chat):
    [fields] = chat.press("fl:0")
    field_buttons = [d for d in _datas([fields]) if d.startswith("f:")]
    assert field_buttons
    [page] = chat.press(field_buttons[0])
    assert any(d.startswith("p:") for d in _datas([page]))


def test_language_switch_to_english_and_back(chat):
    [reply] = chat.send("/lang en")
    assert "English" in reply.text
    [card] = chat.send("đăng ký kết hôn")
    assert "Processing time" in card.text and "Free of charge" in card.text
    assert "Procedure code: 1.000894" in card.text and "Field: Hộ tịch" in card.text and "How to file" in card.text
    [reply] = chat.press("l:vi")
    assert "tiếng Việt" in reply.text


def test_greeting_and_thanks_are_not_searched(chat):
    [hello] = chat.send("xin chào")
    assert "UBND phường Mẫu" in hello.text
    [thanks] = chat.send("cảm ơn")
    assert "vui" in thanks.text


def test_dossier_menu_asks_for_the_code_on_the_receipt(chat):
    [reply] = chat.press("m:dossier")
    assert "mã hồ sơ" in reply.text and "biên nhận" in reply.text


def test_every_button_parses(chat):
    replies = chat.send("/start") + chat.send("chứng thực") + chat.send("đăng ký kết hôn") + chat.press("fl:0")
    for data in _datas(replies):
        assert decode(data) is not None, data
        assert len(data.encode()) <= 64


def test_reload_is_for_admins_only(new_chat):
    chat = new_chat()
    [reply] = chat.send("/reload")
    assert "quản trị" in reply.text


def test_unsupported_message_kind(chat):
    [reply] = chat.send(kind=Kind.UNSUPPORTED)
    assert "tin nhắn chữ" in reply.text


def test_a_bare_number_from_the_portal_is_not_shown_alone(knowledge):
    from bot.catalog.model import Duration
    from bot.i18n import translator
    from handlers.describe import duration_text

    assert duration_text(Duration(amount=1, unit=None, text="1"), translator("vi")) == (
        "1 (Cổng Dịch vụ công không ghi đơn vị)")
    assert "gives no unit" in duration_text(Duration(amount=1, text="1"), translator("en"))


def test_a_very_long_name_is_cut_in_lists_and_whole_on_its_card():
    from bot.catalog.model import Level, Procedure
    from bot.knowledge import Knowledge
    from tests.handlers.conftest import Chat

    cases = " ".join(f"trường hợp {i} của người sử dụng đất" for i in range(40))
    long_name = "Đăng ký biến động quyền sử dụng đất " + cases
    procs = [Procedure(code="1.013831", name=long_name, levels=[Level.PROVINCE], field="Đất đai"),
             Procedure(code="1.012783", name="Cấp đổi Giấy chứng nhận", levels=[Level.PROVINCE], field="Đất đai")]
    chat = Chat(Knowledge.build(procs, [], SETTINGS.office.levels))
    [fields] = chat.press("fl:0")
    [page] = chat.press(next(d for d in _datas([fields]) if d.startswith("f:")))
    line = next(x for x in page.text.splitlines() if "1.013831" in x)
    assert len(line) < 260 and "…" in line and line.startswith("• Đăng ký biến động quyền sử dụng đất")
    assert "Cấp đổi Giấy chứng nhận (1.012783" in page.text
    [card, *_] = chat.press("p:1.013831")
    assert "trường hợp 39 của người sử dụng đất" in card.text
