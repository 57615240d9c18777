"""Rating conversations: every answer stored at once, changes within 24 h, bad and forged input, floods."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.feedback.models import MAX_COMMENT_CHARS, Rating, Subject
from bot.storage.db import Database
from handlers.feedback import FEEDBACK_ACTIONS, rating_invitation
from tests.handlers.feedback.conftest import add_dossier


def ratings(db: Database) -> list[Rating]:
    with db.session() as s:
        return list(s.scalars(select(Rating).order_by(Rating.id)))


def count(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count(Rating.id))) or 0


def test_card_invites_rating_and_each_answer_is_stored(make_chat, database):
    chat = make_chat()
    card = chat.send("đăng ký kết hôn")[-1]
    assert "fa:p:1.000894" in [c.data for c in card.flat_choices()]
    (scale,) = chat.press("fa:p:1.000894")
    assert [c.label for c in scale.flat_choices()] == [
        "😀 Rất hài lòng", "🙂 Hài lòng", "😐 Bình thường", "🙁 Không hài lòng", "😞 Rất không hài lòng"]
    (asked,) = chat.press("fr:p:1.000894:4")
    assert "Hài lòng" in asked.text and "góp ý thêm" in asked.text
    (stored,) = ratings(database)  # stored before any comment
    assert (stored.subject, stored.procedure_code, stored.field) == ("procedure", "1.000894", "Hộ tịch")
    assert stored.score == 4
    assert "c1" not in stored.chat_digest and len(stored.chat_digest) == 64 and stored.contact is None
    replies = chat.send("Hướng dẫn rõ ràng, cảm ơn")
    assert "cần cơ quan trả lời" in replies[-1].text
    assert ratings(database)[0].comment == "Hướng dẫn rõ ràng, cảm ơn"
    (thanks,) = chat.press(f"fk:{stored.id}:g")
    assert "Cảm ơn" in thanks.text and "flow" not in chat.state.data


def test_typed_number_chooses_a_score(make_chat, database):
    chat = make_chat()
    chat.press("fa:p:1.000894")
    chat.send("2")  # the second button: Hài lòng
    assert ratings(database)[0].score == 4


def test_dossier_criteria_one_by_one_and_abandoned_halfway(make_chat, database):
    dossier_id = add_dossier(database)
    chat = make_chat()
    (question,) = chat.press(f"fr:d:{dossier_id}:5")
    assert "Tiêu chí 1/5" in question.text and "Thái độ" in question.text
    rating_id = ratings(database)[0].id
    chat.press(f"fc:{rating_id}:0:4")
    assert ratings(database)[0].criteria == {"attitude": 4}
    (third,) = chat.press(f"fc:{rating_id}:1:x")
    assert "Tiêu chí 3/5" in third.text
    chat.send("/start")  # the citizen leaves
    (kept,) = ratings(database)
    assert (kept.subject, kept.dossier_id, kept.unit, kept.score) == (Subject.DOSSIER.value, dossier_id,
                                                                      "UBND phường Mẫu", 5)
    assert kept.criteria == {"attitude": 4, "time": None}


def test_all_criteria_then_comment(make_chat, database):
    dossier_id = add_dossier(database)
    chat = make_chat()
    chat.press(f"fr:d:{dossier_id}:3")
    rating_id = ratings(database)[0].id
    for index, score in enumerate((5, 4, 3, 2, 1)):
        (last,) = chat.press(f"fc:{rating_id}:{index}:{score}")
    assert "góp ý thêm" in last.text
    assert ratings(database)[0].criteria == {"attitude": 5, "time": 4, "guidance": 3, "publicity": 2, "online": 1}
    chat.send("bỏ qua")
    assert ratings(database)[0].comment == "" and "flow" not in chat.state.data


def test_dossier_rating_changed_within_a_day_then_locked(make_chat, database, clock):
    dossier_id = add_dossier(database)
    chat = make_chat()
    chat.press(f"fr:d:{dossier_id}:5")
    clock.advance(hours=23)
    (updated,) = chat.press(f"fr:d:{dossier_id}:2")
    assert "cập nhật" in updated.text
    assert [r.score for r in ratings(database)] == [2]
    clock.advance(hours=2)
    (locked,) = chat.press(f"fr:d:{dossier_id}:5")
    assert "24 giờ" in locked.text
    assert [r.score for r in ratings(database)] == [2]


def test_procedure_rating_after_a_day_is_a_new_rating(make_chat, database, clock):
    chat = make_chat()
    chat.press("fr:p:1.000894:5")
    chat.press("fr:p:1.000894:4")
    assert [r.score for r in ratings(database)] == [4]
    clock.advance(hours=25)
    chat.press("fr:p:1.000894:1")
    assert [r.score for r in ratings(database)] == [4, 1]


def test_two_chats_rate_the_same_dossier_separately(make_chat, database):
    dossier_id = add_dossier(database, follower="c1")
    first, second = make_chat(chat_id="c1"), make_chat(chat_id="c2")
    (stale,) = second.press(f"fa:d:{dossier_id}")  # c2 does not follow it: a forged invitation does nothing
    assert "không còn hiệu lực" in stale.text
    rating_invitation(second.context(), dossier_id)  # the dossier flow invites c2 after verifying it
    first.press(f"fr:d:{dossier_id}:5")
    second.press(f"fr:d:{dossier_id}:1")
    assert sorted(r.score for r in ratings(database)) == [1, 5]


def test_out_of_range_scores_store_nothing(make_chat, database):
    dossier_id = add_dossier(database)
    chat = make_chat()
    for data in ("fr:p:1.000894:0", "fr:p:1.000894:6", "fr:g:0:9", f"fr:d:{dossier_id}:7"):
        (reply,) = chat.press(data)
        assert "từ 1" in reply.text and "Chưa có gì được lưu" in reply.text
    assert count(database) == 0
    chat.press(f"fr:d:{dossier_id}:5")
    rating_id = ratings(database)[0].id
    (reply,) = chat.press(f"fc:{rating_id}:0:8")
    assert "từ 1" in reply.text and ratings(database)[0].criteria == {}


def test_forged_buttons_are_stale_and_store_nothing(make_chat, database):
    not_followed = add_dossier(database, follower="someone-else")
    not_returned = add_dossier(database, status="processing")
    chat = make_chat()
    for data in ("fr:p:9.999999:5", f"fr:d:{not_followed}:5", "fr:d:99999:5", "fr:g:7:5", "fr:p:1.000894:55",
                 "fr:q:1:5", "fr:p:1.000894", "fc:1:9:5", "fk:1:z"):
        (reply,) = chat.press(data)
        assert "không còn hiệu lực" in reply.text, data
    (not_yet,) = chat.press(f"fr:d:{not_returned}:5")
    assert "chưa có kết quả" in not_yet.text
    assert count(database) == 0


def test_another_chats_rating_cannot_be_changed(make_chat, database):
    owner, intruder = make_chat(chat_id="c1"), make_chat(chat_id="c2")
    owner.press("fr:p:1.000894:5")
    rating_id = ratings(database)[0].id
    (reply,) = intruder.press(f"fk:{rating_id}:c")
    assert "không còn hiệu lực" in reply.text
    (reply,) = intruder.press(f"fc:{rating_id}:0:1")
    assert "không còn hiệu lực" in reply.text
    assert ratings(database)[0].criteria == {} and not ratings(database)[0].is_complaint


def test_flood_of_feedback_is_refused(make_chat, database, clock):
    chat = make_chat()
    for n in range(FEEDBACK_ACTIONS):
        chat.press(f"fr:p:1.000894:{n % 5 + 1}")
    (refused,) = chat.press("fr:g:0:1")
    assert "quá nhanh" in refused.text
    assert count(database) == 1  # every press updated the same procedure rating; the service one was refused
    clock.advance(minutes=11)
    chat.press("fr:g:0:1")
    assert count(database) == 2


def test_long_comment_is_cut_and_the_citizen_told(make_chat, database):
    chat = make_chat()
    chat.press("fr:g:0:2")
    replies = chat.send("x" * 1500)
    assert "chỉ 1.000 ký tự đầu được lưu" in replies[0].text
    assert len(ratings(database)[0].comment) == MAX_COMMENT_CHARS


def test_menu_entry_rates_the_service(make_chat, database):
    chat = make_chat()
    (menu,) = chat.press("m:feedback")
    assert "fr:g:0:5" in [c.data for c in menu.flat_choices()]
    chat.press("fr:g:0:5")
    assert ratings(database)[0].subject == "service"


def test_english_labels(make_chat):
    chat = make_chat()
    chat.send("/lang en")
    (scale,) = chat.press("fa:p:1.000894")
    assert scale.flat_choices()[0].label == "😀 Very satisfied"


def test_text_long_after_the_question_is_a_normal_question(make_chat, database, clock):
    chat = make_chat()
    chat.press("fr:p:1.000894:5")
    clock.advance(minutes=31)
    replies = chat.send("đăng ký kết hôn")
    assert "1.000894" in replies[-1].text  # answered as a question, not stored as a comment
    assert ratings(database)[0].comment == "" and "flow" not in chat.state.data
