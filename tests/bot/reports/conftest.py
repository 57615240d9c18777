"""A small hand-made dataset whose October 2026 figures are worked out by hand in the tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import ENV_SECRET_KEY, Settings
from bot.dossiers.models import Apology, Dossier
from bot.feedback.models import Rating
from bot.storage.db import Database

SETTINGS = Settings()  # Asia/Ho_Chi_Minh, targets 90% / 98%
UNIT_A, UNIT_B = "UBND phường An Bình", "UBND xã Tân Lập"


@pytest.fixture(autouse=True)
def secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed server secret."""
    monkeypatch.setenv(ENV_SECRET_KEY, "test-secret-key-for-reports-0123456789")


def local(y: int, mo: int, d: int, h: int = 12, mi: int = 0) -> datetime:
    """A Hà Nội time (UTC+7) as aware UTC."""
    return datetime(y, mo, d, h, mi, tzinfo=UTC) - timedelta(hours=7)


def _dossier(n: int, unit: str, received: datetime, due: datetime | None, finished: datetime | None = None,
             returned: datetime | None = None, field: str = "Hộ tịch", code: str = "1.000894") -> Dossier:
    return Dossier(code=f"HS-{n}", unit=unit, field=field, procedure_code=code, received_at=received, due_at=due,
                   finished_at=finished, returned_at=returned, status="returned" if finished or returned else
                   "processing", is_open=not (finished or returned))


def _rating(n: int, unit: str, score: int, at: datetime, code: str = "1.000894") -> Rating:
    return Rating(subject="dossier" if unit else "procedure", procedure_code=code, unit=unit, field="Hộ tịch",
                  channel="test", chat_digest=f"{n:064x}", score=score, criteria={}, created_at=at, updated_at=at)


def add_hand_dataset(db: Database) -> None:
    """October 2026 by hand — A: received 5, finished 5, on time 3, late 2 (1 with apology), ratings 3
    (2 satisfied); B: received 2, finished 1 (on time), ratings 1 (0 satisfied); no unit: 1 rating, satisfied."""
    with db.session() as s:
        late_with_apology = _dossier(2, UNIT_A, local(2026, 9, 28), local(2026, 10, 3, 17), local(2026, 10, 5))
        s.add_all([
            _dossier(1, UNIT_A, local(2026, 10, 2), local(2026, 10, 9, 17), local(2026, 10, 8)),
            late_with_apology,
            _dossier(3, UNIT_A, local(2026, 10, 10), local(2026, 10, 15, 17), local(2026, 10, 20), field="Đất đai",
                     code="1.012786"),
            _dossier(4, UNIT_A, local(2026, 10, 30), local(2026, 11, 6, 17)),
            _dossier(5, UNIT_A, local(2026, 10, 20), local(2026, 11, 5, 17), local(2026, 10, 31, 23, 30)),
            _dossier(6, UNIT_A, local(2026, 9, 1), local(2026, 11, 2, 17), local(2026, 11, 1, 0, 30)),  # November
            _dossier(7, UNIT_A, local(2026, 10, 11), None, local(2026, 10, 12)),  # no appointment: on time
            _dossier(8, UNIT_B, local(2026, 10, 5), local(2026, 10, 6, 17), None, local(2026, 10, 6, 10)),
            _dossier(9, UNIT_B, local(2026, 10, 1, 0, 10), local(2026, 10, 9, 17)),
        ])
        s.flush()
        s.add(Apology(dossier_id=late_with_apology.id, sent_at=local(2026, 10, 3, 9), new_due_at=local(2026, 10, 6)))
        s.add_all([
            _rating(1, UNIT_A, 5, local(2026, 10, 8)), _rating(2, UNIT_A, 4, local(2026, 10, 9)),
            _rating(3, UNIT_A, 2, local(2026, 10, 21)), _rating(4, UNIT_A, 5, local(2026, 11, 1, 0, 5)),
            _rating(5, UNIT_B, 3, local(2026, 10, 7)), _rating(6, "", 4, local(2026, 10, 31, 23, 59)),
        ])
        s.commit()
