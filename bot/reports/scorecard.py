"""The 766 scorecard (Decision 766/QĐ-TTg) per unit and for the office, for a month or a quarter.

Computed from the dossier export and the assistant's own ratings and complaints, in a few GROUP BY
queries. Each component is a measured share with the points the national portal would give where the rule
is known (``estimate`` marks points whose rule is only partly known); a component whose data the export
does not carry has no share and shows "không có dữ liệu" — never a guess.

- *progress* (20): finished early or on time ÷ (finished + open overdue), late as defined once in
  :mod:`bot.dossiers.lateness`; points = 20 × share;
- *online filing* (12): dossiers received and filed online, fully or partly ÷ dossiers received whose export
  says how they were filed; full marks at ≥ 50% (estimate);
- *online payment* (6 of 10): fee-bearing dossiers received and paid online ÷ fee-bearing dossiers received;
  full marks at ≥ 80% (estimate);
- *digitisation* (4 of 22): dossiers received with components and result digitised ÷ those the export
  says something about; full marks at ≥ 80% (estimate);
- *complaints handled on time* (6): complaints (phản ánh, kiến nghị) received in the period and answered
  within 15 working days ÷ those answered or already past that limit; points = 6 × share (estimate);
- *satisfaction in receiving and handling dossiers* (6): 100% − (% late + % of dossiers with a complaint
  or a dislike), both over the dossiers judged for progress; full marks at ≥ 90%, else share × 6 ÷ 90%.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import Session

from bot import clock
from bot.clock import as_utc
from bot.config import Settings
from bot.dossiers.calendar import WorkCalendar
from bot.dossiers.models import Dossier, OnlineFiling
from bot.feedback.models import Complaint, Rating, Subject
from bot.reports.compute import Figures, Filters, compute_period_with, count_if
from bot.reports.periods import Period

#: A rating at or below this score is a "dislike" (không hài lòng).
DISLIKE_MAX_SCORE = 2
#: Complaints (phản ánh, kiến nghị) count as handled on time when answered within this many working days (766).
COMPLAINT_WORKING_DAYS = 15


class Key(StrEnum):
    """The scorecard's components, in the order they are shown."""

    PROGRESS = "progress"
    ONLINE = "online"
    PAYMENT = "payment"
    DIGITISED = "digitised"
    COMPLAINTS = "complaints"
    SATISFACTION = "satisfaction"


@dataclass(frozen=True, slots=True)
class Rule:
    """How a share becomes points: ``max_points`` at ``full_at`` or above, linear below."""

    max_points: float
    full_at: float = 1.0
    estimate: bool = False

    def points(self, share: float) -> float:
        """The points of ``share`` (0–1)."""
        return self.max_points * min(1.0, max(0.0, share) / self.full_at)


RULES: dict[Key, Rule] = {
    Key.PROGRESS: Rule(20),
    Key.ONLINE: Rule(12, 0.5, estimate=True),
    Key.PAYMENT: Rule(6, 0.8, estimate=True),
    Key.DIGITISED: Rule(4, 0.8, estimate=True),
    Key.COMPLAINTS: Rule(6, estimate=True),
    Key.SATISFACTION: Rule(6, 0.9),
}


@dataclass(frozen=True, slots=True)
class Component:
    """One measured share: ``numerator`` of ``denominator``; no data when the denominator is 0."""

    key: Key
    numerator: int
    denominator: int
    share_override: float | None = None  # satisfaction is 100% − two shares, not a plain ratio

    @property
    def share(self) -> float | None:
        """The share (0–1), None when there is no data."""
        if not self.denominator:
            return None
        return self.share_override if self.share_override is not None else self.numerator / self.denominator

    @property
    def points(self) -> float | None:
        """Points under the component's rule; None without data."""
        share = self.share
        return None if share is None else RULES[self.key].points(share)


@dataclass(frozen=True, slots=True)
class Counts:
    """Everything a unit's scorecard is computed from."""

    figures: Figures
    online_known: int = 0
    online: int = 0
    fee_bearing: int = 0
    paid_online: int = 0
    digitised_known: int = 0
    digitised: int = 0
    complaints_due: int = 0
    complaints_on_time: int = 0
    disliked: int = 0  # dossiers with a complaint or a dislike in the period

    def components(self) -> list[Component]:
        """The six components, in :class:`Key` order."""
        f = self.figures
        judged = f.judged
        satisfaction = None
        if judged:
            satisfaction = max(0.0, 1.0 - (f.late + self.disliked) / judged)
        return [
            Component(Key.PROGRESS, f.on_time, judged),
            Component(Key.ONLINE, self.online, self.online_known),
            Component(Key.PAYMENT, self.paid_online, self.fee_bearing),
            Component(Key.DIGITISED, self.digitised, self.digitised_known),
            Component(Key.COMPLAINTS, self.complaints_on_time, self.complaints_due),
            Component(Key.SATISFACTION, judged - f.late - self.disliked, judged, satisfaction),
        ]


@dataclass(frozen=True, slots=True)
class UnitScore:
    """The scorecard of one unit ('' = the whole office)."""

    unit: str
    counts: Counts

    @property
    def components(self) -> list[Component]:
        """The six components."""
        return self.counts.components()

    @property
    def points(self) -> tuple[float, float]:
        """Points earned and the points at stake, over the components with data."""
        with_data = [c for c in self.components if c.points is not None]
        return sum(c.points or 0.0 for c in with_data), sum(RULES[c.key].max_points for c in with_data)


@dataclass(frozen=True, slots=True)
class Scorecard:
    """Per-unit scorecards and the office's for one period."""

    period: Period
    units: list[UnitScore]
    office: UnitScore
    partial: bool

    @property
    def is_empty(self) -> bool:
        """No dossier judged, received or rated in the period."""
        return self.office.counts.figures.is_empty


def _export_counts(received: Any) -> list[Any]:
    """Counts of the optional export columns over the dossiers received in the period (same pass as the report)."""
    online = Dossier.online.in_([OnlineFiling.FULL.value, OnlineFiling.PARTIAL.value])
    return [count_if(and_(received, c)) for c in (
        Dossier.online != "", online, Dossier.paid_online.is_not(None), Dossier.paid_online.is_(True),
        Dossier.digitised.is_not(None), Dossier.digitised.is_(True))]


def _disliked(session: Session, start: datetime, end: datetime, filters: Filters) -> dict[str, int]:
    bad = or_(Rating.score <= DISLIKE_MAX_SCORE, Rating.is_complaint.is_(True))
    query = (
        select(Rating.unit, func.count(distinct(Rating.dossier_id)))
        .where(Rating.subject == Subject.DOSSIER.value, Rating.dossier_id.is_not(None), bad,
               Rating.created_at >= start, Rating.created_at < end)
        .group_by(Rating.unit)
    )
    query = filters.apply(query, Rating.unit, Rating.field, Rating.procedure_code)
    return {str(u or ""): int(n) for u, n in session.execute(query)}


def complaint_deadline(created_at: datetime, calendar: WorkCalendar) -> datetime:
    """When a complaint received at ``created_at`` must be answered (end of the 15th working day)."""
    return calendar.add_working_days(as_utc(created_at), COMPLAINT_WORKING_DAYS)


def _complaints(
    session: Session, start: datetime, end: datetime, cutoff: datetime, units: Sequence[str] | None,
    settings: Settings, calendar: WorkCalendar | None,
) -> dict[str, list[int]]:
    """Per unit: complaints received in the period that are judged (answered, or past the limit at the
    cut-off), and how many of them were answered in time."""
    query = select(Complaint.unit, Complaint.created_at, Complaint.answered_at).where(
        Complaint.created_at >= start, Complaint.created_at < end)
    if units is not None:
        query = query.where(Complaint.unit.in_(list(units)))
    out: dict[str, list[int]] = {}
    for unit, created, answered in session.execute(query):
        calendar = calendar or WorkCalendar.from_settings(settings)  # built only when there are complaints
        deadline = complaint_deadline(created, calendar)
        answered = as_utc(answered)
        if answered is not None and answered < cutoff:
            counts = out.setdefault(str(unit or ""), [0, 0])
            counts[0] += 1
            counts[1] += answered <= deadline
        elif deadline < cutoff:  # unanswered and already late
            out.setdefault(str(unit or ""), [0, 0])[0] += 1
    return out


def compute_scorecard(
    session: Session, period: Period, settings: Settings, *, units: Sequence[str] | None = None,
    now: datetime | None = None, calendar: WorkCalendar | None = None,
) -> Scorecard:
    """The scorecard of ``period`` for ``units`` (every unit when None) and for all of them together."""
    now = now or clock.now()
    filters = Filters(units=units)
    report, export = compute_period_with(session, period, settings, filters=filters, now=now, extra=_export_counts)
    start, end = period.utc_bounds(settings.zone)
    cutoff = min(end, now)
    disliked = _disliked(session, start, end, filters)
    complaints = _complaints(session, start, end, cutoff, units, settings, calendar)
    figures = {row.key: row.figures for row in report.rows}
    keys = sorted(set(figures) | set(export) | set(complaints))
    scores = [UnitScore(key, Counts(figures.get(key, Figures()),
                                    *(export.get(key, [0] * 6) + complaints.get(key, [0, 0]) + [disliked.get(key, 0)])))
              for key in keys]
    return Scorecard(period, scores, UnitScore("", _sum(s.counts for s in scores)), partial=now < end)


def _sum(counts: Iterable[Counts]) -> Counts:
    figures, extra = Figures(), [0] * 9
    for c in counts:
        figures = figures + c.figures
        extra = [a + b for a, b in zip(extra, _extra(c), strict=True)]
    return Counts(figures, *extra)


def _extra(c: Counts) -> list[int]:
    return [c.online_known, c.online, c.fee_bearing, c.paid_online, c.digitised_known, c.digitised,
            c.complaints_due, c.complaints_on_time, c.disliked]
