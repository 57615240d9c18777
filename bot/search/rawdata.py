"""Fallback: build minimal Procedure objects straight from the raw portal dump (jsonl.gz).

Used by the benchmark and the integration test when the generated catalog is not available.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from bot.catalog.model import Level, Procedure

_LEVELS = {lv.value: lv for lv in Level}


def procedures_from_jsonl(path: str | Path) -> Iterator[Procedure]:
    """Procedures (code, name, levels, field, result) from ``dvc_procedures.jsonl.gz``."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            levels = [_LEVELS[x] for x in row.get("cap_thuc_hien", "").split(", ") if x in _LEVELS]
            yield Procedure(
                code=row["ma_thu_tuc"],
                name=row["ten_thu_tuc"].strip(),
                levels=levels or [Level.OTHER],
                field=row.get("linh_vuc") or "Khác",
                result=row.get("ket_qua_xu_ly", "").split("Mã:", 1)[0].strip(),
            )
