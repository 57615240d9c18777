"""Complaints: marked by the citizen, read and answered by the unit's officers, relayed through the outbox."""

from __future__ import annotations

from sqlalchemy import select

from bot.dossiers.models import StatusChange
from bot.feedback.invite import invite_returned
from bot.feedback.models import Complaint, ComplaintRoute, ComplaintStatus, Rating
from bot.officers.models import Role
from bot.outbox.models import OutboxMessage
from bot.storage.db import Database
from handlers.feedback import rating_invitation
from tests.handlers.feedback.conftest import UNIT, add_dossier, add_officer


def outbox(db: Database) -> list[OutboxMessage]:
    with db.session() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def file_complaint(chat, db: Database, dossier_id: int, text: str = "Cán bộ hẹn lại nhiều lần") -> int:
    chat.press(f"fr:d:{dossier_id}:1")
    with db.session() as s:
        rating_id = s.scalar(select(Rating.id))
    for index in range(5):
        chat.press(f"fc:{rating_id}:{index}:x")
    chat.send(text)
    (answer,) = chat.press(f"fk:{rating_id}:c")
    assert "ẩn danh" in answer.text
    return rating_id


def test_complaint_answered_and_relayed_once(make_chat, database):
    officer_id = add_officer(database, "officer-1")
    add_officer(database, "officer-other", units=["UBND xã Khác"])
    dossier_id = add_dossier(database)
    citizen = make_chat(chat_id="c1")
    rating_id = file_complaint(citizen, database, dossier_id)
    citizen.press(f"fk:{rating_id}:y")
    citizen.send("Nguyễn Văn A 0912345678")

    with database.session() as s:
        complaint = s.scalar(select(Complaint))
        assert (complaint.unit, complaint.kind, complaint.status) == (UNIT, "complaint", "open")
        assert s.scalar(select(Rating.contact)) == "Nguyễn Văn A 0912345678"
        assert s.scalar(select(ComplaintRoute.chat_id)) == "c1"
    (notice,) = outbox(database)  # only the officer of that unit is told
    assert notice.chat_id == "officer-1" and notice.dedupe_key == f"complaint-new:{complaint.id}:{officer_id}"
    assert "Cán bộ hẹn lại" not in notice.text

    officer = make_chat(chat_id="officer-1")
    (listing,) = officer.send("/phananh")
    assert f"#{complaint.id}" in listing.text and "Cán bộ hẹn lại nhiều lần" in listing.text
    assert "0912345678" in listing.text
    (other_listing,) = make_chat(chat_id="officer-other").send("/phananh")
    assert "Không có phản ánh" in other_listing.text
    (forbidden,) = make_chat(chat_id="officer-other").send(f"/traloi {complaint.id} Không phải của tôi")
    assert "không thuộc đơn vị" in forbidden.text

    (done,) = officer.send(f"/traloi {complaint.id} Đơn vị xin lỗi, hồ sơ đã được trả ngày 16/11.")
    assert "chuyển đến người gửi" in done.text
    relayed = [m for m in outbox(database) if m.kind == "complaint_answer"]
    assert len(relayed) == 1
    assert relayed[0].chat_id == "c1" and relayed[0].channel == "test"
    assert relayed[0].dedupe_key == f"complaint-answer:{complaint.id}"
    assert "hồ sơ đã được trả" in relayed[0].text and "Cán bộ hẹn lại" in relayed[0].text
    with database.session() as s:
        kept = s.get(Complaint, complaint.id)
        assert kept.status == ComplaintStatus.ANSWERED.value and kept.answered_by == officer_id
        assert kept.answer.startswith("Đơn vị xin lỗi") and kept.relayed_at is not None
        assert s.scalar(select(ComplaintRoute)) is None  # the chat id is not kept after relaying
        assert s.scalar(select(Rating.comment)) == "Cán bộ hẹn lại nhiều lần"

    (again,) = officer.send(f"/traloi {complaint.id} Trả lời lần hai")
    assert "đã được trả lời" in again.text
    assert len([m for m in outbox(database) if m.kind == "complaint_answer"]) == 1


def test_only_officers_answer(make_chat, database):
    dossier_id = add_dossier(database)
    file_complaint(make_chat(chat_id="c1"), database, dossier_id)
    stranger = make_chat(chat_id="c9")
    assert "chỉ dành cho cán bộ" in stranger.send("/phananh")[0].text
    assert "chỉ dành cho cán bộ" in stranger.send("/traloi 1 xin chào")[0].text
    assert "Cách dùng" in make_chat(chat_id="c9").send("/traloi abc")[0].text
    with database.session() as s:
        assert s.scalar(select(Complaint.status)) == "open"


def test_admin_sees_general_complaints(make_chat, database):
    add_officer(database, "admin-1", role=Role.ADMIN, units=[])
    citizen = make_chat(chat_id="c1")
    citizen.press("fr:g:0:2")
    citizen.send("Phòng chờ quá nóng")
    with database.session() as s:
        rating_id = s.scalar(select(Rating.id))
    citizen.press(f"fk:{rating_id}:r")
    (notice,) = outbox(database)
    assert notice.chat_id == "admin-1"
    (listing,) = make_chat(chat_id="admin-1").send("/phananh")
    assert "Kiến nghị" in listing.text and "Phòng chờ quá nóng" in listing.text
    (officer_view,) = make_chat(chat_id="officer-1").send("/phananh")
    assert "chỉ dành cho cán bộ" in officer_view.text


def test_complaint_needs_a_comment(make_chat, database):
    citizen = make_chat()
    citizen.press("fr:g:0:2")
    with database.session() as s:
        rating_id = s.scalar(select(Rating.id))
    (reply,) = citizen.press(f"fk:{rating_id}:c")
    assert "không còn hiệu lực" in reply.text
    with database.session() as s:
        assert s.scalar(select(Complaint)) is None


def test_returned_dossier_invites_its_followers_once(database):
    dossier_id = add_dossier(database, follower="c1")
    with database.session() as s:
        changes = [StatusChange(dossier_id, "H12-0001", "processing", "returned"),
                   StatusChange(dossier_id, "H12-0001", "done", "processing")]
        assert invite_returned(s, changes) == 1
        assert invite_returned(s, changes) == 0
        s.commit()
    (invite,) = outbox(database)
    assert invite.chat_id == "c1" and invite.dedupe_key.startswith(f"rating-invite:{dossier_id}:")
    assert invite.choices[0][0]["data"] == f"fr:d:{dossier_id}:5"


def test_rating_invitation_by_language():
    reply = rating_invitation("en", 42)
    assert "anonymous" in reply.text
    assert [c.data for c in reply.flat_choices()] == [f"fr:d:42:{s}" for s in (5, 4, 3, 2, 1)]
