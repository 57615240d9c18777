"""Real records of the national portal export, kept in the repository, for parser and conversation tests.

``bot/catalog/data/portal_records.jsonl`` holds, unchanged, the records of ``shared/data/dvc_procedures.jsonl.gz``
that the tests need, so the tests run from the repository alone.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from bot.catalog.model import Procedure
from bot.catalog.record import build_procedure

PORTAL_RECORDS = Path(__file__).resolve().parent / "bot" / "catalog" / "data" / "portal_records.jsonl"


@cache
def portal_records() -> dict[str, dict[str, Any]]:
    """The saved records by procedure code."""
    with PORTAL_RECORDS.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return {row["ma_thu_tuc"]: row for row in rows}


def portal_procedure(code: str) -> Procedure:
    """The procedure the importer builds from the saved record ``code``."""
    return build_procedure(portal_records()[code]).procedure
