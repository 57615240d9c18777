"""Enqueueing into the outbox is idempotent by key, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.contract.messages import Attachment, Choice, Reply
from bot.outbox.models import OutboxMessage
from bot.outbox.store import enqueue, exists


def test_same_key_is_stored_once(database):
    reply = Reply(text="<b>3</b> hồ sơ quá hạn", choices=[[Choice("Xem", "p:1.000894")]],
                  attachments=[Attachment("a.csv", b"x,y\n", "text/csv")])
    with database.session() as s:
        assert enqueue(s, dedupe_key="alert:1:2026-11-23", channel="telegram", chat_id="5", reply=reply)
        assert not enqueue(s, dedupe_key="alert:1:2026-11-23", channel="telegram", chat_id="5", reply=reply)
        s.commit()
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        row = s.scalar(select(OutboxMessage))
        assert row.choices == [[{"label": "Xem", "data": "p:1.000894"}]]
        assert row.attachment == b"x,y\n" and row.attachment_name == "a.csv"
        assert exists(s, "alert:1:2026-11-23") and not exists(s, "alert:2:2026-11-23")
