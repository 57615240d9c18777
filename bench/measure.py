"""Shared benchmark helpers: fresh-process runs, the process's own peak memory, min / median / max, and
the one runner (:func:`bench_main`) every database benchmark uses for its arguments and per-database loop.

A figure measured in the benchmark's own process carries whatever that process did before (data
generation, earlier runs); so each run goes to a fresh child (``fresh``), which reports its own peak RSS
(``VmHWM`` from /proc/self/status — ``ru_maxrss`` would be inherited across fork+exec) as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def peak_mb() -> float:
    """This process's own peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def fresh(script: str, *args: str) -> dict[str, Any]:
    """Run ``script args`` in a fresh interpreter; its last stdout line is the JSON result."""
    out = subprocess.run([sys.executable, script, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def repeat(runs: int, script: str, *args: str) -> list[dict[str, Any]]:
    """``runs`` results of ``script args``, each in a fresh process."""
    return [fresh(script, *args) for _ in range(runs)]


def spread(values: Sequence[float], fmt: str = "{:.2f}", unit: str = "") -> str:
    """``min X / median Y / max Z unit`` over the runs."""
    lo, mid, hi = min(values), statistics.median(values), max(values)
    return f"min {fmt.format(lo)} / median {fmt.format(mid)} / max {fmt.format(hi)}{unit}"


def percentile(samples: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0–1) of ``samples``, nearest rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def print_command(script: str) -> None:
    """Print the command line that produced the output."""
    print("command: .venv/bin/python " + shlex.join([script, *sys.argv[1:]]))


class SqlRecorder:
    """Records the SQL and parameters an engine sends, to replay them through the raw driver (a floor)."""

    def __init__(self, engine: Engine) -> None:
        self.statements: list[tuple[str, Any]] = []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                _executemany: bool) -> None:
        self.statements.append((statement, parameters))


def replay(dbapi_connection: Any, statements: Sequence[tuple[str, Any]]) -> int:
    """Execute recorded statements on a raw DBAPI connection, fetching every row; the rows fetched."""
    rows = 0
    cur = dbapi_connection.cursor()
    for statement, parameters in statements:
        cur.execute(statement, parameters)
        if cur.description is not None:
            rows += len(cur.fetchall())
    cur.close()
    dbapi_connection.rollback()
    return rows


class Target:
    """A database for one benchmark: a SQLite file in ``folder`` or a PostgreSQL schema (``$TEST_DATABASE_URL``).
    Fresh and private unless ``kept`` names it (``folder/<kept>.db`` or schema ``<kept>``, reused by later
    runs); ``drop`` removes a fresh one."""

    def __init__(self, kind: str, folder: Path, kept: str | None = None) -> None:
        self.kind, self.kept = kind, kept
        if kind == "sqlite":
            self.url = f"sqlite:///{folder / ((kept or 'bench-' + uuid.uuid4().hex[:6]) + '.db')}"
            return
        self.schema = kept or "bench_" + uuid.uuid4().hex[:10]
        self.admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        with self.admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
        sep = "&" if "?" in PG_URL else "?"
        self.url = f"{PG_URL}{sep}options=-csearch_path%3D{self.schema}"

    def drop(self) -> None:
        """Drop a fresh PostgreSQL schema (a SQLite file goes with its folder; a kept database stays)."""
        if self.kind == "postgres":
            if not self.kept:
                with self.admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
            self.admin.dispose()


@dataclass(frozen=True)
class Case:
    """One database of a benchmark run: its URL, a folder for side files kept with it, the parsed arguments."""

    script: str
    kind: str
    url: str
    data: Path
    args: argparse.Namespace

    def runs(self, what: str, *extra: str) -> list[dict[str, Any]]:
        """``--runs`` results of measuring ``what`` on this database, each in a fresh process."""
        return repeat(self.args.runs, self.script, "--measure", self.url, "--data", str(self.data), "--what", what,
                      *extra)  # fmt: skip


def refresh(url: str) -> None:
    """A kept database: upgraded to the newest revision (new indexes included), statistics refreshed."""
    from bot.schema import create_schema  # the benchmarks put the project on sys.path first
    from bot.storage.db import Database

    db = Database(url)
    create_schema(db)
    analyze(db.engine)
    db.dispose()


def analyze(engine: Engine) -> None:
    """Fresh planner statistics (PostgreSQL: VACUUM too, so index-only scans see a clean visibility map)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def _has_tables(url: str) -> bool:
    from bot.storage.db import Database

    db = Database(url)
    try:
        return bool(inspect(db.engine).get_table_names())
    finally:
        db.dispose()


@contextmanager
def _database(kind: str, folder: Path, keep: Path | None, name: str) -> Iterator[tuple[Target, Path, bool]]:
    """The database to measure, its side-file folder, and whether an earlier run filled it (``--keep``)."""
    data = (keep or folder) / f"{name}-{kind}"
    data.mkdir(parents=True, exist_ok=True)
    target = Target(kind, data, kept=name if keep else None)
    try:
        ready = keep is not None and (data / READY).exists() and _has_tables(target.url)
        yield target, data, ready
    finally:
        target.drop()


READY = "filled"  # marker written in the side-file folder once the data is complete


def bench_main(
    script: str,
    doc: str,
    *,
    sizes: dict[str, int],
    headline: Callable[[argparse.Namespace], str],
    fill: Callable[[Case], str],
    measure: Callable[[Case, str], dict[str, Any]],
    compare: Callable[[Case], None],
) -> int:
    """The command line and per-database loop shared by the database benchmarks.

    Options: one ``--<size>`` per entry of ``sizes``, ``--runs`` (fresh processes per figure, default 3),
    ``--databases`` (default ``sqlite,postgres``) and ``--keep FOLDER`` (generate once, reuse after: the
    database is upgraded and ANALYZEd before measuring). The parent prints the command and ``headline``, then
    for each database fills it (``fill`` returns a line to print) unless kept, and calls ``compare``, which
    runs fresh children through :meth:`Case.runs`; a child calls ``measure(case, what)`` and prints its result
    as JSON with its own peak memory (``peak_rss_mb``, VmHWM)."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    for size, default in sizes.items():
        p.add_argument(f"--{size}", type=int, default=default)
    p.add_argument("--runs", type=int, default=3, help="fresh processes per figure")
    p.add_argument("--databases", default="sqlite,postgres")
    p.add_argument("--keep", type=Path, help="keep the generated databases in this folder and reuse them")
    for hidden in ("--measure", "--data", "--what"):
        p.add_argument(hidden, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.measure:
        kind = "postgres" if args.measure.startswith("postgresql") else "sqlite"
        result = measure(Case(script, kind, args.measure, Path(args.data), args), args.what)
        print(json.dumps({**result, "peak_rss_mb": peak_mb()}))
        return 0
    print_command("bench/" + Path(script).name)
    print(headline(args))
    name = Path(script).stem + "_" + "_".join(str(getattr(args, size)) for size in sizes)
    with tempfile.TemporaryDirectory() as folder:
        for kind in args.databases.split(","):
            print(f"\n[{kind}]")
            with _database(kind, Path(folder), args.keep, name) as (target, data, ready):
                case = Case(script, kind, target.url, data, args)
                if ready:
                    refresh(target.url)
                    print("  reusing the data kept by an earlier run (schema upgraded, statistics refreshed)")
                else:
                    print("  " + fill(case))
                    (data / READY).write_text("")
                compare(case)
                sys.stdout.flush()
    return 0
