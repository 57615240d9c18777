"""``python -m bot gaps``: the most frequent questions the assistant could not answer, and the FAQ files.

    python -m bot gaps                    # last 30 days, 20 groups
    python -m bot gaps --days 7 --top 50
    python -m bot gaps --check-faq        # validate the FAQ files (path:line: problem), exit 1 on problems
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

from bot import clock
from bot.config import Settings
from bot.handoff.faq import load_faq
from bot.handoff.gaps import gaps_report
from bot.handoff.summary import gap_lines
from bot.schema import create_schema
from bot.storage.db import Database


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add the ``gaps`` command to ``python -m bot``."""
    p = subparsers.add_parser("gaps", help="most frequent unanswered questions, grouped, with the closest procedures")
    p.add_argument("--days", type=int, default=30, help="look back this many days (default 30)")
    p.add_argument("--top", type=int, default=20, help="groups shown (default 20)")
    p.add_argument("--check-faq", action="store_true", help="validate the FAQ files instead")
    return p


def _names(settings: Settings) -> dict[str, str]:
    from bot.knowledge import open_catalog

    try:
        return {code: p.name for code, p in open_catalog(settings).catalog.procedures.items()}
    except Exception:  # the report is useful without names
        return {}


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the report (or the FAQ problems)."""
    if args.check_faq:
        folder = settings.resolve(settings.handoff.faq_path)
        book = load_faq(folder)
        for problem in book.problems:
            print(problem)
        print(f"{len(book.entries)} câu hỏi thường gặp hợp lệ trong {folder}, {len(book.problems)} lỗi.")
        return 1 if book.problems else 0
    db = Database(settings.database_url)
    create_schema(db)
    now = clock.now()
    started = time.perf_counter()
    with db.session() as session:
        gaps = gaps_report(session, now - timedelta(days=max(args.days, 1)), now, max(args.top, 1))
    elapsed = time.perf_counter() - started
    db.dispose()
    print(f"Câu hỏi trợ lý chưa trả lời được, {args.days} ngày qua ({elapsed:.2f} s):")
    names = _names(settings) if gaps else {}
    for line in gap_lines(gaps, "vi", lambda code: names.get(code, "")):
        print(line)
    if not gaps:
        print("Không có câu hỏi nào chưa trả lời được.")
    return 0
