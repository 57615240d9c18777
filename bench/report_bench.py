"""Benchmark: the monthly report over 1,000,000 dossiers and 200,000 ratings, on SQLite and PostgreSQL.

    .venv/bin/python bench/report_bench.py                      # 1,000,000 dossiers, 200,000 ratings
    .venv/bin/python bench/report_bench.py --dossiers 100000 --databases sqlite

Data: SAMPLE rows spread over 2026 (``bot/reports/sample.py``), bulk-inserted (executemany on SQLite, COPY
on PostgreSQL). The report (October 2026, grouped by unit) runs ``--runs`` times, each in a fresh process
reporting its own peak RSS (VmHWM, ``bench/measure.py``). FLOOR, same run, same indexes: the SQL the report
sends, recorded once, replayed by the raw driver (no ORM, no Python aggregation), also in fresh processes.
PostgreSQL: ``$TEST_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/test), in a private schema.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import SqlRecorder, Target, peak_mb, print_command, repeat, replay, spread
from sqlalchemy import text

from bot.config import Settings
from bot.reports.compute import compute_report
from bot.reports.sample import SampleSpec, insert_sample
from bot.schema import create_schema
from bot.storage.db import Database

MONTH = date(2026, 10, 1)
SETTINGS = Settings()


def measure(url: str, floor: str | None) -> None:
    """Child process: one report through the application (or the floor: its recorded SQL replayed through
    the raw driver), printed as JSON with this process's own peak memory."""
    db = Database(url)
    with db.session() as s:  # connect first, so the figures do not include the connection
        s.execute(text("SELECT 1"))
    before = peak_mb()
    began = time.perf_counter()
    if floor:
        statements = pickle.loads(Path(floor).read_bytes())
        raw = db.engine.raw_connection()
        replay(raw, statements)
        raw.close()
        figures: dict[str, list[int]] = {}
    else:
        with db.session() as s:
            figures = _figures(compute_report(s, period="month", start=MONTH, settings=SETTINGS))
    seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_mb(), "growth_mb": peak_mb() - before,
                      "figures": figures}))
    db.dispose()


def _figures(report) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    return {r.key: [r.figures.received, r.figures.finished, r.figures.on_time, r.figures.late,
                    r.figures.late_with_apology, r.figures.ratings, r.figures.satisfied] for r in report.rows}


def _record(url: str, path: Path) -> None:
    """The SQL the report sends, saved for the floor to replay."""
    db = Database(url)
    recorder = SqlRecorder(db.engine)
    with db.session() as s:
        compute_report(s, period="month", start=MONTH, settings=SETTINGS)
    path.write_bytes(pickle.dumps(recorder.statements))
    db.dispose()


def _fill(url: str, dossiers: int, ratings: int) -> float:
    db = Database(url)
    create_schema(db)
    spec = SampleSpec(dossiers=dossiers, ratings=ratings, start=datetime(2026, 1, 1, tzinfo=UTC),
                      end=datetime(2027, 1, 1, tzinfo=UTC))
    began = time.perf_counter()
    with db.engine.begin() as conn:
        insert_sample(conn, spec)
        conn.exec_driver_sql("ANALYZE")
    seconds = time.perf_counter() - began
    db.dispose()
    return seconds


def _row(label: str, results: list[dict]) -> str:  # type: ignore[type-arg]
    return (f"  {label:<44} {spread([r['seconds'] for r in results], unit=' s')}   peak RSS "
            f"{spread([r['peak_rss_mb'] for r in results], '{:.0f}', ' MB')}")


def main() -> int:
    """Parse arguments and run the benchmark."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dossiers", type=int, default=1_000_000)
    p.add_argument("--ratings", type=int, default=200_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--databases", default="sqlite,postgres")
    p.add_argument("--measure", help=argparse.SUPPRESS)
    p.add_argument("--floor", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.measure:
        measure(args.measure, args.floor)
        return 0
    print_command("bench/report_bench.py")
    print(f"monthly report (October 2026, by unit); target ≤ 5 s for {args.dossiers:,} dossiers; "
          f"{args.runs} runs each, every run in a fresh process")
    with tempfile.TemporaryDirectory() as folder:
        for kind in args.databases.split(","):
            print(f"\n[{kind}]")
            big = Target(kind, Path(folder))
            try:
                fill = _fill(big.url, args.dossiers, args.ratings)
                print(f"  bulk insert {args.dossiers:,} dossiers + {args.ratings:,} ratings: {fill:.1f} s")
                recorded = Path(folder) / f"{kind}.sql.pickle"
                _record(big.url, recorded)
                report = repeat(args.runs, __file__, "--measure", big.url)
                floor = repeat(args.runs, __file__, "--measure", big.url, "--floor", str(recorded))
                print(_row("SQL report through the application", report))
                print(_row("FLOOR: its SQL replayed by the raw driver", floor))
                verdict = "OK" if max(r["seconds"] for r in report) <= 5 else "SLOWER THAN TARGET"
                print(f"  target ≤ 5 s: {verdict}")
            finally:
                big.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
