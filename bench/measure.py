"""Shared benchmark helpers: fresh-process runs, the process's own peak memory, min / median / max.

A figure measured in the benchmark's own process carries whatever that process did before (data
generation, earlier runs); so each run goes to a fresh child (``fresh``), which reports its own peak RSS
(``VmHWM`` from /proc/self/status — ``ru_maxrss`` would be inherited across fork+exec) as JSON.
"""

from __future__ import annotations

import json
import os
import shlex
import statistics
import subprocess
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text

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
    """A fresh database for one benchmark: a SQLite file in ``folder`` or a private PostgreSQL schema
    (``$TEST_DATABASE_URL``), dropped by ``drop``."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind = kind
        if kind == "sqlite":
            self.url = f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:6]}.db'}"
            return
        self.schema = "bench_" + uuid.uuid4().hex[:10]
        self.admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        with self.admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        sep = "&" if "?" in PG_URL else "?"
        self.url = f"{PG_URL}{sep}options=-csearch_path%3D{self.schema}"

    def drop(self) -> None:
        """Drop the PostgreSQL schema (the SQLite file goes with its folder)."""
        if self.kind == "postgres":
            with self.admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
            self.admin.dispose()
