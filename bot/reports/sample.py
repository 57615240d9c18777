"""SAMPLE DATA for reports: synthetic dossiers, apologies and ratings, bulk-inserted.

Used by the report tests (figures checked against values computed by hand from the same rows), by the
benchmark (1,000,000 dossiers) and by ``python -m bot report --sample`` for a demo. Every code starts
with ``MAU-`` and every unit name ends with "(mẫu)", so sample rows are easy to recognise and delete.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert

from bot.dossiers.models import Apology, Dossier
from bot.feedback.models import Rating

UNITS = (
    "UBND phường An Bình (mẫu)",
    "UBND xã Tân Lập (mẫu)",
    "Chi nhánh Văn phòng đăng ký đất đai khu vực Bắc Sông Hồng (mẫu)",
    "Công an phường Hòa Bình (mẫu)",
    "UBND phường Trung Tâm (mẫu)",
)
PROCEDURES = (
    ("1.001193", "Hộ tịch"), ("1.000894", "Hộ tịch"), ("1.004222", "Đăng ký, quản lý cư trú"),
    ("1.012786", "Đất đai"), ("2.000815", "Chứng thực"), ("1.014061", "Cấp, quản lý căn cước"),
)
CHUNK = 20_000


@dataclass(frozen=True, slots=True)
class SampleSpec:
    """What to generate: counts, the time span and the random seed."""

    dossiers: int
    ratings: int
    start: datetime
    end: datetime
    seed: int = 20261001
    units: Sequence[str] = UNITS
    late_share: float = 0.06
    open_share: float = 0.08
    apology_share: float = 0.7
    supplement_weights: tuple[int, int, int] = (80, 15, 5)  # supplements requested 0, 1, 2 times
    online_share: float = 0.5  # filed online (three in five of them fully)
    fee_share: float = 0.6  # fee-bearing dossiers (two in three of them paid online)
    first_id: int = 1  # dossier ids are first_id … first_id + dossiers - 1


def dossier_rows(spec: SampleSpec) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    """``(dossier, apology or None)`` rows, ids from ``spec.first_id``."""
    rnd = random.Random(spec.seed)
    span = (spec.end - spec.start).total_seconds()
    for i in range(spec.first_id, spec.first_id + spec.dossiers):
        code, field = PROCEDURES[rnd.randrange(len(PROCEDURES))]
        received = spec.start + timedelta(seconds=rnd.random() * span)
        due = received + timedelta(days=rnd.choice((1, 3, 5, 7, 10, 15)))
        finished = returned = None
        status = "processing"
        if rnd.random() >= spec.open_share:
            late = rnd.random() < spec.late_share
            finished = due + timedelta(hours=rnd.randint(1, 240)) if late else received + (
                due - received) * rnd.uniform(0.2, 1.0)
            returned = finished + timedelta(hours=rnd.randint(0, 48)) if rnd.random() < 0.8 else None
            status = "returned" if returned else "done"
        apology = None
        late = due < spec.end if finished is None else finished > due
        if late and rnd.random() < spec.apology_share:
            apology = {"dossier_id": i, "sent_at": due - timedelta(hours=4), "new_due_at": due + timedelta(days=5),
                       "reason": "Hồ sơ cần xác minh thêm (mẫu)"}
        yield {
            "id": i, "code": f"MAU-{i:08d}", "procedure_code": code, "procedure_name": "", "field": field,
            "unit": spec.units[rnd.randrange(len(spec.units))], "officer": "", "applicant_name": "",
            "phone_digest": "", "id_number_digest": "", "received_at": received, "due_at": due,
            "due_computed": False, "finished_at": finished, "returned_at": returned, "status": status,
            "status_text": "", "current_step": "", "is_open": finished is None, "content_hash": "",
            "updated_at": received, **_scorecard_columns(spec, rnd),
        }, apology


def _scorecard_columns(spec: SampleSpec, rnd: random.Random) -> dict[str, Any]:
    """The optional export columns of the 766 scorecard for one dossier."""
    online = "no"
    if rnd.random() < spec.online_share:
        online = "full" if rnd.random() < 0.6 else "partial"
    paid = (rnd.random() < 2 / 3) if rnd.random() < spec.fee_share else None
    return {"supplements": rnd.choices((0, 1, 2), weights=spec.supplement_weights)[0], "online": online,
            "paid_online": paid, "digitised": rnd.random() < 0.7}


def rating_rows(spec: SampleSpec, dossiers: Sequence[dict[str, Any]] | None = None) -> Iterator[dict[str, Any]]:
    """Ratings: four in five about a dossier (a random sample dossier), the rest about a procedure's information."""
    rnd = random.Random(spec.seed + 1)
    span = (spec.end - spec.start).total_seconds()
    for i in range(1, spec.ratings + 1):
        score = rnd.choices((5, 4, 3, 2, 1), weights=(55, 33, 6, 4, 2))[0]
        created = spec.start + timedelta(seconds=rnd.random() * span)
        code, field = PROCEDURES[rnd.randrange(len(PROCEDURES))]
        row: dict[str, object] = {
            "subject": "procedure", "procedure_code": code, "dossier_id": None, "unit": "", "field": field,
            "channel": "telegram", "chat_digest": f"{spec.seed:016x}{i:048x}", "score": score, "criteria": {},
            "comment": "", "is_complaint": False, "contact": None, "language": "vi", "created_at": created,
            "updated_at": created,
        }
        if spec.dossiers and rnd.random() < 0.8:
            dossier_id = spec.first_id + rnd.randrange(spec.dossiers)
            row.update(subject="dossier", dossier_id=dossier_id)
            if dossiers is not None:
                d = dossiers[dossier_id - spec.first_id]
                row.update(unit=d["unit"], field=d["field"], procedure_code=d["procedure_code"])
            else:
                row.update(unit=spec.units[dossier_id % len(spec.units)])
        yield row


def insert_sample(conn: Connection, spec: SampleSpec, *, keep: bool = False) -> list[dict[str, Any]]:
    """Bulk-insert the sample (chunks of ``CHUNK`` rows; COPY on PostgreSQL); the rows when ``keep``."""
    kept: list[dict[str, Any]] = []
    dossiers: list[dict[str, Any]] = []
    apologies: list[dict[str, Any]] = []
    for dossier, apology in dossier_rows(spec):
        dossiers.append(dossier)
        if apology:
            apologies.append(apology)
        if len(dossiers) >= CHUNK:
            _write(conn, Dossier.__table__, dossiers)
            kept += dossiers if keep else []
            dossiers = []
    _write(conn, Dossier.__table__, dossiers)
    kept += dossiers if keep else []
    _write(conn, Apology.__table__, apologies)
    ratings: list[dict[str, Any]] = []
    for rating in rating_rows(spec, kept if keep else None):
        ratings.append(rating)
        if len(ratings) >= CHUNK:
            _write(conn, Rating.__table__, ratings)
            ratings = []
    _write(conn, Rating.__table__, ratings)
    if conn.dialect.name == "postgresql":  # ids were given explicitly: move the sequences past them
        for table in ("dossiers", "apologies", "ratings"):
            conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"COALESCE((SELECT MAX(id) FROM {table}), 1))")
    return kept


def _write(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    import json

    columns = list(rows[0])
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in (row[c] for c in columns)])


def utc(year: int, month: int, day: int) -> datetime:
    """Midnight UTC of a day (sample spans are given in UTC)."""
    return datetime(year, month, day, tzinfo=UTC)
