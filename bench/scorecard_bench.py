"""Benchmark: the 766 scorecard (October 2026, every unit) over 1,000,000 dossiers and 200,000 ratings.

    .venv/bin/python bench/scorecard_bench.py                         # 1,000,000 dossiers, both databases
    .venv/bin/python bench/scorecard_bench.py --dossiers 200000 --databases sqlite
    .venv/bin/python bench/scorecard_bench.py --keep /tmp/scorecard-bench   # generate once, reuse after

With ``--keep FOLDER`` the generated data is kept (SQLite: under ``FOLDER/scorecard_bench_<dossiers>_<ratings>-sqlite``;
PostgreSQL: schema ``scorecard_bench_<dossiers>_<ratings>``) and reused by the next run with the same sizes; the
schema is upgraded to the newest revision (new indexes included) and ANALYZEd before measuring (``bench/measure.py``).

Data: SAMPLE rows spread over 2026 (``bot/reports/sample.py``: supplements, filing channel, payment and
digitisation included), bulk-inserted (executemany on SQLite, COPY on PostgreSQL), plus a complaint for every
rating of 1 or 2 (answered after 0–30 days, or not yet). Each measurement runs in a FRESH child process and
reports wall time and VmHWM (peak resident memory of that process, from /proc/self/status); ``--runs`` runs each,
min / median / max (``--runs``, default 3). Beside it, in the same run and the same kind of child process:

- FLOOR: one raw SQL aggregate (the dossiers received in the month counted by unit, ``SELECT unit, count(*),
  sum(...) … GROUP BY unit``) — the least any scorecard must do;
- EMPTY: a child that imports the scorecard code and connects, then computes nothing (the memory floor).

Every child connects and loads the office's holiday calendar before the clock starts (once per process, as in
the running assistant; about 0.6 s at its first use).

PostgreSQL: ``$TEST_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/test), in a private schema.
Target: ≤ 2 s and ≤ 300 MB.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Case, analyze, bench_main, spread
from sqlalchemy import insert, select, text

from bot.config import Settings
from bot.dossiers.calendar import WorkCalendar
from bot.feedback.models import Complaint, Rating
from bot.reports.periods import period_of
from bot.reports.sample import SampleSpec, insert_sample
from bot.reports.scorecard import compute_scorecard
from bot.schema import create_schema
from bot.storage.db import Database

MONTH = date(2026, 10, 1)
SETTINGS = Settings()
TARGET_S, TARGET_MB = 2.0, 300


def _floor(db: Database) -> int:
    """FLOOR: the raw aggregate every scorecard needs at least (one pass over the month's dossiers)."""
    start, end = period_of("month", MONTH).utc_bounds(SETTINGS.zone)
    sql = text("SELECT unit, count(*), sum(CASE WHEN finished_at <= due_at THEN 1 ELSE 0 END) FROM dossiers "
               "WHERE received_at >= :start AND received_at < :end GROUP BY unit")
    with db.session() as s:
        return len(s.execute(sql, {"start": start, "end": end}).all())


def measure(case: Case, what: str) -> dict[str, Any]:
    """Child process: one measurement (the scorecard, the floor, or nothing)."""
    db = Database(case.url)
    with db.session() as s:
        s.execute(text("SELECT 1"))
    # once per process, as in the running assistant: the holiday table (≈ 0.6 s at its first use)
    calendar = WorkCalendar.from_settings(SETTINGS)
    calendar.add_working_days(datetime(2026, 10, 1, tzinfo=UTC), 1)
    began = time.perf_counter()
    result: object = None
    if what == "scorecard":
        with db.session() as s:
            card = compute_scorecard(s, period_of("month", MONTH), SETTINGS, now=datetime(2026, 11, 23, tzinfo=UTC),
                                     calendar=calendar)
        result = {"units": len(card.units), "points": card.office.points,
                  "components": [[c.numerator, c.denominator] for c in card.office.components]}
    elif what == "floor":
        result = _floor(db)
    seconds = time.perf_counter() - began
    db.dispose()
    return {"seconds": seconds, "result": result}


def fill(case: Case) -> str:
    """Sample dossiers and ratings over 2026, and a complaint for every rating of 1 or 2."""
    dossiers, ratings = case.args.dossiers, case.args.ratings
    db = Database(case.url)
    create_schema(db)
    spec = SampleSpec(dossiers=dossiers, ratings=ratings, start=datetime(2026, 1, 1, tzinfo=UTC),
                      end=datetime(2027, 1, 1, tzinfo=UTC))
    began = time.perf_counter()
    with db.engine.begin() as conn:
        insert_sample(conn, spec)
        rnd = random.Random(5)
        bad = conn.execute(select(Rating.id, Rating.unit, Rating.created_at).where(Rating.score <= 2)
                           .order_by(Rating.id)).all()
        rows = [{"rating_id": i, "unit": unit, "kind": "complaint", "status": "answered",
                 "created_at": created, "answered_at": created + timedelta(days=rnd.randint(0, 30))}
                for i, unit, created in bad]
        for row in rows[::4]:
            row.update(status="open", answered_at=None)
        if rows:
            conn.execute(insert(Complaint.__table__), rows)
    analyze(db.engine)
    db.dispose()
    return f"bulk insert (dossiers, apologies, ratings, complaints): {time.perf_counter() - began:.1f} s"


def _stats(label: str, runs: list[dict[str, Any]]) -> str:
    return (f"  {label:<34} time {spread([r['seconds'] for r in runs], unit=' s')}   VmHWM "
            f"{spread([r['peak_rss_mb'] for r in runs], '{:.0f}', ' MB')}")


def compare(case: Case) -> None:
    """The scorecard, the floor and the empty child, ``--runs`` fresh processes each, and the verdict."""
    runs = {what: case.runs(what) for what in ("scorecard", "floor", "empty")}
    print(_stats("766 scorecard (all components)", runs["scorecard"]))
    print(_stats("FLOOR: one raw SQL aggregate", runs["floor"]))
    print(_stats("EMPTY: imports + connection only", runs["empty"]))
    office = runs["scorecard"][0]["result"]
    print(f"  office: {office['points'][0]:.1f}/{office['points'][1]:g} points over {office['units']} "
          f"units; components {office['components']}")
    worst_s = max(r["seconds"] for r in runs["scorecard"])
    worst_mb = max(r["peak_rss_mb"] for r in runs["scorecard"])
    ok = worst_s <= TARGET_S and worst_mb <= TARGET_MB
    print(f"  target ≤ {TARGET_S:g} s and ≤ {TARGET_MB} MB (worst run {worst_s:.2f} s, {worst_mb:.0f} MB): "
          + ("OK" if ok else "MISSED"))


def main() -> int:
    """Parse arguments and run the benchmark."""
    return bench_main(
        __file__, __doc__ or "", sizes={"dossiers": 1_000_000, "ratings": 200_000}, fill=fill, measure=measure,
        compare=compare,
        headline=lambda a: (f"766 scorecard, October 2026, every unit; {a.dossiers:,} dossiers, {a.ratings:,} "
                            f"ratings; {a.runs} fresh processes each; target ≤ {TARGET_S:g} s, ≤ {TARGET_MB} MB"),
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
