"""Whole conversations on a Zalo Official Account: signed events in, the real assistant, the fake OA API out."""

from __future__ import annotations

import time

import httpx
from sqlalchemy import func, select

from bot.app import Assistant
from bot.outbox.models import OutboxMessage
from bot.storage.models import ProcessedUpdate
from tests.fakes.real_assistant import OFFICE
from tests.fakes.zalo_oa_api import FakeZaloOA

USER = "8800112233"


async def deliver(web: httpx.AsyncClient, oa: FakeZaloOA, event: dict, *, secret: str | None = None) -> int:
    """POST a signed event; the HTTP status."""
    body, headers = oa.signed(event, secret=secret)
    return (await web.post("/zalo/oa", content=body, headers=headers)).status_code


async def say(web: httpx.AsyncClient, oa: FakeZaloOA, text: str) -> list[str]:
    """The follower sends ``text``; the texts the OA sent back."""
    before = len(oa.texts_to(USER))
    assert await deliver(web, oa, oa.event("user_send_text", USER, text)) == 200
    return oa.texts_to(USER)[before:]


def handled(assistant: Assistant) -> int:
    with assistant.db.session() as s:
        return s.scalar(select(func.count()).select_from(ProcessedUpdate).where(ProcessedUpdate.channel == "zalo_oa"))


async def test_follow_is_greeted(web: httpx.AsyncClient, oa_api: FakeZaloOA) -> None:
    assert await deliver(web, oa_api, oa_api.event("follow", USER)) == 200
    greeting, note = oa_api.texts_to(USER)
    assert "Xin chào!" in greeting and OFFICE in greeting
    assert "48 giờ" in note, "a follower is told notifications cannot reach them after the window (no template)"
    assert oa_api.refresh_calls == 1, "the first send fetched an access token with the seeded refresh token"


async def test_unfollow_is_recorded_without_reply(
    web: httpx.AsyncClient, oa_api: FakeZaloOA, real_assistant: Assistant
) -> None:
    assert await deliver(web, oa_api, oa_api.event("unfollow", USER)) == 200
    assert oa_api.sent == []
    assert handled(real_assistant) == 1


async def test_lookup_with_a_numbered_choice(web: httpx.AsyncClient, oa_api: FakeZaloOA) -> None:
    offered = (await say(web, oa_api, "chứng thực"))[-1]
    number = next(line.split(".")[0] for line in offered.splitlines() if "chữ ký" in line and line[:1].isdigit())
    card = (await say(web, oa_api, number))[-1]
    assert "2.000884" in card and "Chứng thực chữ ký" in card
    (stale,) = await say(web, oa_api, "42")
    assert "không còn hiệu lực" in stale


async def test_image_gets_a_hint_and_other_events_are_ignored(web: httpx.AsyncClient, oa_api: FakeZaloOA) -> None:
    image = oa_api.event("user_send_image", USER, msg_id="img-1")
    assert await deliver(web, oa_api, image) == 200
    seen = oa_api.event("user_seen_message", USER, msg_id="seen-1")
    assert await deliver(web, oa_api, seen) == 200
    (hint,) = oa_api.texts_to(USER)
    assert "tin nhắn chữ" in hint


async def test_duplicate_msg_id_is_handled_once(web: httpx.AsyncClient, oa_api: FakeZaloOA) -> None:
    event = oa_api.event("user_send_text", USER, "đăng ký kết hôn", msg_id="same-1")
    assert [await deliver(web, oa_api, event) for _ in range(3)] == [200, 200, 200]
    assert sum("1.000894" in text for text in oa_api.texts_to(USER)) == 1


async def test_forged_signature_is_refused(
    web: httpx.AsyncClient, oa_api: FakeZaloOA, real_assistant: Assistant
) -> None:
    event = oa_api.event("user_send_text", USER, "đăng ký kết hôn")
    assert await deliver(web, oa_api, event, secret="not-the-oa-secret") == 401
    body, headers = oa_api.signed(event)
    tampered = body.replace("kết hôn".encode(), b"khai sinh")
    assert (await web.post("/zalo/oa", content=tampered, headers=headers)).status_code == 401
    assert (await web.post("/zalo/oa", content=body)).status_code == 401  # no signature header
    assert oa_api.sent == [] and oa_api.refresh_calls == 0
    assert handled(real_assistant) == 0


async def test_replayed_old_event_and_foreign_app_are_refused(web: httpx.AsyncClient, oa_api: FakeZaloOA) -> None:
    old = oa_api.event("user_send_text", USER, "xin chào", timestamp_ms=int((time.time() - 3600) * 1000))
    assert await deliver(web, oa_api, old) == 401
    foreign = oa_api.event("user_send_text", USER, "xin chào") | {"app_id": "999"}
    assert await deliver(web, oa_api, foreign) in (401, 403)
    assert oa_api.sent == []


async def test_expired_access_token_is_refreshed_once_and_the_send_retried(
    web: httpx.AsyncClient, oa_api: FakeZaloOA
) -> None:
    await say(web, oa_api, "/start")
    first_token = oa_api.sent[-1].access_token
    oa_api.expire_access_tokens()
    (card,) = (await say(web, oa_api, "đăng ký kết hôn"))[-1:]
    assert "1.000894" in card
    assert oa_api.refresh_calls == 2 and oa_api.reused == []
    assert oa_api.sent[-1].access_token != first_token


async def test_api_errors_defer_replies_to_the_outbox(
    web: httpx.AsyncClient, oa_api: FakeZaloOA, real_assistant: Assistant
) -> None:
    oa_api.fail_next(1, status=503)
    assert await deliver(web, oa_api, oa_api.event("user_send_text", USER, "đăng ký kết hôn")) == 200
    with real_assistant.db.session() as s:
        rows = s.scalars(select(OutboxMessage)).all()
    assert [(r.channel, r.chat_id, r.status) for r in rows] == [("zalo_oa", USER, "pending")]
