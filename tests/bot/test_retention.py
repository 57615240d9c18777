"""Retention of personal data: names and complaint texts blanked once older than [privacy] allows."""

from __future__ import annotations

import argparse
from datetime import timedelta

from sqlalchemy import select

from bot.cli import privacy as privacy_cli
from bot.clock import ManualClock
from bot.config import PrivacySettings, Settings
from bot.dossiers.models import Dossier, DossierStatus
from bot.feedback.models import Complaint, Rating
from bot.handoff.models import Question, QuestionStatus
from bot.inbox.models import InboxUpdate
from bot.retention import purge
from bot.storage.db import Database

DAY = timedelta(days=1)


def _seed(db: Database, now) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        for code, is_open, returned in (("OLD", False, now - 100 * DAY), ("RECENT", False, now - 10 * DAY),
                                        ("OPEN", True, None)):
            s.add(Dossier(code=code, applicant_name="Nguyễn Văn An", status=DossierStatus.RETURNED.value,
                          is_open=is_open, received_at=now - 200 * DAY, returned_at=returned,
                          updated_at=now - 150 * DAY))
        for age in (400, 10):
            rating = Rating(subject="dossier", channel="telegram", chat_digest="x", score=1, comment="Cán bộ hẹn",
                            is_complaint=True, contact="An 0912345678", created_at=now - age * DAY,
                            updated_at=now - age * DAY)
            s.add(rating)
            s.flush()
            s.add(Complaint(rating_id=rating.id, answer="Đã xử lý", created_at=now - age * DAY))
        s.commit()


def _state(db: Database) -> tuple[dict[str, str], list[tuple[int, str, str | None, str | None]]]:
    with db.session() as s:
        names = {d.code: d.applicant_name for d in s.scalars(select(Dossier))}
        ratings = [(r.score, r.comment, r.contact, c.answer) for r, c in
                   s.execute(select(Rating, Complaint).join(Complaint, Complaint.rating_id == Rating.id)
                             .order_by(Rating.created_at))]
    return names, ratings


def test_purge_blanks_only_what_is_past_its_retention(database, manual_clock: ManualClock):
    now = manual_clock.now()
    _seed(database, now)
    done = purge(database, PrivacySettings(), now)
    assert (done.applicant_names, done.ratings, done.complaint_answers) == (1, 1, 1)
    names, ratings = _state(database)
    assert names == {"OLD": "", "RECENT": "Nguyễn Văn An", "OPEN": "Nguyễn Văn An"}
    assert ratings == [(1, "", None, None), (1, "Cán bộ hẹn", "An 0912345678", "Đã xử lý")]  # scores stay
    manual_clock.advance(timedelta(days=81))  # RECENT is now 91 days past its return
    done = purge(database, PrivacySettings(), manual_clock.now())
    assert done.applicant_names == 1 and _state(database)[0]["RECENT"] == ""
    assert purge(database, PrivacySettings(), manual_clock.now()).applicant_names == 0  # idempotent


def test_configured_periods_and_the_command(database, manual_clock: ManualClock, capsys):
    _seed(database, manual_clock.now())
    settings = Settings.model_validate({"privacy": {"applicant_name_days": 5, "complaint_days": 5}})
    settings = settings.model_copy(update={"database": settings.database.model_copy(
        update={"url": database.engine.url.render_as_string(hide_password=False)})})
    if database.engine.dialect.name == "postgresql":  # a private schema the command's URL cannot name
        assert purge(database, settings.privacy, manual_clock.now()).applicant_names == 2
    else:
        assert privacy_cli.run(argparse.Namespace(privacy_command="purge"), settings) == 0
        assert "purged: 2 applicant names" in capsys.readouterr().out
    names, ratings = _state(database)
    assert names["OLD"] == names["RECENT"] == "" and names["OPEN"] == "Nguyễn Văn An"
    assert [r[1] for r in ratings] == ["", ""]


def test_purge_blanks_the_words_of_old_questions_to_officers(database, manual_clock: ManualClock):
    now = manual_clock.now()
    asked = "Tôi là Trần Thị Bình, 0987654321, hỏi về đăng ký kết hôn"
    with database.session() as s:
        for age, status in ((400, QuestionStatus.CLOSED), (400, QuestionStatus.ASSIGNED),
                            (10, QuestionStatus.ANSWERED)):
            s.add(Question(status=status.value, text=asked, text_masked="hỏi về đăng ký kết hôn", channel="zalo_bot",
                           chat_digest="x", answer="Mang căn cước", created_at=now - age * DAY,
                           due_at=now - age * DAY))
        s.commit()
    done = purge(database, PrivacySettings(), now)
    assert done.questions == 1
    with database.session() as s:
        rows = [(q.status, q.text, q.text_masked, q.answer) for q in s.scalars(select(Question).order_by(Question.id))]
    assert rows == [
        ("closed", "", "hỏi về đăng ký kết hôn", None),  # the anonymised copy stays for the gaps report
        ("assigned", asked, "hỏi về đăng ký kết hôn", "Mang căn cước"),  # still waiting for an officer: kept
        ("answered", asked, "hỏi về đăng ký kết hôn", "Mang căn cước"),  # recent: kept
    ]


def test_purge_deletes_answered_inbox_updates_after_a_week(database, manual_clock: ManualClock):
    now = manual_clock.now()
    payload = {"message": {"text": "Tôi là Trần Thị Bình, 0987654321"}}
    with database.session() as s:
        for n, (state, age) in enumerate((("done", 8), ("failed", 8), ("done", 6), ("pending", 30),
                                          ("processing", 30))):
            done_at = now - age * DAY if state in ("done", "failed") else None
            s.add(InboxUpdate(channel="zalo_bot", chat_id="c1", update_id=f"u{n}", payload=payload, state=state,
                              received_at=now - age * DAY, done_at=done_at))
        s.commit()
    assert purge(database, PrivacySettings(), now).inbox_updates == 2
    with database.session() as s:
        left = sorted((u.update_id, u.state) for u in s.scalars(select(InboxUpdate)))
    assert left == [("u2", "done"), ("u3", "pending"), ("u4", "processing")]  # recent or not answered yet: kept
