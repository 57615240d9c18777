"""The importer's database contents after a sequence of imports match a fixture recorded from the row-by-row
importer (inserts, updates, status history, apologies added and changed, reversals, computed due dates), on
SQLite and PostgreSQL. Regenerate with ``IMPORT_FIXTURE_WRITE=1`` only after a deliberate change."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.catalog.model import Channel, Duration, FilingWay, Level, Procedure, TimeUnit
from bot.clock import ManualClock
from bot.dossiers.importer import ImportResult, import_dossiers
from bot.dossiers.models import Apology, Dossier, DossierEvent
from bot.storage.db import Database

from .conftest import SAMPLES, write_csv
from .test_importer import HEADER, row

FIXTURE = Path(__file__).resolve().parent / "data" / "import_equivalence.json"
PROCEDURES = {
    "1.004222": Procedure(
        code="1.004222",
        name="Đăng ký thường trú",
        levels=[Level.COMMUNE],
        field="Cư trú",
        ways=[FilingWay(channel=Channel.IN_PERSON, time=Duration(amount=7, unit=TimeUnit.WORKING_DAYS))],
    )
}
LATE = {"apologySentDate": "05/03/2026 16:00:00", "newAppointmentDate": "10/03/2026 17:00:00"}


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def contents(db: Database) -> dict[str, Any]:
    """Every stored event and apology, keyed by dossier code (ids may differ between paths); the dossiers of
    the small files in full, the others as one fingerprint (the fixture stays small)."""
    skip = {"id"}
    with db.session() as s:
        codes = dict(s.execute(select(Dossier.id, Dossier.code)).all())
        dossiers = {
            d.code: {c.key: _text(getattr(d, c.key)) for c in Dossier.__table__.columns if c.key not in skip}
            for d in s.scalars(select(Dossier).order_by(Dossier.code))
        }
        events = [
            [codes[e.dossier_id], _text(e.at), e.old_status, e.new_status, e.status_text, e.source]
            for e in s.scalars(select(DossierEvent).order_by(DossierEvent.id))
        ]
        apologies = sorted(
            [codes[a.dossier_id], _text(a.sent_at), _text(a.new_due_at), a.reason] for a in s.scalars(select(Apology))
        )
    small = {code: d for code, d in dossiers.items() if code.startswith("E-")}
    rest = json.dumps([d for code, d in dossiers.items() if code not in small], ensure_ascii=False, sort_keys=True)
    return {
        "dossiers": small,
        "others": [len(dossiers) - len(small), hashlib.sha256(rest.encode("utf-8")).hexdigest()],
        "events": events,
        "apologies": apologies,
    }


def summary(result: ImportResult) -> dict[str, Any]:
    return {
        "counts": [result.inserted, result.updated, result.unchanged, result.due_computed, result.applied],
        "changes": [[c.code, c.old, c.new] for c in result.status_changes],
        "rejected": [[r.line, r.reason, r.column] for r in result.rejected],
        "unknown": dict(sorted(result.unknown_statuses.items())),
    }


def _scenario(db: Database, settings: Any, folder: Path, clock: ManualClock, chunk_rows: int) -> list[dict[str, Any]]:
    """Imports that exercise every write the importer makes; the summary and contents after each."""
    steps: list[dict[str, Any]] = []

    def run(path: Path, **kw: Any) -> None:
        result = import_dossiers(db, path, settings=settings, procedures=PROCEDURES, chunk_rows=chunk_rows, **kw)
        steps.append({"file": path.name, "result": summary(result), "db": contents(db)})
        clock.advance(3600)

    run(SAMPLES / "dossiers-sample.json")
    run(SAMPLES / "dossiers-sample.csv", mapping_path=SAMPLES / "mapping-example.toml", source_name="csv export")
    rows = [
        row("E-1", apologyReason="Chờ xác minh", **LATE),
        row("E-2", "Đã trả kết quả"),
        row("E-3", procedureCode="1.004222", appointmentDate="", acceptedDate="12/02/2026 16:00:00"),
        row("E-4"),
    ]
    run(write_csv(folder / "1.csv", HEADER, rows))
    rows = [
        row("E-1", "Đã có kết quả", apologyReason="Chờ ý kiến cơ quan khác", **LATE),  # apology changed
        row("E-2", "Đang xử lý"),  # a reversal: refused
        row("E-4", apologySentDate="06/03/2026 08:00:00", apologyReason="Hệ thống"),  # apology added
        row("E-5", "Chờ bổ sung", apologyReason="Mới", **LATE),  # new with an apology
        row("E-3", procedureCode="1.004222", appointmentDate="", acceptedDate="12/02/2026 16:00:00"),  # unchanged
    ]
    path = write_csv(folder / "2.csv", HEADER, rows)
    run(path)
    run(path, dry_run=True, allow_status_reversal=True)
    run(path, allow_status_reversal=True, source_name="export 2")
    run(path)  # everything unchanged now
    return steps


@pytest.mark.parametrize("chunk_rows", [5000, 2])
def test_imports_match_the_recorded_fixture(database, settings, tmp_path, manual_clock, chunk_rows):
    steps = _scenario(database, settings, tmp_path, manual_clock, chunk_rows)
    if os.environ.get("IMPORT_FIXTURE_WRITE") and chunk_rows == 5000:
        FIXTURE.write_text(json.dumps(steps, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert len(steps) == len(expected)
    for got, want in zip(steps, expected, strict=True):
        assert got["file"] == want["file"]
        assert got["result"] == want["result"], got["file"]
        assert got["db"]["events"] == want["db"]["events"], got["file"]
        assert got["db"]["apologies"] == want["db"]["apologies"], got["file"]
        assert got["db"]["dossiers"] == want["db"]["dossiers"], got["file"]
        assert got["db"]["others"] == want["db"]["others"], got["file"]
