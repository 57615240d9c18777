"""``python -m bot privacy purge``: blank personal data past its retention period ([privacy])."""

from __future__ import annotations

import argparse

from bot import clock
from bot.config import Settings
from bot.retention import purge
from bot.schema import upgrade
from bot.storage.db import Database


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add the ``privacy`` command to the main parser."""
    p = subparsers.add_parser("privacy", help="personal data: purge what is past its retention period")
    sub = p.add_subparsers(dest="privacy_command", required=True)
    sub.add_parser("purge", help="blank applicants' names and complaint texts older than [privacy] allows")
    return p


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run a ``privacy`` subcommand; the process exit code."""
    db = Database(settings.database_url)
    try:
        upgrade(db)
        done = purge(db, settings.privacy, clock.now())
    finally:
        db.dispose()
    print(f"purged: {done.applicant_names} applicant names (finished over {settings.privacy.applicant_name_days} "
          f"days ago), {done.ratings} comments/contacts, {done.complaint_answers} complaint answers and "
          f"{done.questions} questions to officers (over {settings.privacy.complaint_days} days old); "
          f"{done.inbox_updates} answered messages deleted from the inbox")
    return 0
