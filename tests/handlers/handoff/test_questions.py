"""Hỏi cán bộ from the citizen's side and the officer's: asking, routing, answering, cancelling, rating."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.feedback.models import Rating
from bot.handoff.models import GapEntry, Question, QuestionRoute
from bot.officers.models import Role
from tests.handlers.handoff.conftest import UNIT, add_officer, outbox

PERSONAL = "Tôi là Nguyễn Văn An, số điện thoại 0912345678, CCCD 001099012345."
QUESTION = PERSONAL + " Vợ tôi là người nước ngoài thì đăng ký kết hôn cần giấy tờ gì thêm?"


def test_asked_from_a_card_routed_answered_relayed_and_rated(make_chat, database):
    officer_id = add_officer(database, "tuphap-1")
    add_officer(database, "other-unit", units=["Phòng Tài nguyên và Môi trường"])
    citizen = make_chat(chat_id="c1")
    card = citizen.send("đăng ký kết hôn")[-1]
    assert "ha:1.000894" in [c.data for c in card.flat_choices()]

    (prompt,) = citizen.press("ha:1.000894")
    assert "Thủ tục đăng ký kết hôn" in prompt.text
    (confirmation,) = citizen.send(QUESTION)
    assert "Đã gửi câu hỏi số 1 đến Phòng Tư pháp" in confirmation.text
    assert "17:00 19/11/2026" in confirmation.text  # end of the next working day
    assert "ngoài giờ" not in confirmation.text
    assert [c.data for c in confirmation.flat_choices()] == ["hx:1"]

    (relayed,) = outbox(database)  # only the officer of the unit is sent the question, with its full text
    assert (relayed.chat_id, relayed.dedupe_key) == ("tuphap-1", f"handoff-new:1:{officer_id}")
    assert "#H1" in relayed.text and "0912345678" in relayed.text and "1.000894" in relayed.text
    with database.session() as s:
        question = s.scalar(select(Question))
        assert (question.status, question.unit, question.field) == ("assigned", UNIT, "Hộ tịch")
        assert "0912345678" not in question.text_masked and "Nguyễn Văn An" not in question.text_masked
        gap = s.scalar(select(GapEntry))
        assert gap.kind == "asked" and "0912345678" not in gap.text_masked and "Nguyễn" not in gap.text_masked

    (forbidden,) = make_chat(chat_id="other-unit").send("/traloi H1 Không phải việc của tôi")
    assert "không thuộc đơn vị" in forbidden.text
    officer = make_chat(chat_id="tuphap-1")
    (listing,) = officer.send("/cauhoi")
    assert "H1" in listing.text and "0912345678" in listing.text
    (done,) = officer.send("/traloi H1 Anh cần thêm giấy xác nhận tình trạng hôn nhân của vợ, đã hợp pháp hóa.")
    assert "Đã gửi câu trả lời" in done.text
    (again,) = officer.send("/traloi H1 Trả lời lần hai")
    assert "đã được trả lời" in again.text

    answer = outbox(database)[-1]
    assert (answer.channel, answer.chat_id, answer.dedupe_key) == ("test", "c1", "handoff-answer:1")
    assert "Phòng Tư pháp trả lời câu hỏi số 1" in answer.text and "hợp pháp hóa" in answer.text
    assert "CB tuphap-1" not in answer.text  # the unit answers, not the officer's account
    assert [c["data"] for row in answer.choices for c in row] == ["hr:1:5", "hr:1:3", "hr:1:1"]
    with database.session() as s:
        assert s.scalar(select(QuestionRoute)) is None  # the citizen's chat is not kept after relaying

    assert make_chat(chat_id="stranger").press("hr:1:1")[0].text.startswith("Lựa chọn này không còn")
    (thanks,) = citizen.press("hr:1:5")
    assert "Cảm ơn" in thanks.text
    with database.session() as s:
        assert s.scalar(select(Question.status)) == "closed"
        rating = s.scalar(select(Rating))
        assert (rating.score, rating.unit, rating.subject, rating.procedure_code) == (5, UNIT, "service", "1.000894")


def test_cancel_a_pending_question(make_chat, database):
    add_officer(database, "desk-1", units=["Bộ phận Một cửa"])
    citizen = make_chat(chat_id="c1")
    (confirmation,) = citizen.send("/hoi Cho hỏi bao giờ bộ phận một cửa làm việc ngày thứ bảy?")
    assert "Bộ phận Một cửa" in confirmation.text  # no procedure: the duty desk
    (cancelled,) = citizen.send("/huyhoi")
    assert "Đã hủy câu hỏi số 1" in cancelled.text
    (late,) = make_chat(chat_id="desk-1").send("/traloi H1 Có làm việc sáng thứ bảy")
    assert "người dân đã hủy" in late.text
    assert [m.kind for m in outbox(database)] == ["handoff_new"]  # nothing relayed to the citizen
    with database.session() as s:
        assert s.scalar(select(Question.status)) == "cancelled" and s.scalar(select(QuestionRoute)) is None
    (none_left,) = citizen.send("/huyhoi")
    assert "không có câu hỏi nào" in none_left.text
    assert "không có câu hỏi số 1" not in make_chat(chat_id="c1").press("hx:1")[0].text.lower()


def test_bad_input_is_answered_and_nothing_sent(make_chat, database):
    citizen = make_chat(chat_id="c1")
    citizen.send("/hoi")
    (short,) = citizen.send("sao?")
    assert "ngắn quá" in short.text
    (skipped,) = citizen.send("hủy")
    assert "chưa có câu hỏi nào được gửi" in skipped.text
    for n in range(3):
        citizen.send(f"/hoi Câu hỏi số {n} về giờ làm việc của bộ phận một cửa")
    (too_many,) = citizen.send("/hoi Thêm một câu hỏi nữa về giờ làm việc")
    assert "đang có 3 câu hỏi" in too_many.text
    (usage,) = make_chat(chat_id="c9").send("/traloi Hxyz")
    assert "Cách dùng" in usage.text


def test_out_of_hours_the_citizen_is_told_when(make_chat, database, clock):
    add_officer(database, "tuphap-1")
    clock.now = datetime(2026, 11, 21, 13, 0, tzinfo=UTC)  # Saturday 20:00 in Hà Nội
    (confirmation,) = make_chat(chat_id="c1").send("/hoi Đăng ký kết hôn với người nước ngoài ở đâu ạ?")
    assert "ngoài giờ làm việc" in confirmation.text
    assert "07:30 23/11/2026" in confirmation.text  # Monday's opening
    assert "17:00 23/11/2026" in confirmation.text  # answer by the end of Monday


def test_no_officer_registered_the_question_waits_then_goes(make_chat, database, settings, clock):
    from bot.handoff.reminders import run_reminders

    (confirmation,) = make_chat(chat_id="c1").send("/hoi Giấy tờ đăng ký kết hôn cần những gì?")
    assert "chưa có cán bộ trực" in confirmation.text
    assert outbox(database) == []
    add_officer(database, "tuphap-1")
    assert run_reminders(database, settings, clock()) == 1
    assert [m.chat_id for m in outbox(database)] == ["tuphap-1"]


def test_an_admin_sees_questions_of_units_with_no_officer(make_chat, database):
    add_officer(database, "admin-1", role=Role.ADMIN, units=[])
    make_chat(chat_id="c1").send("/hoi Làm giấy phép xây dựng nhà ở nông thôn có cần không?")
    assert [m.chat_id for m in outbox(database)] == ["admin-1"]
