"""``python -m bot serve`` as a real subprocess: a Zalo-only office gets its deferred replies and morning
alerts, SIGTERM gives back what was claimed, two replicas on PostgreSQL share one send-rate budget, and a
service killed right after acknowledging webhook updates answers each of them once after its restart.

The platforms are the fakes of ``tests/fakes`` on 127.0.0.1; the service runs on the real clock (whatever
the date: today is declared a make-up working day in its config, and the alert is due at 00:00).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select

from bot.channels.zalo_bot import ZALO_BOT_SECRET_HEADER
from bot.channels.zalo_oa import Contacts
from bot.contract.messages import Reply
from bot.inbox.models import InboxState, InboxUpdate
from bot.officers.models import Officer, Role
from bot.outbox.models import OutboxMessage, OutboxStatus
from bot.outbox.store import enqueue
from bot.schema import create_schema
from bot.storage.db import Database
from tests.conftest import postgres_database
from tests.fakes.service import ZALO_SECRET, ServeProcess, service_env, write_config
from tests.fakes.zalo_bot_api import FakeZaloBotAPI
from tests.fakes.zalo_oa_api import FakeZaloOA

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def _eventually(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.1)


def _officer(db: Database, user_id: str, *, in_window: bool) -> None:
    with db.session() as session:
        session.add(Officer(channel="zalo_oa", user_id=user_id, chat_id=user_id, name=user_id, role=Role.ADMIN.value))
        session.commit()
    if in_window:
        Contacts(db).touch(user_id)


def _statuses(db: Database, kind: str) -> dict[str, str]:
    with db.session() as session:
        return {r.chat_id: r.status for r in session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind))}


def _enqueue(db: Database, chats: list[str], prefix: str) -> None:
    with db.session() as session:
        for number, chat in enumerate(chats):
            enqueue(session, dedupe_key=f"{prefix}:{number}", channel="zalo_bot", chat_id=chat,
                    reply=Reply(text=f"{prefix} {number}"), kind="test")  # fmt: skip
        session.commit()


def _today() -> datetime:
    return datetime.now(ZONE)


def test_zalo_only_office_delivers_a_deferred_reply_and_the_morning_alert(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    db = Database(url)
    create_schema(db)
    _officer(db, "officer-in-window", in_window=True)
    _officer(db, "officer-silent", in_window=False)
    with FakeZaloBotAPI() as bot, FakeZaloOA() as oa:
        config = write_config(tmp_path, url, bot, oa, today=_today().date())
        service = ServeProcess(config, service_env(bot, oa), tmp_path / "serve.log")
        try:
            service.wait_ready()
            bot.fail_next("sendMessage", 1, status=429, retry_after=1)
            event = bot.text_event("citizen-1", "đăng ký kết hôn")
            answer = httpx.post(service.url + "/zalo/bot", json=event, headers={ZALO_BOT_SECRET_HEADER: ZALO_SECRET},
                                timeout=30)  # fmt: skip
            assert answer.status_code == 200, "acknowledged once the reply was durably queued"
            (reply,) = bot.wait_for("citizen-1", 1, timeout=30)
            assert "1.000894" in reply.text, "the reply deferred by the 429 came from the outbox"
            _eventually(lambda: bool(oa.texts_to("officer-in-window")), 30, "the morning alert on Zalo OA")
            _eventually(lambda: _statuses(db, "alert").get("officer-silent") == OutboxStatus.UNDELIVERABLE.value,
                        30, "the alert of an officer outside the 48-hour window is undeliverable")  # fmt: skip
            assert len(oa.texts_to("officer-in-window")) == 1
        finally:
            code = service.terminate()
    assert code == 0, service.output()
    db.dispose()


def test_sigterm_gives_back_the_rows_claimed_but_not_sent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    db = Database(url)
    create_schema(db)
    with FakeZaloBotAPI() as bot, FakeZaloOA() as oa:
        config = write_config(tmp_path, url, bot, oa, today=_today().date(), alerts=False)
        service = ServeProcess(config, service_env(bot, oa), tmp_path / "serve.log")
        try:
            service.wait_ready()
            _enqueue(db, ["one-chat"] * 6, "burst")  # one chat: a message per second at most
            bot.wait_for("one-chat", 1, timeout=30)
        finally:
            started = time.monotonic()
            code = service.terminate()
            stopped_in = time.monotonic() - started
    assert code == 0, service.output()
    assert stopped_in < 10, f"graceful stop took {stopped_in:.1f}s"
    with db.session() as session:
        rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "test")))
    sent = [r for r in rows if r.status == OutboxStatus.SENT.value]
    pending = [r for r in rows if r.status == OutboxStatus.PENDING.value]
    assert len(sent) == len(bot.messages("one-chat")) and len(sent) + len(pending) == 6
    assert pending, "some rows were still waiting for their turn at SIGTERM"
    assert all(r.claimed_by == "" and r.claimed_until is None and r.attempts == 0 for r in pending), \
        "claims given back at once, the attempt not counted"
    db.dispose()


def test_two_replicas_on_postgresql_share_one_rate_budget(tmp_path: Path) -> None:
    with contextlib.contextmanager(postgres_database)() as db, FakeZaloBotAPI() as bot, FakeZaloOA() as oa:
        url = db.engine.url.render_as_string(hide_password=False).replace("postgresql+psycopg://", "postgresql://")
        _officer(db, "officer-1", in_window=True)
        config = write_config(tmp_path, url, bot, oa, today=_today().date())
        env = service_env(bot, oa)
        replicas = [ServeProcess(config, env, tmp_path / f"serve{n}.log") for n in (1, 2)]
        try:
            for replica in replicas:
                replica.wait_ready()
            chats = [f"chat-{n}" for n in range(100)] + ["busy"] * 4
            _enqueue(db, chats, "load")
            _eventually(lambda: len(bot.all_sent()) >= len(chats), 60, "every message delivered")
            time.sleep(1.0)  # anything sent twice would show up now
        finally:
            codes = [replica.terminate() for replica in replicas]
        assert codes == [0, 0], [r.output() for r in replicas]
        sent = [m for m in bot.all_sent() if m.text.startswith("load")]
        assert len(sent) == len(chats) and len({m.text for m in sent}) == len(chats), "each once"
        times = [m.at for m in sent]
        span = times[-1] - times[0]
        assert span >= (len(times) - 1) / 25 * 0.95, f"{len(times)} messages in {span:.2f}s: over 25/s together"
        # slots are 1/25 s apart; what the fake sees also carries each request's own delay, which bunches
        # arrivals on a loaded machine (33 in a second was seen with other work on both cores). A per-process
        # limit would let both replicas send at 25/s each, about 50 in a second: the bound sits between the two.
        busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
        assert busiest <= 37, f"{busiest} messages within one second (budget 25/s for both replicas together)"
        busy = [m.at for m in sent if m.chat_id == "busy"]
        assert min(b - a for a, b in itertools.pairwise(busy)) >= 0.9, "1 s between messages to one chat"
        with db.session() as session:
            workers = set(session.scalars(select(OutboxMessage.claimed_by).where(OutboxMessage.kind == "test")))
            alerts = session.scalar(select(func.count()).where(OutboxMessage.kind == "alert"))
        assert len(workers) == 2, "both replicas delivered"
        assert alerts == 1 and len(oa.texts_to("officer-1")) == 1, "the morning alert exactly once"


async def _post_all(url: str, events: list[dict[str, object]]) -> list[int]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        answers = await asyncio.gather(*(http.post("/zalo/bot", json=e, headers={ZALO_BOT_SECRET_HEADER: ZALO_SECRET})
                                         for e in events))  # fmt: skip
    return [a.status_code for a in answers]


def test_a_service_killed_after_acknowledging_answers_every_update_once_after_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    db = Database(url)
    create_schema(db)
    chats = [f"citizen-{n}" for n in range(40)]
    with FakeZaloBotAPI() as bot, FakeZaloOA() as oa:
        config = write_config(tmp_path, url, bot, oa, today=_today().date(), alerts=False)
        env = service_env(bot, oa)
        first = ServeProcess(config, env, tmp_path / "serve1.log")
        try:
            first.wait_ready()
            events = [bot.text_event(chat, "đăng ký kết hôn", message_id=f"m-{chat}") for chat in chats]
            assert asyncio.run(_post_all(first.url, events)) == [200] * len(chats)
        finally:
            first.kill()  # right after the last 200: updates recorded, some not answered or not sent yet
        with db.session() as session:
            recorded = {r.chat_id: r.state for r in session.scalars(select(InboxUpdate))}
            sending = session.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.SENDING.value))
        assert set(recorded) == set(chats), "every acknowledged update was recorded before its 200"
        second = ServeProcess(config, env, tmp_path / "serve2.log")
        try:
            second.wait_ready()
            for chat in chats:
                bot.wait_for(chat, 1, timeout=60)
            time.sleep(1.0)  # anything sent twice would show up now
        finally:
            code = second.terminate()
    assert code == 0, second.output()
    with db.session() as session:
        states = {r.state for r in session.scalars(select(InboxUpdate))}
        replies = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reply")))
    assert states == {InboxState.DONE.value}
    assert sorted(r.chat_id for r in replies) == sorted(chats), "each update answered exactly once"
    sent = [m.chat_id for m in bot.all_sent() if m.chat_id in chats]
    assert len(sent) - len(chats) <= (sending or 0), "a duplicate only of a message being sent at the kill"
    db.dispose()
