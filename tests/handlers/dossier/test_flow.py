"""Checking a dossier by code: verification first, then the status card."""

from __future__ import annotations

from bot.contract.messages import Reply
from tests.handlers.conftest import SETTINGS
from tests.handlers.dossier.conftest import (
    BIRTH_YEAR,
    CODE,
    ID_NUMBER,
    PHONE,
    add_dossier,
    local,
    with_verification,
)


def _texts(replies: list[Reply]) -> list[str]:
    return [r.text for r in replies]


def _datas(replies: list[Reply]) -> list[str]:
    return [c.data for r in replies for c in r.flat_choices()]


def test_menu_button_then_code_then_phone_shows_the_card(chat, dossier_id):
    [ask] = chat.press("m:dossier")
    assert "mã hồ sơ" in ask.text
    [question] = chat.send(CODE.lower())
    assert "4 số cuối" in question.text and CODE in question.text
    [card] = chat.send("5678")
    text = card.text
    assert CODE in text
    assert "Thủ tục đăng ký khai sinh" in text
    assert "Nguyễn V** A**" in text and "Văn An" not in text
    assert "Đang xử lý" in text
    assert "08:30 09/11/2026" in text  # received, in office time
    assert "17:00 16/11/2026" in text  # appointment
    assert "Thẩm định hồ sơ — Phòng Tư pháp" in text
    assert "Trễ hạn 2 ngày làm việc" in text  # Mon 17:00 → Wed: Tue and Wed
    assert "phiếu xin lỗi ngày 09:00 16/11/2026" in text
    assert "17:00 20/11/2026" in text and "Chờ ý kiến của cơ quan phối hợp" in text
    assert "chờ đến ngày hẹn trả mới ghi trong phiếu xin lỗi" in text
    assert f"ds:{dossier_id}" in _datas([card]) and "h" in _datas([card])


def test_command_with_code_and_spaces_in_it(chat, dossier_id):
    [question] = chat.send("/hoso 000.00.12.h12 - 251110 - 0001")
    assert CODE in question.text
    [card] = chat.send("0912345678")  # the whole phone number works too
    assert "Trễ hạn" in card.text


def test_code_in_free_text_is_recognised_by_the_detector(chat, dossier_id):
    from handlers.dossier import detect

    ctx = chat.context(f"cho tôi hỏi hồ sơ {CODE} đến đâu rồi")
    [question] = detect(ctx, ctx.incoming.text)
    assert CODE in question.text
    [card] = chat.send("5678")
    assert "Đang xử lý" in card.text


def test_card_in_english(chat, dossier_id):
    chat.send("/lang en")
    chat.send(f"/hoso {CODE}")
    [card] = chat.send("5678")
    assert "Being processed" in card.text and "Late by 2 working days" in card.text
    assert "16 Nov 2026, 17:00" in card.text


def test_wrong_answer_reveals_nothing(new_chat, dossier_id):
    unknown = "000.00.12.H12-251110-9999"
    a, b = new_chat(chat_id="a"), new_chat(chat_id="b")
    [qa] = a.send(f"/hoso {CODE}")
    [qb] = b.send(f"/hoso {unknown}")
    assert qa.text.replace(CODE, "X") == qb.text.replace(unknown, "X")
    ra, rb = a.send("1111"), b.send("1111")
    assert _texts(ra) == _texts(rb)
    assert _datas(ra) == _datas(rb) == []
    assert "không khớp" in ra[0].text
    assert "Nguyễn" not in ra[0].text and "khai sinh" not in ra[0].text


def test_after_a_failure_the_code_is_asked_again(chat, dossier_id):
    chat.send(f"/hoso {CODE}")
    chat.send("1111")
    [question] = chat.send(CODE)
    assert "4 số cuối" in question.text
    [card] = chat.send("5678")
    assert "Trễ hạn" in card.text


def _fail(chat, code: str = CODE) -> list[Reply]:
    chat.send(f"/hoso {code}")
    return chat.send("0000")


def test_lockout_after_five_failures_with_growing_delays(chat, clock, dossier_id):
    for i in range(4):
        [refused] = _fail(chat, code=f"X{i}-251110-000{i}")  # failures on any code count
        assert "không khớp" in refused.text
    last = _fail(chat)
    assert "thử lại sau 1 phút" in last[-1].text
    [locked] = chat.send(f"/hoso {CODE}")
    assert "thử lại sau 1 phút" in locked.text
    clock.advance(seconds=61)
    assert "thử lại sau 2 phút" in _fail(chat)[-1].text  # each further failure doubles the wait
    clock.advance(seconds=121)
    assert "thử lại sau 4 phút" in _fail(chat)[-1].text
    clock.advance(minutes=3)
    [locked] = chat.send(f"/hoso {CODE}")
    assert "thử lại sau 1 phút" in locked.text
    clock.advance(minutes=1, seconds=1)
    [question] = chat.send(f"/hoso {CODE}")
    assert "4 số cuối" in question.text
    [card] = chat.send("5678")
    assert "Trễ hạn" in card.text


def test_correct_answer_during_lockout_is_refused(new_chat, clock, database, dossier_id):
    chat = new_chat()
    [question] = chat.send(f"/hoso {CODE}")
    assert "4 số cuối" in question.text
    other_device = new_chat(chat_id=chat.chat_id)  # meanwhile, five wrong answers from this chat
    for _ in range(5):
        _fail(other_device)
    [locked] = chat.send("5678")
    assert "thử lại sau 1 phút" in locked.text and "Đang xử lý" not in locked.text
    other = new_chat(chat_id="someone-else")  # the lockout belongs to the chat that guessed
    other.send(f"/hoso {CODE}")
    [card] = other.send("5678")
    assert "Đang xử lý" in card.text


def test_failures_are_forgotten_one_by_one(chat, clock, dossier_id):
    for _ in range(4):
        _fail(chat)
    clock.advance(minutes=16)  # one failure forgotten per lockout_minutes (15)
    [refused] = _fail(chat)
    assert "thử lại" not in refused.text


def test_id_number_mode(new_chat, dossier_id):
    chat = new_chat(settings=with_verification("id_number"))
    [question] = chat.send(f"/hoso {CODE}")
    assert "căn cước" in question.text and "4 số cuối" not in question.text
    [refused] = chat.send("5678")
    assert "không khớp" in refused.text
    chat.send(CODE)
    [card] = chat.send(ID_NUMBER)
    assert "Đang xử lý" in card.text


def test_either_mode_accepts_phone_or_id(new_chat, dossier_id):
    settings = with_verification("either")
    by_phone, by_id = new_chat(settings=settings, chat_id="p"), new_chat(settings=settings, chat_id="i")
    [question] = by_phone.send(f"/hoso {CODE}")
    assert "4 số cuối" in question.text and "căn cước" in question.text
    assert "Đang xử lý" in by_phone.send("5678")[0].text
    by_id.send(f"/hoso {CODE}")
    assert "Đang xử lý" in by_id.send(f"CCCD {ID_NUMBER}")[0].text


def test_a_question_instead_of_an_answer_leaves_the_flow(chat, dossier_id):
    chat.send(f"/hoso {CODE}")
    [card] = chat.send("đăng ký kết hôn")
    assert "Thủ tục đăng ký kết hôn" in card.text
    assert "flow" not in chat.state.data


def test_procedure_code_in_the_code_step_is_searched(chat):
    chat.press("m:dossier")
    [card] = chat.send("1.001193")
    assert "Thủ tục đăng ký khai sinh" in card.text


def test_statuses_say_what_to_do_next(new_chat, database):
    cases = {
        "supplement": "giấy tờ còn thiếu",
        "done": "nhận kết quả",
        "returned": "đánh giá",
        "rejected": "văn bản trả lời",
    }
    for i, (status, words) in enumerate(cases.items()):
        code = f"H12.22-251110-000{i}"
        add_dossier(database, code, status=status, finished_at=local(2026, 11, 13, 10), status_text="")
        chat = new_chat(chat_id=f"s{i}")
        chat.send(f"/hoso {code}")
        [card] = chat.send("5678")
        assert words in card.text, status
        if status in ("done", "returned"):
            assert "Kết quả có đúng hạn" in card.text
        if status == "returned":  # the rating button works for the chat that just verified the dossier
            rate = next(c.data for c in card.flat_choices() if c.data.startswith("fa:d:"))
            assert "Lựa chọn này không còn hiệu lực" not in chat.press(rate)[0].text


def test_finished_late_says_by_how_much(chat, database):
    add_dossier(database, status="done", finished_at=local(2026, 11, 17, 10))
    chat.send(f"/hoso {CODE}")
    [card] = chat.send("5678")
    assert "Kết quả trễ hạn 1 ngày làm việc" in card.text


def test_verified_dossier_is_stored_as_id_never_the_answer(chat, dossier_id):
    chat.send(f"/hoso {CODE}")
    chat.send("5678")
    saved = repr(chat.state.data)
    assert "5678" not in saved and str(dossier_id) in saved


def _card(new_chat, database, code: str, **fields) -> str:
    add_dossier(database, code, **fields)
    chat = new_chat(chat_id=code)
    chat.send(f"/hoso {code}")
    return chat.send("5678")[0].text


def test_deadline_lines_for_open_dossiers(new_chat, database):
    late = _card(new_chat, database, "H12.22-251110-0101")  # due Mon 16/11, no apology
    assert "Trễ hạn 2 ngày làm việc" in late and "phải gửi bạn phiếu xin lỗi" in late
    soon = _card(new_chat, database, "H12.22-251110-0102", due_at=local(2026, 11, 20, 17))
    assert "Còn trong hạn (còn 2 ngày làm việc)" in soon and "Trễ hạn" not in soon
    today = _card(new_chat, database, "H12.22-251110-0103", due_at=local(2026, 11, 18, 17))
    assert "Hạn trả kết quả là hôm nay" in today


def test_guessing_one_code_from_many_chats_pauses_the_short_answer_for_that_code(new_chat, dossier_id):
    for i in range(20):  # twenty accounts, one wrong guess each: no chat is locked out on its own
        guesser = new_chat(chat_id=f"guesser-{i}")
        guesser.send(f"/hoso {CODE}")
        refused = guesser.send("0000")
        assert "không khớp" in refused[0].text
    assert "bảo vệ tạm thời" in refused[-1].text  # the twentieth failure pauses the 4 digits for the code
    owner = new_chat(chat_id="owner")
    [question] = owner.send(f"/hoso {CODE}")
    assert "bảo vệ tạm thời" in question.text and "12 số căn cước" in question.text
    [still] = owner.send("5678")  # the right 4 digits are not even checked now
    assert "bảo vệ tạm thời" in still.text and "Đang xử lý" not in still.text
    [card] = owner.send(ID_NUMBER)  # the stronger answer gets the owner in
    assert "Đang xử lý" in card.text
    stranger = new_chat(chat_id="stranger")  # other dossiers are not affected
    stranger.send("/hoso 000.00.12.H12-251110-9999")
    [refused] = stranger.send("5678")
    assert "không khớp" in refused.text


def test_phone_and_birth_year_as_the_stronger_answer(new_chat, dossier_id):
    settings = SETTINGS.model_copy(update={"dossiers": SETTINGS.dossiers.model_copy(
        update={"strong_verification": "phone_birth_year", "max_failed_per_code": 2})})
    for i in range(2):
        guesser = new_chat(settings=settings, chat_id=f"g{i}")
        guesser.send(f"/hoso {CODE}")
        guesser.send("1111")
    owner = new_chat(settings=settings, chat_id="owner")
    [question] = owner.send(f"/hoso {CODE}")
    assert "năm sinh" in question.text
    [refused] = owner.send(f"{PHONE} 1991")  # wrong year
    assert "không khớp" in refused.text
    owner.send(CODE)
    [card] = owner.send(f"{BIRTH_YEAR} {PHONE}")
    assert "Đang xử lý" in card.text
