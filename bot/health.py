"""``GET /readyz``: may this replica take traffic? The database answers, a catalog is served (and whether
it is the last good one from disk), how much the outbox still has to deliver and how many acknowledged
webhook updates the inbox worker has not answered yet (``inbox.backlog``, ``inbox.oldest_pending_seconds``).

``/healthz`` (``bot.channels.webhook``) only says the process is alive and touches nothing; ``/readyz``
answers 503 when the database cannot be reached, so a reverse proxy or orchestrator stops sending traffic
to this replica without restarting it. Nothing secret is shown (no URL, only the error's class).
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot import clock
from bot.catalog.reload import CatalogHolder
from bot.channels.webhook import WebChannels
from bot.inbox.worker import backlog as inbox_backlog
from bot.outbox.models import OutboxMessage, OutboxStatus
from bot.storage.db import Database

#: Seconds the database may take to answer before the replica is reported not ready.
DATABASE_TIMEOUT = 5.0

_WAITING = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)


def _database_and_outbox(db: Database) -> dict[str, Any]:
    """Outbox backlog (pending or being sent), its oldest message's age, and permanent failures."""
    with db.session() as session:
        waiting = select(func.count(), func.min(OutboxMessage.created_at)).where(OutboxMessage.status.in_(_WAITING))
        backlog, oldest = session.execute(waiting).one()
        failed = session.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.FAILED.value))
    age = (clock.now() - clock.as_utc(oldest)).total_seconds() if oldest is not None else 0.0
    return {"backlog": backlog, "oldest_pending_seconds": round(max(age, 0.0), 1), "failed": failed or 0}


def _inbox(db: Database) -> dict[str, Any]:
    """Webhook updates acknowledged and not answered yet, the oldest one's age, and those given up."""
    found = inbox_backlog(db)
    return {"backlog": found.waiting, "oldest_pending_seconds": found.oldest_seconds, "failed": found.failed}


def _database_outbox_inbox(db: Database) -> tuple[dict[str, Any], dict[str, Any]]:
    return _database_and_outbox(db), _inbox(db)


async def readiness(db: Database, catalog: CatalogHolder, timeout: float = DATABASE_TIMEOUT) -> dict[str, Any]:
    """The readiness report; ``ready`` is false when the database does not answer within ``timeout``."""
    status = catalog.status()
    report: dict[str, Any] = {
        "ready": False,
        "database": {"ok": False},
        "catalog": {
            "loaded": status.procedures > 0,
            "procedures": status.procedures,
            "last_good_fallback": status.fallback,
            "problems": status.problems,
            "removals_awaiting_confirmation": status.awaiting_removal,
        },
        "outbox": None,
        "inbox": None,
    }
    try:
        report["outbox"], report["inbox"] = await asyncio.wait_for(asyncio.to_thread(_database_outbox_inbox, db),
                                                                   timeout)  # fmt: skip
    except TimeoutError:
        report["database"]["error"] = f"no answer within {timeout:g} s"
    except Exception as error:  # unreachable, refused, missing tables: named, never with its URL
        report["database"]["error"] = type(error).__name__
    else:
        report["database"]["ok"] = True
    report["ready"] = report["database"]["ok"] and report["catalog"]["loaded"]
    return report


def readiness_routes(db: Database, catalog: CatalogHolder) -> WebChannels:
    """The ``/readyz`` route, to combine with the channels' routes in the web app."""

    async def readyz(request: Request) -> Response:
        report = await readiness(db, catalog)
        return JSONResponse(report, status_code=200 if report["ready"] else 503,
                            headers={"Cache-Control": "no-store"})  # fmt: skip

    return WebChannels(routes=[Route("/readyz", readyz, methods=["GET"])])
