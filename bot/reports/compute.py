"""Report figures computed in SQL with GROUP BY (one pass over dossiers, one over ratings).

Definitions (Decree 61/2018 practice, as offices report monthly):

- *received*: dossiers received in the period;
- *finished*: dossiers whose result was ready (``finished_at``, else ``returned_at``) in the period;
- *on time*: finished by the **original** appointment (``due_at``; no appointment counts as on time) — an
  apology's new date does not make a late dossier on time; late ones are split by whether an apology
  (phiếu xin lỗi) was issued;
- *satisfaction*: the share of ratings given in the period that score 4 or 5 of 5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from bot import clock
from bot.config import Settings
from bot.dossiers.models import Apology, Dossier
from bot.feedback.models import SATISFIED_MIN_SCORE, Rating
from bot.reports.periods import Period, PeriodKind, period_of


class GroupBy(StrEnum):
    """What a report's rows are."""

    UNIT = "unit"
    FIELD = "field"
    PROCEDURE = "procedure"


@dataclass(frozen=True, slots=True)
class Figures:
    """Counts of one group (or of the whole report)."""

    received: int = 0
    finished: int = 0
    on_time: int = 0
    late: int = 0
    late_with_apology: int = 0
    ratings: int = 0
    satisfied: int = 0
    # still unresolved at the end of the period (or now) and already past the appointment
    open_overdue: int = 0

    @property
    def late_without_apology(self) -> int:
        """Late dossiers for which no apology was issued."""
        return self.late - self.late_with_apology

    @property
    def on_time_rate(self) -> float | None:
        """Share of finished dossiers finished on time; None when none were finished."""
        return self.on_time / self.finished if self.finished else None

    @property
    def satisfaction_rate(self) -> float | None:
        """Share of ratings scoring 4–5; None when there were no ratings."""
        return self.satisfied / self.ratings if self.ratings else None

    @property
    def is_empty(self) -> bool:
        """No dossier and no rating at all."""
        return not (self.received or self.finished or self.ratings)

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(a + b for a, b in zip(_values(self), _values(other), strict=True)))


def _values(f: Figures) -> tuple[int, ...]:
    return (f.received, f.finished, f.on_time, f.late, f.late_with_apology, f.ratings, f.satisfied, f.open_overdue)


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One group: a unit, a field or a procedure code ('' = not recorded)."""

    key: str
    figures: Figures


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrict a report to some units, a field or a procedure."""

    units: Sequence[str] | None = None
    field: str | None = None
    procedure: str | None = None

    def apply(self, query: Any, unit_col: Any, field_col: Any, procedure_col: Any) -> Any:
        """``query`` with these filters as WHERE clauses."""
        if self.units is not None:
            query = query.where(unit_col.in_(list(self.units)))
        if self.field is not None:
            query = query.where(field_col == self.field)
        if self.procedure is not None:
            query = query.where(procedure_col == self.procedure)
        return query


@dataclass(frozen=True, slots=True)
class Report:
    """Figures per group for one period, with the office's targets."""

    period: Period
    group_by: GroupBy
    rows: list[ReportRow]
    satisfaction_target: float
    on_time_target: float
    filters: Filters = field(default_factory=Filters)

    @property
    def total(self) -> Figures:
        """All groups together."""
        total = Figures()
        for row in self.rows:
            total = total + row.figures
        return total

    @property
    def is_empty(self) -> bool:
        """Nothing received, finished or rated in the period."""
        return self.total.is_empty


_Counts = dict[str, list[int]]


def _columns(model: Any, group_by: GroupBy) -> Any:
    return {GroupBy.UNIT: model.unit, GroupBy.FIELD: model.field, GroupBy.PROCEDURE: model.procedure_code}[group_by]


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _dossier_figures(
    session: Session, group_by: GroupBy, start: Any, end: Any, filters: Filters, now: Any
) -> _Counts:
    key = _columns(Dossier, group_by)
    done = func.coalesce(Dossier.finished_at, Dossier.returned_at)
    received = and_(Dossier.received_at >= start, Dossier.received_at < end)
    finished = and_(done >= start, done < end)
    on_time = or_(Dossier.due_at.is_(None), done <= Dossier.due_at)
    late = and_(finished, Dossier.due_at.is_not(None), done > Dossier.due_at)
    apologised = exists().where(Apology.dossier_id == Dossier.id)
    cutoff = min(end, now)  # a current period is judged as of now; a future one has no backlog yet
    still_open = or_(done.is_(None), done >= cutoff)
    open_overdue = and_(literal(now >= start), Dossier.received_at < cutoff, Dossier.due_at < cutoff, still_open)
    query = (
        select(key, _count(received), _count(finished), _count(and_(finished, on_time)), _count(late),
               _count(and_(late, apologised)), _count(open_overdue))
        .where(or_(received, finished, open_overdue))
        .group_by(key)
    )
    query = filters.apply(query, Dossier.unit, Dossier.field, Dossier.procedure_code)
    return {str(k or ""): [int(v) for v in vals] for k, *vals in session.execute(query)}


def _rating_figures(session: Session, group_by: GroupBy, start: Any, end: Any, filters: Filters) -> _Counts:
    key = _columns(Rating, group_by)
    query = (
        select(key, func.count(Rating.id), _count(Rating.score >= SATISFIED_MIN_SCORE))
        .where(Rating.created_at >= start, Rating.created_at < end)
        .group_by(key)
    )
    query = filters.apply(query, Rating.unit, Rating.field, Rating.procedure_code)
    return {str(k or ""): [int(v) for v in vals] for k, *vals in session.execute(query)}


def compute_period(
    session: Session, period: Period, settings: Settings, *, group_by: GroupBy | str = GroupBy.UNIT,
    filters: Filters | None = None, now: datetime | None = None,
) -> Report:
    """The report of ``period``, grouped by unit, field or procedure."""
    group_by, filters = GroupBy(group_by), filters or Filters()
    start, end = period.utc_bounds(settings.zone)
    dossiers = _dossier_figures(session, group_by, start, end, filters, now or clock.now())
    ratings = _rating_figures(session, group_by, start, end, filters)
    rows = []
    for key in sorted(set(dossiers) | set(ratings)):
        d, r = dossiers.get(key, [0] * 6), ratings.get(key, [0, 0])
        rows.append(ReportRow(key, Figures(d[0], d[1], d[2], d[3], d[4], r[0], r[1], open_overdue=d[5])))
    return Report(period, group_by, rows, settings.reports.satisfaction_target, settings.reports.on_time_target,
                  filters)


def compute_report(
    session: Session,
    *,
    period: PeriodKind | str,
    start: date,
    settings: Settings,
    group_by: GroupBy | str = GroupBy.UNIT,
    units: Sequence[str] | None = None,
    field: str | None = None,
    procedure: str | None = None,
) -> Report:
    """The report of the week / month / quarter containing ``start``, with optional filters."""
    return compute_period(session, period_of(period, start), settings, group_by=group_by,
                          filters=Filters(units=units, field=field, procedure=procedure))


def compute_series(
    session: Session, weeks: Sequence[Period], settings: Settings, units: Sequence[str] | None = None
) -> list[Report]:
    """One report per period (by unit), for charts over several weeks."""
    return [compute_period(session, w, settings, filters=Filters(units=units)) for w in weeks]
