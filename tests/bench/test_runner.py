"""The shared benchmark runner (bench/measure.py): a kept database is generated once, then reused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _morning(keep: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "morning_bench.py"), "--rows", "300", "--runs", "1",
                          "--databases", "sqlite", "--keep", str(keep)], capture_output=True, text=True, env=env,
                         check=True)  # fmt: skip
    return out.stdout


def test_a_kept_database_is_filled_once_and_reused(tmp_path: Path) -> None:
    first = _morning(tmp_path)
    assert "command: .venv/bin/python bench/morning_bench.py --rows 300" in first
    assert "load 300 open dossiers" in first and "rows 505" in first and "FLOOR" in first
    assert (tmp_path / "morning_bench_300-sqlite" / "morning_bench_300.db").exists()
    second = _morning(tmp_path)
    assert "reusing the data kept by an earlier run" in second and "load 300" not in second
    assert "rows 505" in second  # every alert composed again from an emptied outbox
