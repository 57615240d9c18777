"""Bad requests get a clear 4xx and lose nothing; the widget's files, texts, CORS and the session limit."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.app import Assistant
from bot.channels import registry
from bot.channels.webchat.api import MAX_BODY_BYTES
from bot.channels.webchat.tokens import Signer
from bot.channels.webhook import create_web_app
from bot.clock import ManualClock
from bot.security import secret_key
from tests.bot.channels.webchat.conftest import BASE_URL, PORTAL, SECRET, Visitor, enable_web_chat

MESSAGES = "/webchat/api/messages"


async def test_bad_bodies_are_refused_with_a_code_and_the_chat_goes_on(web: httpx.AsyncClient) -> None:
    visitor = await Visitor(web).start()
    await visitor.ask("/start")
    bad: list[tuple[bytes, int, str]] = [
        (b"{not json", 400, "bad_json"),
        ("đăng ký".encode("utf-16"), 400, "bad_json"),
        (b"[1, 2]", 400, "not_an_object"),
        (b'{"text": "hi", "after": 0}', 400, "bad_id"),
        (b'{"id": "short", "text": "hi", "after": 0}', 400, "bad_id"),
        (b'{"id": "../../etc/passwd", "text": "hi", "after": 0}', 400, "bad_id"),
        (b'{"id": "abcdefgh1", "after": 0}', 400, "text_or_choice"),
        (b'{"id": "abcdefgh1", "text": "a", "choice": "h", "after": 0}', 400, "text_or_choice"),
        (b'{"id": "abcdefgh1", "text": 42, "after": 0}', 400, "text_or_choice"),
        (b'{"id": "abcdefgh1", "text": "a", "after": -1}', 400, "bad_after"),
        (b'{"id": "abcdefgh1", "text": "a", "after": 99999999999999999999}', 400, "bad_after"),
        (b'{"id": "abcdefgh1", "text": "a", "after": true}', 400, "bad_after"),
        (json.dumps({"id": "abcdefgh1", "text": "x" * MAX_BODY_BYTES, "after": 0}).encode(), 413, "too_large"),
    ]
    for body, status, code in bad:
        answer = await web.post(MESSAGES, content=body, headers=visitor.headers)
        assert (answer.status_code, answer.json()) == (status, {"error": code}), body[:60]
    assert await visitor.poll() == []  # nothing was answered, nothing lost
    (card,) = await visitor.ask("đăng ký kết hôn")
    assert card["seq"] == 2


async def test_a_huge_body_is_refused_before_it_is_read_whole(web: httpx.AsyncClient) -> None:
    visitor = await Visitor(web).start()

    async def chunks() -> Any:
        for _ in range(64):
            yield b"x" * 65536  # 4 MB announced by nothing: streamed without a Content-Length

    answer = await web.post(MESSAGES, content=chunks(), headers=visitor.headers)
    assert answer.status_code == 413


async def test_missing_forged_or_expired_sessions_get_401(
    web: httpx.AsyncClient, real_assistant: Assistant, manual_clock: ManualClock
) -> None:
    visitor = await Visitor(web).start()
    chat_id, issued, mac = visitor.token.split(".")
    other_key = Signer(b"another-server-secret", timedelta(days=90))
    forged = [
        None,
        "Bearer",
        "Bearer nonsense",
        f"Basic {visitor.token}",
        f"Bearer {chat_id}.{issued}.{'0' * 64}",
        f"Bearer {chat_id}.{int(issued) + 1}.{mac}",
        f"Bearer {'A' * 22}.{issued}.{mac}",
        f"Bearer {other_key.issue(chat_id)}",
    ]
    for header in forged:
        headers = {} if header is None else {"Authorization": header}
        post = await web.post(MESSAGES, json={"id": "abcdefgh1", "text": "hi", "after": 0}, headers=headers)
        get = await web.get(f"{MESSAGES}?after=0", headers=headers)
        assert (post.status_code, get.status_code, post.json()) == (401, 401, {"error": "session"}), header
    manual_clock.advance(60 * 60 * 24 * 91)  # session_days = 90 by default
    assert (await web.get(f"{MESSAGES}?after=0", headers=visitor.headers)).status_code == 401


async def test_a_session_in_use_is_renewed_for_the_same_visitor(
    web: httpx.AsyncClient, manual_clock: ManualClock
) -> None:
    visitor = await Visitor(web).start()
    (card,) = await visitor.ask("đăng ký kết hôn")
    first = visitor.token
    manual_clock.advance(60 * 60 * 24 * 60)
    assert await visitor.poll() == [] and visitor.token != first
    manual_clock.advance(60 * 60 * 24 * 60)  # 120 days after the first token, 60 after the renewed one
    assert (await web.get(f"{MESSAGES}?after=0", headers={"Authorization": f"Bearer {first}"})).status_code == 401
    assert [m["seq"] for m in (await web.get(MESSAGES, headers=visitor.headers)).json()["messages"]] == [card["seq"]]


async def test_polling_with_a_bad_cursor_is_400(web: httpx.AsyncClient) -> None:
    visitor = await Visitor(web).start()
    for after in ("-1", "abc", "1e3", "99999999999", "٣"):
        answer = await web.get(f"{MESSAGES}?after={after}", headers=visitor.headers)
        assert (answer.status_code, answer.json()) == (400, {"error": "bad_after"}), after


async def test_new_sessions_are_limited_per_address(real_assistant: Assistant, manual_clock: ManualClock) -> None:
    enable_web_chat(real_assistant, sessions_per_hour=3)
    app = create_web_app(registry.web_channels(real_assistant, real_assistant.db))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://chat.test") as web:
        statuses = [(await web.post("/webchat/api/session")).status_code for _ in range(4)]
        refused = await web.post("/webchat/api/session")
    assert statuses == [201, 201, 201, 429]
    assert refused.json() == {"error": "busy"} and 0 < int(refused.headers["retry-after"]) <= 3600
    manual_clock.advance(int(refused.headers["retry-after"]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as web:
        assert (await web.post("/webchat/api/session")).status_code == 201  # the next hour's allowance


async def test_the_widget_texts_come_from_the_catalogs_in_both_languages(web: httpx.AsyncClient) -> None:
    vi = (await web.get("/webchat/api/config?lang=vi")).json()
    en = (await web.get("/webchat/api/config?lang=en")).json()
    other = (await web.get("/webchat/api/config?lang=fr")).json()
    assert vi["texts"]["send"] == "Gửi" and en["texts"]["send"] == "Send"
    assert other["lang"] == "vi" and other["texts"] == vi["texts"]
    assert set(vi["texts"]) == set(en["texts"])
    untranslated = [k for k, text in en["texts"].items() if text == vi["texts"][k] and k != "office"]
    assert untranslated == []
    assert vi["poll_seconds"] == 10 and vi["max_chars"] == 2000


async def test_the_page_and_the_widget_files_are_served(web: httpx.AsyncClient) -> None:
    page = await web.get("/webchat/?lang=en")
    assert page.status_code == 200 and '<script src="widget.js" data-mode="page" data-lang="en"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert (await web.get("/webchat", follow_redirects=True)).status_code == 200
    script = await web.get("/webchat/widget.js")
    style = await web.get("/webchat/widget.css")
    assert script.headers["content-type"].startswith("text/javascript") and "attachShadow" in script.text
    assert style.headers["content-type"].startswith("text/css") and ".launcher" in style.text
    assert script.headers["cross-origin-resource-policy"] == "cross-origin"


@pytest.mark.parametrize("origin, allowed", [(PORTAL, True), ("https://evil.example.com", False)])
async def test_only_the_configured_portals_may_call_the_api(web: httpx.AsyncClient, origin: str, allowed: bool) -> None:
    preflight = await web.options(MESSAGES, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})  # fmt: skip
    session = await web.post("/webchat/api/session", headers={"Origin": origin})
    if allowed:
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == origin
        assert session.headers["access-control-allow-origin"] == origin
    else:
        assert preflight.status_code == 400
        assert "access-control-allow-origin" not in session.headers  # the browser hides the answer


def test_tokens_hold_no_personal_data_and_verify_in_the_server_key(real_assistant: Assistant) -> None:
    signer = Signer(secret_key(real_assistant.settings), timedelta(days=1))
    token = signer.issue()
    visitor = signer.verify(token)
    assert visitor is not None and token.startswith(visitor.chat_id + ".")
    assert len(visitor.chat_id) == 22 and SECRET not in token
    assert Signer(SECRET.encode(), signer.lifetime).verify(token) == visitor


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=80),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=12)  # fmt: skip
CLIENT_ID = st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True)
FIELDS = st.fixed_dictionaries({}, optional={
    "id": CLIENT_ID | st.text(max_size=70) | JSON, "text": st.text(max_size=200) | JSON,
    "choice": st.text(max_size=80) | JSON, "after": st.integers(min_value=-5, max_value=2**40) | JSON})  # fmt: skip


WELL_FORMED = st.builds(lambda client_id, kind, value, after: {"id": client_id, kind: value, "after": after},
                        CLIENT_ID, st.sampled_from(["text", "choice"]), st.text(max_size=300), st.integers(0, 50))
BODIES = st.binary(max_size=300) | st.one_of(JSON, FIELDS, WELL_FORMED, WELL_FORMED).map(json.dumps).map(str.encode)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES)
def test_whatever_the_body_the_answer_is_never_a_server_error(real_assistant: Assistant, body: bytes) -> None:
    enable_web_chat(real_assistant)
    app = create_web_app(registry.web_channels(real_assistant, real_assistant.db))

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url=BASE_URL) as web:
            token = (await web.post("/webchat/api/session")).json()["token"]
            return await web.post(MESSAGES, content=body, headers={"Authorization": f"Bearer {token}"})

    answer = asyncio.run(post())
    event(f"status {answer.status_code}")
    assert answer.status_code in (200, 400), (body, answer.text)
