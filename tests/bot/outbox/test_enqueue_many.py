"""Many messages in one insert: keys already there are skipped, the keys added are returned."""

from __future__ import annotations

from sqlalchemy import select

from bot.contract.messages import Choice, Reply
from bot.outbox.models import OutboxMessage
from bot.outbox.store import Outgoing, enqueue, enqueue_many, existing_keys


def _message(n: int) -> Outgoing:
    reply = Reply(text=f"{n} hồ sơ", choices=[[Choice("Xem", "x")]])
    return Outgoing(f"alert:{n}:2026-11-23", "telegram", str(n), reply, "alert")


def test_one_call_adds_the_new_keys_only(database):
    with database.session() as s:
        assert enqueue(s, dedupe_key="alert:2:2026-11-23", channel="telegram", chat_id="2", reply=Reply(text="old"))
        s.commit()
        added = enqueue_many(s, [_message(n) for n in range(1, 4)])
        s.commit()
        assert added == {"alert:1:2026-11-23", "alert:3:2026-11-23"}
        assert enqueue_many(s, [_message(n) for n in range(1, 4)]) == set()
        assert enqueue_many(s, []) == set()
    with database.session() as s:
        rows = {r.dedupe_key: r for r in s.scalars(select(OutboxMessage))}
        assert rows["alert:2:2026-11-23"].text == "old"  # the first insert wins
        assert rows["alert:3:2026-11-23"].choices == [[{"label": "Xem", "data": "x"}]]
        assert rows["alert:3:2026-11-23"].chat_id == "3" and rows["alert:3:2026-11-23"].kind == "alert"
        keys = [f"alert:{n}:2026-11-23" for n in range(5)]
        assert existing_keys(s, keys) == {"alert:1:2026-11-23", "alert:2:2026-11-23", "alert:3:2026-11-23"}
