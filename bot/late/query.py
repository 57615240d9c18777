"""Which dossiers are late or nearly so: overdue, due today or due soon in an officer's units.

Counting happens in SQL: the calendar turns "today" and "within N working days" into due-time boundaries
once, then one GROUP BY query counts every open dossier with ``count(*) FILTER`` (on SQLite an index-only scan
of the partial index ``ix_dossiers_open_by_unit`` on ``(unit, due_at, id, supplements) WHERE is_open``), and
a second one the overdue dossiers that have an apology (the rest are late without one). Only each unit's
``top`` most urgent rows are loaded (an ordered scan of the same index per unit); the full list is streamed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ARRAY, ColumnElement, Exists, Select, String, bindparam, exists, func, select, true
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.dossiers import lateness
from bot.dossiers.calendar import AlertBounds, Urgency, WorkCalendar
from bot.dossiers.models import Apology, Dossier


@dataclass(frozen=True, slots=True)
class AlertItem:
    """One urgent dossier as the alert lists it (no personal data)."""

    code: str
    unit: str
    field: str
    procedure_name: str
    due_at: datetime
    urgency: Urgency
    has_apology: bool
    supplements: int = 0  # requests for supplements (more than one makes the dossier late, 766)


@dataclass
class UnitCounts:
    """Counts of open dossiers (of one unit, or of all the units asked for)."""

    overdue: int = 0
    due_today: int = 0
    due_soon: int = 0
    late_without_apology: int = 0
    open_total: int = 0
    no_due_date: int = 0

    def add(self, other: UnitCounts) -> None:
        """Add ``other``'s counts to these."""
        for name in UnitCounts.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class AlertReport(UnitCounts):
    """Totals over the units asked for, the ``top`` most urgent dossiers, and counts per unit."""

    items: list[AlertItem] = field(default_factory=list)
    by_unit: dict[str, UnitCounts] = field(default_factory=dict)


def _open_in(units: Sequence[str] | None) -> list:  # type: ignore[type-arg]
    conditions = [Dossier.is_open == true()]
    if units is not None:
        conditions.append(Dossier.unit.in_(list(units)))
    return conditions


def _has_apology() -> Exists:
    return exists().where(Apology.dossier_id == Dossier.id)


def _count_by_unit(session: Session, units: Sequence[str] | None, b: AlertBounds) -> dict[str, UnitCounts]:
    """Counts per unit: one scan of the open dossiers (the partial index ``ix_dossiers_open_by_unit`` covers
    it), then the overdue ones among the apologised (``id IN (SELECT dossier_id FROM apologies)``: SQLite walks
    the apologies' index and probes dossiers by id, PostgreSQL hashes; both beat a NOT EXISTS per row)."""

    def n(cond: ColumnElement[bool]) -> ColumnElement[int]:
        return func.count().filter(cond)

    due = Dossier.due_at
    overdue = lateness.past_due(b.now)  # the one definition of late (bot.dossiers.lateness)
    ahead = ~lateness.repeated_supplements()
    stmt = (
        select(
            Dossier.unit,
            func.count(),
            n(overdue),
            n(ahead & (due >= b.now) & (due < b.today_end)),
            n(ahead & (due >= b.today_end) & (due < b.soon_end)),
            n(due.is_(None)),
        )
        .where(*_open_in(units))
        .group_by(Dossier.unit)
    )
    out = {
        unit: UnitCounts(overdue=o, due_today=t, due_soon=s, open_total=total, no_due_date=nd, late_without_apology=o)
        for unit, total, o, t, s, nd in session.execute(stmt)
    }
    apologised = (
        select(Dossier.unit, func.count())
        .where(*_open_in(units), overdue, Dossier.id.in_(select(Apology.dossier_id)))
        .group_by(Dossier.unit)
    )
    for unit, count in session.execute(apologised):
        out[unit].late_without_apology -= count
    return out


def _item_columns() -> Select:  # type: ignore[type-arg]
    """What an :class:`AlertItem` is read from."""
    return select(
        Dossier.code,
        Dossier.unit,
        Dossier.field,
        Dossier.procedure_name,
        Dossier.due_at,
        _has_apology().label("has_apology"),
        Dossier.supplements,
    )


def _is_urgent(b: AlertBounds) -> ColumnElement[bool]:
    return (Dossier.due_at < b.soon_end) | lateness.repeated_supplements()


def _urgent_rows(units: Sequence[str] | None, b: AlertBounds) -> Select:  # type: ignore[type-arg]
    """Open dossiers due before the end of the "soon" window, most urgent first."""
    return _item_columns().where(*_open_in(units), _is_urgent(b)).order_by(Dossier.due_at, Dossier.id)


def _item(row, now: datetime, calendar: WorkCalendar, soon_days: int) -> AlertItem:  # type: ignore[no-untyped-def]
    due = as_utc(row.due_at)
    supplements = row.supplements or 0
    if due is None:  # only repeated supplements bring an open dossier without an appointment here
        return AlertItem(row.code, row.unit, row.field, row.procedure_name, now, Urgency("overdue", 0),
                         bool(row.has_apology), supplements)
    urgency = calendar.classify(due, now, soon_days)
    if supplements > lateness.SUPPLEMENT_LIMIT and urgency.kind != "overdue":
        urgency = Urgency("overdue", 0)  # late by 766 although the appointment is still ahead
    return AlertItem(row.code, row.unit, row.field, row.procedure_name, due, urgency, bool(row.has_apology),
                     supplements)


def _most_urgent(dialect: str, units: list[str], b: AlertBounds, top: int) -> Select:  # type: ignore[type-arg]
    """Each unit's ``top`` most urgent open dossiers, in the office-wide order, in one statement: per unit an
    ordered scan of the partial index that stops after ``top`` rows (PostgreSQL: a LATERAL join over the
    units; SQLite, which has no LATERAL: a correlated ``IN (… LIMIT)``)."""
    if dialect == "postgresql":
        u = func.unnest(bindparam("units", units, type_=ARRAY(String))).table_valued("unit").render_derived("u")
        key = u.c.unit
    else:
        u = func.json_each(json.dumps(units)).table_valued("value").alias("u")
        key = u.c.value
    picked = (
        select(Dossier.id.label("row_id"))
        .where(*_open_in(None), Dossier.unit == key, _is_urgent(b))
        .order_by(Dossier.due_at, Dossier.id)
        .limit(top)
        .correlate(u)
    )
    if dialect == "postgresql":
        lateral = picked.lateral("picked")
        rows = _item_columns().select_from(u).join(lateral, true()).join(Dossier, Dossier.id == lateral.c.row_id)
    else:
        rows = _item_columns().select_from(u).join(Dossier, Dossier.id.in_(picked))
    return rows.order_by(Dossier.due_at, Dossier.id)


def alert_report(
    session: Session,
    *,
    units: Sequence[str] | None,
    now: datetime,
    calendar: WorkCalendar,
    soon_days: int,
    top: int,
) -> AlertReport:
    """Counts over the open dossiers of ``units`` (all units when ``None``) and the ``top`` most urgent:
    overdue first (most days late first), then due today, then due soon."""
    if units is not None and not units:
        return AlertReport()
    snapshot = AlertSnapshot(session, now=now, calendar=calendar, soon_days=soon_days, top=top, units=units)
    return snapshot.report(units)


def iter_alert_rows(
    session: Session, units: Sequence[str] | None, now: datetime, calendar: WorkCalendar, soon_days: int
) -> Iterator[AlertItem]:
    """Every urgent open dossier of ``units``, most urgent first, streamed from the database."""
    if units is not None and not units:
        return
    bounds = calendar.alert_bounds(now, soon_days)
    stmt = _urgent_rows(units, bounds).execution_options(yield_per=2000)
    for row in session.execute(stmt):
        yield _item(row, now, calendar, soon_days)


class AlertSnapshot:
    """The counts and most urgent dossiers of every unit (or of ``units``), read once — a grouped scan, the
    apologised overdue ones, each unit's ``top`` — for the whole morning job; :meth:`report` then sums the
    units any officer asks for (the one path: :func:`alert_report` is a snapshot of the asked units)."""

    def __init__(self, session: Session, *, now: datetime, calendar: WorkCalendar, soon_days: int, top: int,
                 units: Sequence[str] | None = None) -> None:  # fmt: skip
        self.top = top
        bounds = calendar.alert_bounds(now, soon_days)
        self.by_unit = _count_by_unit(session, units, bounds)
        # per unit, its ``top`` most urgent dossiers with their place in the office-wide order
        self._order: dict[str, list[tuple[int, AlertItem]]] = {}
        if top > 0 and self.by_unit:
            dialect = session.get_bind().dialect.name
            rows = session.execute(_most_urgent(dialect, list(self.by_unit), bounds, top))
            for position, row in enumerate(rows):
                self._order.setdefault(row.unit, []).append((position, _item(row, now, calendar, soon_days)))

    def report(self, units: Sequence[str] | None) -> AlertReport:
        """The report of ``units`` (None = every unit): their counts summed, their ``top`` most urgent."""
        report = AlertReport()
        if units is not None and not units:
            return report
        chosen = list(self.by_unit) if units is None else [u for u in dict.fromkeys(units) if u in self.by_unit]
        for unit in chosen:
            counts = self.by_unit[unit]
            report.by_unit[unit] = counts
            report.add(counts)
        if self.top > 0:
            merged = sorted(pair for unit in chosen for pair in self._order.get(unit, []))  # global due order
            report.items = [item for _, item in merged[: self.top]]
        return report
