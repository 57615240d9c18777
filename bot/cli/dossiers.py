"""``python -m bot dossiers import FILE | show CODE | alert``: the administrators' dossier commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import clock
from bot.clock import as_utc
from bot.config import Settings
from bot.dossiers.models import StatusChange
from bot.dossiers.notify import notify_status_changes
from bot.feedback.invite import invite_returned
from bot.masking import mask_name
from bot.schema import create_schema
from bot.storage.db import Database

MAX_REJECTED_SHOWN = 200


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register the ``dossiers`` command and its subcommands."""
    p = subparsers.add_parser("dossiers", help="import dossier exports, look one up, preview the morning alert")
    sub = p.add_subparsers(dest="dossiers_command", required=True)
    imp = sub.add_parser("import", help="import a CSV/JSON export of the one-stop software (all or nothing)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--mapping", type=Path, help="TOML file naming the export's columns (see samples/)")
    imp.add_argument("--dry-run", action="store_true", help="check and count, change nothing")
    imp.add_argument("--no-progress", action="store_true", help="no progress bar")
    imp.add_argument(
        "--allow-status-reversal",
        action="store_true",
        help="accept rows that move a dossier back to an earlier status (e.g. returned → processing)",
    )
    show = sub.add_parser("show", help="one dossier as stored (personal data masked)")
    show.add_argument("code")
    alert = sub.add_parser("alert", help="preview the officers' morning alert")
    alert.add_argument("--unit", action="append", help="only this unit (repeatable); default: all units")
    alert.add_argument("--top", type=int, default=10)
    alert.add_argument("--csv", type=Path, help="also write every urgent dossier to this CSV file")
    return p


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run a ``dossiers`` subcommand; returns the exit code (1 when rows were rejected, 2 on a bad file)."""
    db = Database(settings.database_url)
    create_schema(db)
    try:
        if args.dossiers_command == "import":
            return _import(args, settings, db)
        if args.dossiers_command == "show":
            return _show(args.code, settings, db)
        return _alert(args, settings, db)
    finally:
        db.dispose()


def _import(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    from bot.dossiers.importer import import_dossiers
    from bot.knowledge import open_catalog

    procedures = open_catalog(settings).catalog.procedures
    try:
        result = import_dossiers(
            db,
            args.file,
            settings=settings,
            procedures=procedures,
            mapping_path=args.mapping,
            progress=not args.no_progress and sys.stderr.isatty(),
            dry_run=args.dry_run,
            allow_status_reversal=args.allow_status_reversal,
        )
    except ValueError as exc:  # unusable file or mapping
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{args.file}: {result.inserted} inserted, {result.updated} updated, {result.unchanged} unchanged, "
        f"{len(result.status_changes)} status changes, {result.due_computed} due dates computed from the catalog"
    )
    if result.unknown_statuses:
        texts = ", ".join(f"{t or '(empty)'} ×{n}" for t, n in result.unknown_statuses.most_common(10))
        print(f"unknown status wording (kept as open, add to [statuses] of a mapping file): {texts}")
    if result.rejected:
        print(f"{len(result.rejected)} rejected row(s); NOTHING was imported:", file=sys.stderr)
        for row in result.rejected[:MAX_REJECTED_SHOWN]:
            print(f"  {row.describe(args.file)}", file=sys.stderr)
        if len(result.rejected) > MAX_REJECTED_SHOWN:
            print(f"  … and {len(result.rejected) - MAX_REJECTED_SHOWN} more", file=sys.stderr)
        return 1
    if args.dry_run:
        print("dry run: nothing was changed")
        return 0
    if result.status_changes:
        notified, invited = publish_changes(db, result.status_changes, settings)
        print(f"{notified} notification(s) to followers and {invited} rating invitation(s) queued")
    return 0


def _local(value: datetime | None, tz: ZoneInfo) -> str:
    return "-" if value is None else as_utc(value).astimezone(tz).strftime("%d/%m/%Y %H:%M")


def _show(code: str, settings: Settings, db: Database) -> int:
    from bot.dossiers.calendar import WorkCalendar
    from bot.dossiers.store import find_by_code

    tz = settings.zone
    with db.session() as session:
        d = find_by_code(session, code)
        if d is None:
            print(f"no dossier {code!r}", file=sys.stderr)
            return 1
        cal = WorkCalendar.from_settings(settings)
        urgency = ""
        if d.is_open and d.due_at is not None:
            u = cal.classify(d.due_at, clock.now(), settings.calendar.soon_days)
            urgency = f" ({u.kind}, {u.working_days} working day(s))"
        lines = [
            ("code", d.code),
            ("procedure", f"{d.procedure_code} {d.procedure_name}".strip()),
            ("field / unit", f"{d.field} / {d.unit}"),
            ("officer", d.officer or "-"),
            ("applicant", mask_name(d.applicant_name)),
            ("verification", f"phone last 4: {'yes' if d.phone_digest else 'no'}, "
                             f"ID number: {'yes' if d.id_number_digest else 'no'}"),
            ("status", f"{d.status} ({d.status_text}){' open' if d.is_open else ''}{urgency}"),
            ("received", _local(d.received_at, tz)),
            ("due", _local(d.due_at, tz) + (" (computed from the catalog)" if d.due_computed else "")),
            ("finished / returned", f"{_local(d.finished_at, tz)} / {_local(d.returned_at, tz)}"),
        ]  # fmt: skip
        for label, value in lines:
            print(f"{label:>20}: {value}")
        for a in d.apologies:
            print(f"{'apology':>20}: sent {_local(a.sent_at, tz)}, new due {_local(a.new_due_at, tz)}: {a.reason}")
        for e in d.events:
            print(f"{'history':>20}: {_local(e.at, tz)} {e.old_status} → {e.new_status} ({e.status_text}) [{e.source}]")
    return 0


def _alert(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    from bot.dossiers.calendar import WorkCalendar
    from bot.late.export import alert_csv
    from bot.late.query import alert_report, iter_alert_rows

    cal = WorkCalendar.from_settings(settings)
    now = clock.now()
    soon = settings.calendar.soon_days
    with db.session() as session:
        r = alert_report(session, units=args.unit, now=now, calendar=cal, soon_days=soon, top=args.top)
        print(
            f"open {r.open_total}: overdue {r.overdue} (without apology {r.late_without_apology}), "
            f"due today {r.due_today}, due within {soon} working days {r.due_soon}"
        )
        for item in r.items:
            print(f"  {item.urgency.kind:<9} {item.urgency.working_days:>3}  {item.code}  {item.unit}  "
                  f"{item.procedure_name[:60]}{'  [apology]' if item.has_apology else ''}")  # fmt: skip
        if args.csv:
            args.csv.write_bytes(alert_csv(iter_alert_rows(session, args.unit, now, cal, soon), cal.tz))
            print(f"wrote {args.csv}")
    return 0


def publish_changes(db: Database, changes: Sequence[StatusChange], settings: Settings) -> tuple[int, int]:
    """After an import committed: tell followers about status changes and invite a rating when a dossier
    was returned. Returns (notifications, rating invitations) newly enqueued; safe to run again."""
    with db.session() as session:
        notified = notify_status_changes(session, changes, settings)
        invited = invite_returned(session, changes)
        session.commit()
    return notified, invited
