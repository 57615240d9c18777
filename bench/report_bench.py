"""Benchmark: the monthly report over 1,000,000 dossiers and 200,000 ratings, on SQLite and PostgreSQL.

    .venv/bin/python bench/report_bench.py                      # 1,000,000 dossiers, 200,000 ratings
    .venv/bin/python bench/report_bench.py --dossiers 100000 --databases sqlite
    .venv/bin/python bench/report_bench.py --keep /tmp/bench-keep   # generate once, reuse after

Data: SAMPLE rows spread over 2026 (``bot/reports/sample.py``), bulk-inserted (executemany on SQLite, COPY
on PostgreSQL). The report (October 2026, grouped by unit) runs ``--runs`` times, each in a fresh process
reporting its own peak RSS (VmHWM, ``bench/measure.py``). FLOOR, same run, same indexes: the SQL the report
sends, recorded once, replayed by the raw driver (no ORM, no Python aggregation), also in fresh processes.
PostgreSQL: ``$TEST_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/test), in a private schema.
"""

from __future__ import annotations

import pickle
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Case, SqlRecorder, analyze, bench_main, peak_mb, replay, spread
from sqlalchemy import text

from bot.config import Settings
from bot.reports.compute import compute_report
from bot.reports.sample import SampleSpec, insert_sample
from bot.schema import create_schema
from bot.storage.db import Database

MONTH = date(2026, 10, 1)
SETTINGS = Settings()


def measure(case: Case, what: str) -> dict[str, Any]:
    """Child process: one report through the application (or the floor: its recorded SQL replayed through
    the raw driver)."""
    db = Database(case.url)
    with db.session() as s:  # connect first, so the figures do not include the connection
        s.execute(text("SELECT 1"))
    before = peak_mb()
    began = time.perf_counter()
    if what == "floor":
        statements = pickle.loads((case.data / RECORDED).read_bytes())
        raw = db.engine.raw_connection()
        replay(raw, statements)
        raw.close()
        figures: dict[str, list[int]] = {}
    else:
        with db.session() as s:
            figures = _figures(compute_report(s, period="month", start=MONTH, settings=SETTINGS))
    seconds = time.perf_counter() - began
    db.dispose()
    return {"seconds": seconds, "growth_mb": peak_mb() - before, "figures": figures}


def _figures(report) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    return {r.key: [r.figures.received, r.figures.finished, r.figures.on_time, r.figures.late,
                    r.figures.late_with_apology, r.figures.ratings, r.figures.satisfied] for r in report.rows}


RECORDED = "report.sql.pickle"


def _record(case: Case) -> None:
    """The SQL the report sends, saved for the floor to replay."""
    db = Database(case.url)
    recorder = SqlRecorder(db.engine)
    with db.session() as s:
        compute_report(s, period="month", start=MONTH, settings=SETTINGS)
    (case.data / RECORDED).write_bytes(pickle.dumps(recorder.statements))
    db.dispose()


def fill(case: Case) -> str:
    """``--dossiers`` sample dossiers and ``--ratings`` ratings over 2026."""
    dossiers, ratings = case.args.dossiers, case.args.ratings
    db = Database(case.url)
    create_schema(db)
    spec = SampleSpec(dossiers=dossiers, ratings=ratings, start=datetime(2026, 1, 1, tzinfo=UTC),
                      end=datetime(2027, 1, 1, tzinfo=UTC))
    began = time.perf_counter()
    with db.engine.begin() as conn:
        insert_sample(conn, spec)
    analyze(db.engine)
    db.dispose()
    return f"bulk insert {dossiers:,} dossiers + {ratings:,} ratings: {time.perf_counter() - began:.1f} s"


def _row(label: str, results: list[dict[str, Any]]) -> str:
    return (f"  {label:<44} {spread([r['seconds'] for r in results], unit=' s')}   peak RSS "
            f"{spread([r['peak_rss_mb'] for r in results], '{:.0f}', ' MB')}")


def compare(case: Case) -> None:
    """The report and its SQL replayed by the raw driver, ``--runs`` fresh processes each, and the verdict."""
    _record(case)
    report, floor = case.runs("report"), case.runs("floor")
    print(_row("SQL report through the application", report))
    print(_row("FLOOR: its SQL replayed by the raw driver", floor))
    print(f"  target ≤ 5 s: {'OK' if max(r['seconds'] for r in report) <= 5 else 'SLOWER THAN TARGET'}")


def main() -> int:
    """Parse arguments and run the benchmark."""
    return bench_main(
        __file__, __doc__ or "", sizes={"dossiers": 1_000_000, "ratings": 200_000}, fill=fill, measure=measure,
        compare=compare,
        headline=lambda a: (f"monthly report (October 2026, by unit); target ≤ 5 s for {a.dossiers:,} dossiers; "
                            f"{a.runs} runs each, every run in a fresh process"),
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
