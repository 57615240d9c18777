"""The 766 scorecard on a hand-made October 2026 whose every figure is worked out below (both databases)."""

from __future__ import annotations

import argparse
import csv
import io
from datetime import date, datetime

import pytest
from PIL import Image

from bot.cli import reports as cli
from bot.config import Settings
from bot.dossiers.models import Apology, Dossier
from bot.feedback.models import Complaint, Rating
from bot.reports.periods import period_of
from bot.reports.scorecard import Key, Scorecard, compute_scorecard
from bot.reports.scorecard_png import HEIGHT_PX, WIDTH_PX, scorecard_png
from bot.reports.scorecard_text import CSV_HEADER, OFFICE_KEY, scorecard_csv, scorecard_text
from bot.storage.db import Database
from tests.bot.reports.conftest import SETTINGS, UNIT_A, UNIT_B, local

# the clock stands on 23 November 2026: October is over and judged at its end
pytestmark = pytest.mark.usefixtures("manual_clock")
OCTOBER = period_of("month", date(2026, 10, 1))


def _d(n: int, unit: str, received: datetime, due: datetime, finished: datetime | None = None, *,
       supplements: int | None = 0, online: str = "", paid: bool | None = None, digitised: bool | None = None
       ) -> Dossier:
    return Dossier(code=f"SC-{n}", unit=unit, field="Hộ tịch", procedure_code="1.000894", received_at=received,
                   due_at=due, finished_at=finished, status="done" if finished else "processing",
                   is_open=finished is None, supplements=supplements, online=online, paid_online=paid,
                   digitised=digitised)


def _rating(n: int, score: int, at: datetime, dossier: Dossier | None = None, complaint: bool = False) -> Rating:
    return Rating(subject="dossier" if dossier else "procedure", dossier_id=dossier.id if dossier else None,
                  unit=UNIT_A, field="Hộ tịch", channel="test", chat_digest=f"{n:064x}", score=score, criteria={},
                  is_complaint=complaint, created_at=at, updated_at=at)


def add_scorecard_dataset(db: Database) -> None:
    """Unit A: 16 received in October; 13 finished (11 on time, 2 late: after the appointment, and a
    second supplement request); at 31/10 two open overdue (past due; a second supplement request) and one
    on track. Filing known for 5 (4 online), fees for 3 (2 paid online), digitisation for 3 (2).
    Complaints: 1 answered in time, 1 answered late, 1 unanswered past 15 working days, 1 not yet due.
    Disliked or complained about: 2 dossiers. Unit B: one dossier, on time, no optional columns."""
    with db.session() as s:
        a = [
            _d(1, UNIT_A, local(2026, 10, 1), local(2026, 10, 5, 17), local(2026, 10, 3), online="full", paid=True,
               digitised=True),
            _d(2, UNIT_A, local(2026, 10, 2), local(2026, 10, 9, 17), local(2026, 10, 8), supplements=2,
               online="partial", paid=False, digitised=False),
            _d(3, UNIT_A, local(2026, 10, 6), local(2026, 10, 10, 17), local(2026, 10, 20), supplements=None,
               online="no"),
            _d(4, UNIT_A, local(2026, 10, 10), local(2026, 10, 15, 17), paid=True, digitised=True),
            _d(5, UNIT_A, local(2026, 10, 20), local(2026, 11, 10, 17), online="full"),
            _d(6, UNIT_A, local(2026, 10, 25), local(2026, 11, 12, 17), supplements=2, online="partial"),
            *[_d(10 + i, UNIT_A, local(2026, 10, 12 + i), local(2026, 10, 20 + i, 17), local(2026, 10, 14 + i))
              for i in range(10)],
        ]
        b = _d(30, UNIT_B, local(2026, 10, 5), local(2026, 10, 7, 17), local(2026, 10, 6), supplements=None)
        s.add_all([*a, b])
        s.flush()
        s.add_all([Apology(dossier_id=a[2].id, sent_at=local(2026, 10, 10, 9), new_due_at=local(2026, 10, 21)),
                   Apology(dossier_id=a[5].id, sent_at=local(2026, 10, 30, 9), new_due_at=local(2026, 11, 20))])
        s.add_all([_rating(1, 5, local(2026, 10, 4), a[0]), _rating(2, 1, local(2026, 10, 9), a[1]),
                   _rating(3, 2, local(2026, 10, 10), a[1]), _rating(4, 4, local(2026, 10, 22), a[4], True)])
        complaints = [(local(2026, 10, 1), local(2026, 10, 5)),  # answered in time
                      (local(2026, 10, 2), local(2026, 10, 30)),  # 15 working days end on 23/10: late
                      (local(2026, 10, 1), None),  # unanswered, limit passed on 21/10: late
                      (local(2026, 10, 28), None)]  # unanswered, limit 18/11 after the end of October: not judged
        for i, (created, answered) in enumerate(complaints):
            rating = _rating(100 + i, 3, created, complaint=True)
            s.add(rating)
            s.flush()
            s.add(Complaint(rating_id=rating.id, unit=UNIT_A, created_at=created, answered_at=answered,
                            status="answered" if answered else "open"))
        s.commit()


def _card(db: Database) -> Scorecard:
    add_scorecard_dataset(db)
    with db.session() as s:
        return compute_scorecard(s, OCTOBER, SETTINGS)


def test_scorecard_by_hand(database):
    card = _card(database)
    assert not card.partial and [u.unit for u in card.units] == [UNIT_A, UNIT_B]
    a = {c.key: c for c in card.units[0].components}
    f = card.units[0].counts.figures
    assert (f.received, f.finished, f.on_time, f.finished_late) == (16, 13, 11, 2)
    assert (f.open_overdue, f.open_on_track) == (2, 1)
    assert (f.late, f.late_with_apology, f.judged) == (4, 2, 15)
    assert [(a[k].numerator, a[k].denominator) for k in Key] == [(11, 15), (4, 5), (2, 3), (2, 3), (1, 3), (9, 15)]
    assert a[Key.PROGRESS].points == pytest.approx(20 * 11 / 15)
    assert a[Key.ONLINE].points == 12  # 80% ≥ 50%
    assert a[Key.PAYMENT].points == pytest.approx(6 * (2 / 3) / 0.8)
    assert a[Key.DIGITISED].points == pytest.approx(4 * (2 / 3) / 0.8)
    assert a[Key.COMPLAINTS].points == pytest.approx(2)
    # 100% − (4 late + 2 disliked) ÷ 15 = 60% → 6 × 60% ÷ 90%
    assert a[Key.SATISFACTION].share == pytest.approx(0.6) and a[Key.SATISFACTION].points == pytest.approx(4)
    assert card.units[0].points == (pytest.approx(41.0), 54)
    b = {c.key: c for c in card.units[1].components}
    assert (b[Key.PROGRESS].share, b[Key.SATISFACTION].points) == (1.0, 6)
    assert all(b[k].share is None and b[k].points is None for k in (Key.ONLINE, Key.PAYMENT, Key.DIGITISED,
                                                                       Key.COMPLAINTS))
    assert card.units[1].points == (26, 26)
    office = {c.key: c for c in card.office.components}
    assert (office[Key.PROGRESS].numerator, office[Key.PROGRESS].denominator) == (12, 16)
    assert office[Key.SATISFACTION].share == pytest.approx(1 - 6 / 16)


def test_unit_filter_and_partial_month(database, manual_clock):
    add_scorecard_dataset(database)
    with database.session() as s:
        only_b = compute_scorecard(s, OCTOBER, SETTINGS, units=[UNIT_B])
        november = compute_scorecard(s, period_of("month", date(2026, 11, 1)), SETTINGS)
    assert [u.unit for u in only_b.units] == [UNIT_B] and only_b.office.counts.complaints_due == 0
    # November is judged as of 23 November: A's 4 and 6 still open and overdue, 5 now overdue too
    assert november.partial and november.office.counts.figures.open_overdue == 3


def test_text_says_no_data_never_zero(database):
    card = _card(database)
    text = scorecard_text(card, "vi")
    assert "Tiến độ giải quyết (sớm và đúng hạn): 73,3% (11/15) — 14,7/20 điểm" in text
    assert "Thanh toán trực tuyến (hồ sơ có phí): 66,7% (2/3) — 5,0/6 điểm (ước tính)" in text
    assert "Hài lòng trong tiếp nhận, giải quyết hồ sơ: 60,0% (trên 15 hồ sơ) — 4,0/6 điểm" in text
    assert "41,0/54 điểm trên các chỉ tiêu có dữ liệu" in text
    b_block = text.split(UNIT_B)[1].split("\n\n")[0]
    assert b_block.count("không có dữ liệu") == 3 and "không có phản ánh, kiến nghị đến hạn trong kỳ" in b_block
    assert ": 0,0%" not in b_block
    english = scorecard_text(card, "en")
    assert "no data" in english and "Online payment" in english


def test_csv_lines_and_png(database, tmp_path):
    card = _card(database)
    rows = list(csv.reader(io.StringIO(scorecard_csv(card).decode("utf-8-sig"))))
    assert rows[0] == CSV_HEADER and len(rows) == 1 + 3 * len(Key)
    line = {(r[3], r[4]): dict(zip(CSV_HEADER, r, strict=True)) for r in rows[1:]}
    assert line[(UNIT_A, "payment")]["ty_le_pct"] == "66.67" and line[(UNIT_A, "payment")]["uoc_tinh"] == "1"
    assert line[(UNIT_B, "online")]["ty_le_pct"] == "" and line[(UNIT_B, "online")]["diem"] == ""
    assert line[(OFFICE_KEY, "progress")]["tu_so"] == "12" and line[(OFFICE_KEY, "progress")]["diem"] == "15.00"
    png = scorecard_png(card, "vi")
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (WIDTH_PX, HEIGHT_PX) and WIDTH_PX == 1080


def test_cli_scorecard(database, tmp_path, capsys, monkeypatch):
    add_scorecard_dataset(database)
    parser = argparse.ArgumentParser()
    cli.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["report", "--scorecard", "--period", "month", "--start", "2026-10-01",
                              "--csv", str(tmp_path / "s.csv"), "--chart", str(tmp_path / "s.png")])
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", database.engine.url.render_as_string(hide_password=False))
    assert cli.run(args, Settings()) == 0
    out = capsys.readouterr().out
    assert "Bảng điểm chất lượng phục vụ" in out and "<b>" not in out
    assert (tmp_path / "s.png").read_bytes().startswith(b"\x89PNG") and (tmp_path / "s.csv").stat().st_size > 100
