"""``python -m bot alerts run|send``: enqueue a day's alerts by hand, and drain the outbox once."""

from __future__ import annotations

import argparse
import asyncio
from datetime import date, time

from bot import clock
from bot.channels import registry
from bot.clock import at_local, local_date
from bot.config import Settings
from bot.late.job import enqueue_morning_alerts
from bot.outbox.budget import SharedBudget
from bot.outbox.dispatch import SERVICE_LEASE, Dispatcher
from bot.outbox.store import undelivered
from bot.schema import create_schema
from bot.storage.db import Database


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add the ``alerts`` command to the main parser."""
    p = subparsers.add_parser("alerts", help="officers' morning alert: enqueue by hand, deliver the outbox")
    sub = p.add_subparsers(dest="alerts_command", required=True)
    run_p = sub.add_parser("run", help="enqueue the alerts of a day (idempotent: each officer once per day)")
    run_p.add_argument("--date", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
    run_p.add_argument("--time", type=time.fromisoformat, help="HH:MM local time (default: alerts.time)")
    sub.add_parser("send", help="deliver what is due in the outbox once, through the configured channels; "
                   "reports what is left undelivered (exit code 1 while messages still wait)")
    return p


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run an ``alerts`` subcommand; the process exit code."""
    db = Database(settings.database_url)
    create_schema(db)
    try:
        if args.alerts_command == "run":
            if args.date is None and args.time is None:
                now = clock.now()
            else:
                day = args.date or local_date(clock.now(), settings.zone)
                now = at_local(day, args.time or settings.alerts.time, settings.zone)
            added = enqueue_morning_alerts(db, settings, now, registry.capabilities)
            print(f"{added} alert(s) enqueued; deliver them with: python -m bot alerts send")
            return 0
        sent = asyncio.run(_drain(db, settings))
        print(f"{sent} message(s) delivered")
        with db.session() as session:
            left = undelivered(session)
        print(left.describe())
        return 1 if left.waiting else 0
    finally:
        db.dispose()


async def _drain(db: Database, settings: Settings) -> int:
    """Deliver until nothing more is due now (rows waiting for a retry stay for the running assistant)."""
    total = 0
    async with registry.started(registry.outbox_channels(settings, db)) as channels:
        dispatcher = Dispatcher(db, channels, limiter=SharedBudget(db), lease=SERVICE_LEASE)
        while delivered := await dispatcher.run_once():
            total += delivered
    return total
