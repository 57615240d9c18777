"""``python -m bot officers invite|list|failures|deactivate``: officer administration from the server."""

from __future__ import annotations

import argparse
import sys

from bot.clock import as_utc
from bot.config import Settings
from bot.masking import mask_id
from bot.officers.models import Role
from bot.officers.registry import create_invite, deactivate, last_alert, list_officers
from bot.officers.units import UnknownUnit, check_units, known_units
from bot.outbox.dispatch import failures
from bot.schema import create_schema
from bot.storage.db import Database


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add the ``officers`` command to the main parser."""
    p = subparsers.add_parser("officers", help="officers: one-time invites, list, delivery failures")
    sub = p.add_subparsers(dest="officers_command", required=True)
    inv = sub.add_parser("invite", help="create a one-time registration code (printed once)")
    inv.add_argument("--unit", action="append", default=[], help="a unit the officer handles (repeatable)")
    inv.add_argument("--role", choices=[r.value for r in Role], default=Role.OFFICER.value)
    inv.add_argument("--days", type=int, default=7, help="days the code stays valid (default 7)")
    sub.add_parser("list", help="registered officers")
    sub.add_parser("failures", help="messages that could not be delivered (blocked bot, chat gone)")
    off = sub.add_parser("deactivate", help="stop an officer's access and alerts")
    off.add_argument("officer_id", type=int)
    return p


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run an ``officers`` subcommand; the process exit code."""
    db = Database(settings.database_url)
    create_schema(db)
    try:
        return _COMMANDS[args.officers_command](args, db, settings)
    finally:
        db.dispose()


def _invite(args: argparse.Namespace, db: Database, settings: Settings) -> int:
    try:
        with db.session() as session:
            check_units(session, args.unit, settings.office.units)
            code = create_invite(session, args.role, args.unit, ttl_days=args.days)
            session.commit()
    except UnknownUnit as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc} (use --unit \"UBND phường A\"; --role admin needs none)", file=sys.stderr)
        return 2
    scope = ", ".join(args.unit) if args.unit else "every unit"
    print(f"Invite code (shown once, valid {args.days} days, role {args.role}, units: {scope}):")
    print(f"  {code}")
    print(f"The officer sends this to the bot:  /dangky {code}")
    return 0


def _list(args: argparse.Namespace, db: Database, settings: Settings) -> int:
    with db.session() as session:
        officers = list_officers(session)
        units = known_units(session, settings.office.units)
        alerts = {o.id: last_alert(session, o.id) for o in officers}
    print(f"units ({len(units)}): " + (" | ".join(units) or "none yet (import dossiers or set [office].units)"))
    if not officers:
        print("no officers registered yet: python -m bot officers invite --unit \"...\"")
    for o in officers:
        state = "active" if o.active else "inactive"
        scope = "every unit" if o.role == Role.ADMIN.value else ", ".join(o.units or [])
        unknown = [u for u in (o.units or []) if u not in units]
        warn = f"  UNKNOWN UNIT: {', '.join(unknown)}" if unknown and o.role != Role.ADMIN.value else ""
        alert = alerts[o.id]
        seen = f"last alert {as_utc(alert[0]):%Y-%m-%d %H:%M}Z {alert[1]}" if alert else "no alert yet"
        print(f"{o.id:>4}  {o.role:<8} {state:<8} {o.channel}:{mask_id(o.user_id)}  {o.name}  [{scope}]  {seen}{warn}")
    return 0


def _failures(args: argparse.Namespace, db: Database, settings: Settings) -> int:
    with db.session() as session:
        rows = failures(session, limit=50)
    if not rows:
        print("no delivery failures")
    for row in rows:
        when = as_utc(row.created_at)
        print(f"{row.id:>6}  {when:%Y-%m-%d %H:%M}Z  {row.status:<13} {row.kind or '-':<8} "
              f"{row.channel}:{mask_id(row.chat_id)}  "
              f"attempts={row.attempts}  {row.last_error}")
    return 0


def _deactivate(args: argparse.Namespace, db: Database, settings: Settings) -> int:
    with db.session() as session:
        done = deactivate(session, args.officer_id)
        session.commit()
    if not done:
        print(f"no active officer with id {args.officer_id}", file=sys.stderr)
        return 1
    print("deactivated")
    return 0


_COMMANDS = {"invite": _invite, "list": _list, "failures": _failures, "deactivate": _deactivate}
