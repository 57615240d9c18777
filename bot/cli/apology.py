"""``python -m bot apology letter CODE`` writes the apology letter PDF; ``apology check`` validates the template."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot import clock
from bot.apologies.letter import LetterError, letter_for, load_template
from bot.config import Settings
from bot.schema import create_schema
from bot.storage.db import Database


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add the ``apology`` command to the main parser."""
    p = subparsers.add_parser("apology", help="apology letters (Phiếu xin lỗi và hẹn lại ngày trả kết quả)")
    sub = p.add_subparsers(dest="apology_command", required=True)
    letter = sub.add_parser("letter", help="write the letter of a dossier's latest apology as a PDF")
    letter.add_argument("code", help="the dossier code")
    letter.add_argument("-o", "--output", type=Path, help="the PDF file (default: phieu-xin-loi-CODE.pdf)")
    sub.add_parser("check", help="validate the letter template ([apologies].template); problems as file:line")
    return p


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run an ``apology`` subcommand; the process exit code."""
    try:
        if args.apology_command == "check":
            lines = load_template(settings)
            print(f"{settings.resolve(settings.apologies.template)}: OK ({len(lines)} lines)")
            return 0
        db = Database(settings.database_url)
        create_schema(db)
        try:
            with db.session() as session:
                attachment = letter_for(session, args.code, settings, clock.now())
        finally:
            db.dispose()
    except LetterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out: Path = args.output or Path(attachment.filename)
    out.write_bytes(attachment.content)
    print(f"{out} ({len(attachment.content):,} bytes)")
    return 0
