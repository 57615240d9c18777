"""The OA token store on SQLite and PostgreSQL: single-use refresh tokens rotated exactly once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot import clock
from bot.channels.zalo_models import ZaloOAToken
from bot.channels.zalo_oa import ZaloOAClient
from bot.channels.zalo_tokens import OAuthClient, TokenUnavailable, ZaloTokenStore, token_status
from bot.storage.db import Database
from tests.bot.channels.zalo.conftest import token_store
from tests.fakes.zalo_oa_api import FakeZaloOA


@pytest.fixture
def slow_oa() -> Iterator[FakeZaloOA]:
    """A fake OAuth endpoint that takes a moment, so concurrent refreshers really overlap."""
    with FakeZaloOA(refresh_delay=0.3) as api:
        yield api


def second_process(database: Database) -> Database:
    """Another connection pool to the same database, like another replica."""
    return Database(database.engine.url.render_as_string(hide_password=False))


def expire(database: Database, app_id: str) -> None:
    with database.session() as s:
        s.execute(update(ZaloOAToken).where(ZaloOAToken.app_id == app_id).values(expires_at=clock.now()))
        s.commit()


def test_seed_only_once(database: Database, oa_api: FakeZaloOA) -> None:
    store = token_store(database, oa_api)
    assert store.seed("RT-from-env-again") is False  # the database copy wins after the first start
    assert store.access_token().startswith("AT-")
    assert oa_api.used_refresh == ["RT-0"]


def test_valid_token_is_reused_and_refreshed_before_expiry(database: Database, oa_api: FakeZaloOA) -> None:
    store = token_store(database, oa_api)
    first = store.access_token()
    assert store.access_token() == first and oa_api.refresh_calls == 1
    with database.session() as s:  # within the margin of its expiry
        s.execute(update(ZaloOAToken).values(expires_at=clock.now() + timedelta(minutes=5)))
        s.commit()
    second = store.access_token()
    assert second != first and oa_api.refresh_calls == 2
    assert token_status(database, oa_api.app_id).version == 2  # type: ignore[union-attr]


def test_concurrent_refreshers_call_oauth_exactly_once(database: Database, slow_oa: FakeZaloOA) -> None:
    token_store(database, slow_oa).access_token()
    expire(database, slow_oa.app_id)
    other_db = second_process(database)
    stores = [token_store(database, slow_oa), token_store(other_db, slow_oa)]
    barrier = threading.Barrier(2)
    got: list[str] = []

    def refresh(store: ZaloTokenStore) -> None:
        barrier.wait()
        got.append(store.access_token())

    threads = [threading.Thread(target=refresh, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other_db.dispose()
    assert slow_oa.refresh_calls == 2  # the first fetch + exactly one rotation for both refreshers
    assert len(got) == 2 and got[0] == got[1] and got[0] in slow_oa.access_tokens
    assert slow_oa.reused == []
    status = token_status(database, slow_oa.app_id)
    assert status is not None and status.version == 2 and status.failures == 0


async def test_refresh_racing_with_a_send(database: Database, slow_oa: FakeZaloOA) -> None:
    """Two senders find the token rejected at the same time: one refresh, both messages delivered."""
    import asyncio

    stale = token_store(database, slow_oa).access_token()
    slow_oa.expire_access_tokens()
    other_db = second_process(database)
    clients = [ZaloOAClient(token_store(database, slow_oa), slow_oa.url),
               ZaloOAClient(token_store(other_db, slow_oa), slow_oa.url)]  # fmt: skip
    try:
        await asyncio.gather(clients[0].send_text("u1", "một"), clients[1].send_text("u2", "hai"))
    finally:
        for client in clients:
            await client.aclose()
        other_db.dispose()
    assert slow_oa.refresh_calls == 2 and slow_oa.reused == []
    assert {s.access_token for s in slow_oa.sent} == {s.access_token for s in slow_oa.sent[:1]} != {stale}
    assert sorted(s.text for s in slow_oa.sent) == ["hai", "một"]


def test_failed_refresh_keeps_the_refresh_token_and_is_visible(database: Database, oa_api: FakeZaloOA) -> None:
    broken = ZaloTokenStore(database, OAuthClient(oa_api.app_id, "wrong-app-secret", oa_api.url))
    broken.seed("RT-0")
    with pytest.raises(TokenUnavailable):
        broken.access_token()
    status = token_status(database, oa_api.app_id)
    assert status is not None and status.failures == 1 and status.failed_at is not None
    assert "refused" in status.last_error and "RT-0" not in status.describe()
    # the stored refresh token was not spent: the correctly configured store still works with it
    assert token_store(database, oa_api).access_token() in oa_api.access_tokens
    assert token_status(database, oa_api.app_id).failures == 0  # type: ignore[union-attr]


def test_unreachable_oauth_is_transient(database: Database) -> None:
    store = ZaloTokenStore(database, OAuthClient("1", "s", "http://127.0.0.1:9", timeout=2.0))
    store.seed("RT-x")
    with pytest.raises(TokenUnavailable) as caught:
        store.access_token()
    assert caught.value.transient
    assert token_status(database, "1").last_error.startswith("OAuth endpoint unreachable")  # type: ignore[union-attr]


def test_no_token_stored(database: Database, oa_api: FakeZaloOA) -> None:
    store = ZaloTokenStore(database, OAuthClient(oa_api.app_id, oa_api.app_secret, oa_api.url))
    with pytest.raises(TokenUnavailable) as caught:
        store.access_token()
    assert not caught.value.transient and oa_api.refresh_calls == 0
    assert token_status(database, oa_api.app_id) is None
