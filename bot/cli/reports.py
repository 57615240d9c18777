"""``python -m bot report``: figures of a period as text, CSV (administrators) and a PNG chart.

    python -m bot report --period month --start 2026-10-01 --by unit --csv out.csv --chart out.png
    python -m bot report --load-sample 20000      # DEMO ONLY: add synthetic "(mẫu)" dossiers and ratings
    python -m bot report --scorecard --period quarter --csv bang-diem.csv --chart bang-diem.png   # 766 scorecard
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot import clock
from bot.clock import local_date
from bot.config import Settings
from bot.dossiers.models import Dossier
from bot.reports.chart import weekly_chart
from bot.reports.compute import GroupBy, compute_report, compute_series
from bot.reports.export import report_csv
from bot.reports.periods import PeriodKind, chart_periods, period_of
from bot.reports.sample import SampleSpec, insert_sample
from bot.reports.scorecard import compute_scorecard
from bot.reports.scorecard_png import scorecard_png
from bot.reports.scorecard_text import scorecard_csv, scorecard_text
from bot.reports.text import report_text
from bot.schema import create_schema
from bot.storage.db import Database

_TAGS = re.compile(r"<[^>]+>")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add the ``report`` command to ``python -m bot``."""
    p = subparsers.add_parser("report", help="satisfaction and on-time report: text, --csv, --chart")
    p.add_argument("--period", choices=[k.value for k in PeriodKind], default=PeriodKind.MONTH.value)
    p.add_argument("--start", type=date.fromisoformat, help="a day in the period (default: today)")
    p.add_argument("--by", choices=[g.value for g in GroupBy], default=GroupBy.UNIT.value, help="rows of the report")
    p.add_argument("--unit", action="append", help="only this unit (repeatable)")
    p.add_argument("--field", help="only this field (lĩnh vực)")
    p.add_argument("--procedure", help="only this procedure code")
    p.add_argument("--csv", type=Path, help="write the figures as CSV (UTF-8 with BOM)")
    p.add_argument("--chart", type=Path, help="write the PNG chart of the period (by week; a quarter by month)")
    p.add_argument("--language", choices=["vi", "en"], default="vi")
    p.add_argument("--scorecard", action="store_true",
                   help="the 766 scorecard of the period instead (--csv and --chart write its CSV and one-page PNG)")
    p.add_argument("--load-sample", type=int, metavar="N",
                   help="DEMO ONLY: insert N synthetic dossiers (codes MAU-…) and N/5 ratings over the last 12 weeks")
    return p


def _load_sample(db: Database, count: int) -> None:
    with db.session() as s:
        first_id = (s.scalar(select(func.max(Dossier.id))) or 0) + 1
    end = clock.now()
    spec = SampleSpec(dossiers=count, ratings=count // 5, start=end - timedelta(weeks=12), end=end,
                      seed=int(end.timestamp()), first_id=first_id)
    with db.engine.begin() as conn:
        insert_sample(conn, spec)
    print(f"inserted SAMPLE DATA: {count} dossiers (MAU-{first_id:08d}…), {count // 5} ratings")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``python -m bot report``; returns the exit code."""
    db = Database(settings.database_url)
    create_schema(db)
    try:
        if args.load_sample:
            _load_sample(db, args.load_sample)
        start = args.start or local_date(clock.now(), settings.zone)
        if args.scorecard:
            return _scorecard(db, settings, args, start)
        with db.session() as s:
            report = compute_report(s, period=args.period, start=start, settings=settings, group_by=args.by,
                                    units=args.unit, field=args.field, procedure=args.procedure)
            series = []
            if args.chart:
                points = chart_periods(period_of(args.period, start), settings.reports.chart_weeks)
                series = compute_series(s, points, settings, args.unit)
        print(_plain(report_text(report, args.language)))
        if args.csv:
            args.csv.write_bytes(report_csv(report))
            print(f"CSV: {args.csv}")
        if args.chart:
            png = weekly_chart(series, args.language)
            if png is None:
                print("no chart: no data in these weeks", file=sys.stderr)
            else:
                args.chart.write_bytes(png)
                print(f"chart: {args.chart}")
        return 0
    finally:
        db.dispose()


def _plain(text: str) -> str:
    return html.unescape(_TAGS.sub("", text))


def _scorecard(db: Database, settings: Settings, args: argparse.Namespace, start: date) -> int:
    with db.session() as s:
        card = compute_scorecard(s, period_of(args.period, start), settings, units=args.unit)
    print(_plain(scorecard_text(card, args.language)))
    if args.csv:
        args.csv.write_bytes(scorecard_csv(card))
        print(f"CSV: {args.csv}")
    if args.chart:
        args.chart.write_bytes(scorecard_png(card, args.language))
        print(f"PNG: {args.chart}")
    return 0
