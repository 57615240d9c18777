"""``/readyz`` and ``/healthz`` on the web app, over SQLite and PostgreSQL, with the database reachable or not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import Assistant
from bot.catalog.files import procedure_path, render_procedure, write_if_changed
from bot.catalog.reload import CatalogHolder
from bot.channels.webhook import create_web_app
from bot.clock import ManualClock
from bot.config import ENV_SECRET_KEY
from bot.contract.messages import Reply
from bot.health import readiness_routes
from bot.outbox.store import enqueue
from bot.service import build_web_app
from bot.storage.db import Database
from tests.bot.channels.webchat.conftest import enable_web_chat
from tests.fakes.real_assistant import CATALOG


@pytest.fixture
def holder(tmp_path: Path) -> CatalogHolder:
    root = tmp_path / "catalog"
    for procedure in CATALOG:
        write_if_changed(procedure_path(root, procedure), render_procedure(procedure))
    return CatalogHolder(root, state_dir=tmp_path / "var")


async def _get(db: Database, holder: CatalogHolder, path: str = "/readyz") -> httpx.Response:
    transport = httpx.ASGITransport(app=create_web_app(readiness_routes(db, holder)))
    async with httpx.AsyncClient(transport=transport, base_url="http://replica.test") as client:
        return await client.get(path)


async def test_ready_with_the_outbox_backlog_and_its_oldest_age(
    database: Database, holder: CatalogHolder, manual_clock: ManualClock
) -> None:
    with database.session() as session:
        enqueue(session, dedupe_key="a", channel="telegram", chat_id="1", reply=Reply(text="một"))
        session.commit()
    manual_clock.advance(90)
    with database.session() as session:
        enqueue(session, dedupe_key="b", channel="telegram", chat_id="2", reply=Reply(text="hai"))
        session.commit()
    manual_clock.advance(30)

    response = await _get(database, holder)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    assert body["ready"] is True and body["database"] == {"ok": True}
    assert body["outbox"] == {"backlog": 2, "oldest_pending_seconds": 120.0, "failed": 0}
    assert body["catalog"] == {"loaded": True, "procedures": 4, "last_good_fallback": False, "problems": 0,
                               "removals_awaiting_confirmation": 0}  # fmt: skip
    assert (await _get(database, holder, "/healthz")).text == "ok"


@pytest.mark.parametrize("url", ["postgresql://postgres@127.0.0.1:1/test", "sqlite:///{tmp}/no/such/dir/x.db"])
async def test_not_ready_when_the_database_cannot_be_reached(
    url: str, holder: CatalogHolder, tmp_path: Path
) -> None:
    db = Database(url.format(tmp=tmp_path))
    try:
        response = await _get(db, holder)
        assert response.status_code == 503
        body = response.json()
        assert body["ready"] is False and body["database"]["ok"] is False and body["outbox"] is None
        assert body["database"]["error"] == "OperationalError"
        assert "127.0.0.1" not in response.text and "postgres" not in response.text  # no address, no user
        assert body["catalog"]["procedures"] == 4
        assert (await _get(db, holder, "/healthz")).status_code == 200  # alive all the same
    finally:
        db.dispose()


async def test_the_last_good_fallback_is_shown(database: Database, holder: CatalogHolder, tmp_path: Path) -> None:
    path = next(holder.root.rglob("1.000894.toml"))
    path.write_text("code = ", encoding="utf-8")
    fallback = CatalogHolder(holder.root, state_dir=tmp_path / "var")
    body = (await _get(database, fallback)).json()
    assert body["ready"] is True
    assert body["catalog"]["last_good_fallback"] is True and body["catalog"]["problems"] == 1


async def test_the_service_app_serves_readyz_beside_the_channels(
    real_assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_SECRET_KEY, "s" * 40)
    enable_web_chat(real_assistant)
    app = build_web_app(real_assistant)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        response = await client.get("/readyz")
        assert response.status_code == 200 and response.json()["catalog"]["procedures"] == 4
        assert (await client.get("/webchat/api/config")).status_code == 200
