"""Morning alert counts and lists, checked by hand on a small dataset with a frozen clock after Tết 2026."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.dossiers.calendar import Urgency, WorkCalendar
from bot.dossiers.models import Apology, Dossier
from bot.late.export import alert_csv
from bot.late.query import AlertSnapshot, alert_report, iter_alert_rows

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()
NOW = datetime(2026, 2, 23, 7, 30, tzinfo=VN)  # Monday, first working day after Tết


def due(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 17, 0, tzinfo=VN)


# code, unit, due, open, apology
DATA = [
    ("A1", "A", due(2, 12), True, False),  # overdue 2 (13/2 and 23/2)
    ("A2", "A", due(2, 13), True, True),  # overdue 1, apologised
    ("A3", "A", due(2, 23), True, False),  # due today
    ("A4", "A", due(2, 24), True, False),  # due soon, 1
    ("A5", "A", due(2, 25), True, False),  # due soon, 2
    ("A6", "A", due(2, 26), True, False),  # on time
    ("A7", "A", due(2, 10), False, False),  # closed: not counted
    ("B1", "B", due(2, 20), True, False),  # due on a Tết day: overdue 1
    ("B2", "B", None, True, False),  # no due date
    ("C1", "C", due(2, 11), True, False),  # overdue 3
]


@pytest.fixture
def db(database):
    with database.session() as s:
        for code, unit, due_at, is_open, apologised in DATA:
            d = Dossier(code=code, unit=unit, field="Hộ tịch", procedure_name=f"Thủ tục {code}",
                        due_at=due_at.astimezone(VN) if due_at else None, is_open=is_open)  # fmt: skip
            s.add(d)
            s.flush()
            if apologised:
                s.add(Apology(dossier_id=d.id, sent_at=due(2, 13), new_due_at=due(2, 27), reason="Chờ xác minh"))
        s.commit()
    return database


def report(db, units=None, top=10):  # type: ignore[no-untyped-def]
    with db.session() as s:
        return alert_report(s, units=units, now=NOW, calendar=CAL, soon_days=2, top=top)


def test_counts_over_all_units(db):
    r = report(db)
    assert (r.overdue, r.due_today, r.due_soon, r.late_without_apology) == (4, 1, 2, 3)
    assert (r.open_total, r.no_due_date) == (9, 1)
    assert r.by_unit["A"].overdue == 2 and r.by_unit["A"].late_without_apology == 1
    assert r.by_unit["B"].no_due_date == 1 and r.by_unit["C"].overdue == 1


def test_counts_for_some_units(db):
    r = report(db, units=["A", "B"])
    assert (r.overdue, r.due_today, r.due_soon, r.late_without_apology, r.open_total) == (3, 1, 2, 2, 8)
    assert set(r.by_unit) == {"A", "B"}
    assert report(db, units=[]).open_total == 0
    assert report(db, units=["Z"]).open_total == 0


def test_top_items_most_urgent_first(db):
    r = report(db, top=3)
    assert [(i.code, i.urgency) for i in r.items] == [
        ("C1", Urgency("overdue", 3)),
        ("A1", Urgency("overdue", 2)),
        ("A2", Urgency("overdue", 1)),
    ]
    assert r.items[2].has_apology and not r.items[0].has_apology
    assert r.items[0].due_at == due(2, 11) and r.items[0].unit == "C" and r.items[0].field == "Hộ tịch"


def test_streamed_rows_match_the_counts(db):
    with db.session() as s:
        items = list(iter_alert_rows(s, None, NOW, CAL, 2))
    assert [i.code for i in items] == ["C1", "A1", "A2", "B1", "A3", "A4", "A5"]
    kinds = [i.urgency.kind for i in items]
    r = report(db)
    assert (kinds.count("overdue"), kinds.count("due_today"), kinds.count("due_soon")) == (r.overdue, r.due_today,
                                                                                            r.due_soon)  # fmt: skip
    assert [i.urgency.working_days for i in items] == [3, 2, 1, 1, 0, 1, 2]


def test_csv_opens_in_excel_with_vietnamese(db):
    with db.session() as s:
        data = alert_csv(iter_alert_rows(s, ["A"], NOW, CAL, 2), CAL.tz)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "Mã hồ sơ" and len(rows) == 1 + 5
    assert rows[1] == ["A1", "A", "Hộ tịch", "Thủ tục A1", "12/02/2026 17:00", "Quá hạn", "2", "không"]
    assert rows[2][-1] == "có"


@pytest.mark.parametrize("top", [0, 1, 3, 10])
def test_the_snapshot_of_every_unit_gives_each_officer_the_same_report(db, top):
    """The morning job reads all units once; each officer's report must equal the per-officer query."""
    with db.session() as s:
        snapshot = AlertSnapshot(s, now=NOW, calendar=CAL, soon_days=2, top=top)
    for units in (None, ["A"], ["B"], ["C"], ["A", "C"], ["C", "A", "A"], ["B", "X"], ["X"], []):
        assert snapshot.report(units) == report(db, units=units, top=top), units


@pytest.mark.parametrize("top", [1, 2, 4, 50])
def test_each_units_most_urgent_merge_into_the_streamed_order(database, top):
    """The snapshot reads each unit's ``top`` most urgent by a per-unit ordered scan; merged, they must be the
    head of the full streamed list (the independent query), ties on the due time broken by id."""
    same = due(2, 12)
    with database.session() as s:
        for n in range(18):  # 3 units, equal due times across units, some repeated supplements, one no date
            unit = "ABC"[n % 3]
            when = None if n == 7 else (same if n % 2 else due(2, 9 + n % 5))
            s.add(Dossier(code=f"T{n:02d}", unit=unit, field=f"Lĩnh vực {n % 2}", procedure_name="Thủ tục",
                          due_at=when, is_open=True, supplements=2 if n % 4 == 0 else 0))  # fmt: skip
        s.commit()
    with database.session() as s:
        streamed = list(iter_alert_rows(s, None, NOW, CAL, 2))
        for units in (None, ["A"], ["C", "B"]):
            expected = [i for i in streamed if units is None or i.unit in units][:top]
            got = alert_report(s, units=units, now=NOW, calendar=CAL, soon_days=2, top=top).items
            assert [i.code for i in got] == [i.code for i in expected], units
