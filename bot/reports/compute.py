"""Report figures computed in SQL with GROUP BY (one pass over dossiers, one over ratings).

Late is defined once, in :mod:`bot.dossiers.lateness` (Decision 766, Decree 118/2025/NĐ-CP); the period
is judged at its end, or now for the current one (the *cut-off*):

- *received*: dossiers received in the period;
- *finished*: dossiers whose result was ready in the period, split into early or on time and late (after
  the **original** appointment — an apology's new date does not make a late dossier on time — or
  supplements requested more than once);
- *open overdue* / *open on track*: dossiers still open at the cut-off, past their appointment or not
  (the open overdue ones are what ``/trehan`` lists when the cut-off is now);
- *late* = finished late + open overdue, split by whether an apology (phiếu xin lỗi) was issued;
- *on-time rate* (766 progress) = finished early or on time ÷ (finished + open overdue);
- *satisfaction*: the share of ratings given in the period that score 4 or 5 of 5.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, func, literal, not_, or_, select
from sqlalchemy.orm import Session

from bot import clock
from bot.config import Settings
from bot.dossiers import lateness
from bot.dossiers.models import Apology, Dossier
from bot.feedback.models import SATISFIED_MIN_SCORE, Rating
from bot.handoff.figures import QuestionFigures, question_figures
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
    on_time: int = 0  # finished early or on time
    finished_late: int = 0
    late_with_apology: int = 0  # of the late ones (finished late + open overdue)
    ratings: int = 0
    satisfied: int = 0
    # still open at the cut-off (end of the period, or now), past the appointment or not
    open_overdue: int = 0
    open_overdue_with_apology: int = 0
    open_on_track: int = 0

    @property
    def late(self) -> int:
        """Late dossiers: finished late, and still open past the appointment at the cut-off."""
        return self.finished_late + self.open_overdue

    @property
    def late_without_apology(self) -> int:
        """Late dossiers for which no apology was issued."""
        return self.late - self.late_with_apology

    @property
    def open_overdue_without_apology(self) -> int:
        """Open overdue dossiers without an apology (what ``/trehan`` counts when the cut-off is now)."""
        return self.open_overdue - self.open_overdue_with_apology

    @property
    def judged(self) -> int:
        """Dossiers the on-time rate is taken over: finished in the period and open overdue at its end."""
        return self.finished + self.open_overdue

    @property
    def on_time_rate(self) -> float | None:
        """Share finished early or on time among the judged dossiers; None when there are none."""
        return self.on_time / self.judged if self.judged else None

    @property
    def satisfaction_rate(self) -> float | None:
        """Share of ratings scoring 4–5; None when there were no ratings."""
        return self.satisfied / self.ratings if self.ratings else None

    @property
    def is_empty(self) -> bool:
        """No dossier and no rating at all."""
        return not (self.received or self.finished or self.ratings or self.open_overdue or self.open_on_track)

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(a + b for a, b in zip(_values(self), _values(other), strict=True)))


def _values(f: Figures) -> tuple[int, ...]:
    return (f.received, f.finished, f.on_time, f.finished_late, f.late_with_apology, f.ratings, f.satisfied,
            f.open_overdue, f.open_overdue_with_apology, f.open_on_track)


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
    partial: bool = False  # the period has not ended: judged as of now
    # questions citizens sent to officers in the period ("Hỏi cán bộ"), next to complaints; None when the
    # report is filtered by field or procedure (questions are kept per unit)
    questions: QuestionFigures | None = None

    @property
    def total(self) -> Figures:
        """All groups together."""
        total = Figures()
        for row in self.rows:
            total = total + row.figures
        return total

    @property
    def is_empty(self) -> bool:
        """Nothing received, finished, rated or asked in the period."""
        return self.total.is_empty and not (self.questions and (self.questions.received or self.questions.overdue_open))


_Counts = dict[str, list[int]]


def _columns(model: Any, group_by: GroupBy) -> Any:
    return {GroupBy.UNIT: model.unit, GroupBy.FIELD: model.field, GroupBy.PROCEDURE: model.procedure_code}[group_by]


def count_if(condition: Any) -> Any:
    """``SUM(CASE WHEN condition THEN 1 ELSE 0 END)``, 0 over no rows."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


#: More counts over the dossiers received in the period, computed in the same pass (the scorecard's columns).
ExtraCounts = Callable[[Any], Sequence[Any]]


def _dossier_figures(
    session: Session, group_by: GroupBy, start: Any, end: Any, filters: Filters, now: Any,
    extra: ExtraCounts | None = None,
) -> _Counts:
    key = _columns(Dossier, group_by)
    done = lateness.done_at()
    cutoff = min(end, now)  # a current period is judged as of now; a future one has no backlog yet
    received = and_(Dossier.received_at >= start, Dossier.received_at < end)
    finished = and_(done >= start, done < cutoff)
    late = and_(finished, lateness.finished_late())
    apologised = Dossier.id.in_(select(Apology.dossier_id))  # one hashed set, not a lookup per row
    started = literal(now >= start)
    overdue = and_(started, lateness.overdue_at(cutoff))
    on_track = and_(started, lateness.on_track_at(cutoff))
    query = (
        select(key, count_if(received), count_if(finished), count_if(and_(finished, not_(lateness.finished_late()))),
               count_if(late), count_if(and_(or_(late, overdue), apologised)), count_if(overdue),
               count_if(and_(overdue, apologised)), count_if(on_track), *(extra(received) if extra else ()))
        .where(or_(received, finished, and_(started, lateness.open_at(cutoff))))
        .group_by(key)
    )
    query = filters.apply(query, Dossier.unit, Dossier.field, Dossier.procedure_code)
    return {str(k or ""): [int(v) for v in vals] for k, *vals in session.execute(query)}


def _rating_figures(session: Session, group_by: GroupBy, start: Any, end: Any, filters: Filters) -> _Counts:
    key = _columns(Rating, group_by)
    query = (
        select(key, func.count(Rating.id), count_if(Rating.score >= SATISFIED_MIN_SCORE))
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
    return compute_period_with(session, period, settings, group_by=group_by, filters=filters, now=now)[0]


def compute_period_with(
    session: Session, period: Period, settings: Settings, *, group_by: GroupBy | str = GroupBy.UNIT,
    filters: Filters | None = None, now: datetime | None = None, extra: ExtraCounts | None = None,
) -> tuple[Report, dict[str, list[int]]]:
    """The report of ``period`` and, per group, the ``extra`` counts over the dossiers received in it."""
    group_by, filters = GroupBy(group_by), filters or Filters()
    start, end = period.utc_bounds(settings.zone)
    now = now or clock.now()
    dossiers = _dossier_figures(session, group_by, start, end, filters, now, extra)
    ratings = _rating_figures(session, group_by, start, end, filters)
    rows = []
    for key in sorted(set(dossiers) | set(ratings)):
        d, r = dossiers.get(key, [0] * 8), ratings.get(key, [0, 0])
        rows.append(ReportRow(key, Figures(*(d[:5] + r + d[5:8]))))
    questions = None
    if filters.field is None and filters.procedure is None:
        units = list(filters.units) if filters.units is not None else None
        questions = question_figures(session, start, end, now, units=units)
    report = Report(period, group_by, rows, settings.reports.satisfaction_target, settings.reports.on_time_target,
                    filters, partial=now < end, questions=questions)
    return report, {key: d[8:] for key, d in dossiers.items()}


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
    session: Session, weeks: Sequence[Period], settings: Settings, units: Sequence[str] | None = None,
    now: datetime | None = None,
) -> list[Report]:
    """One report per period (by unit) that has begun by ``now``, for charts over several weeks or months."""
    now = now or clock.now()
    return [compute_period(session, w, settings, filters=Filters(units=units), now=now) for w in weeks
            if w.utc_bounds(settings.zone)[0] <= now]
