"""Who answers a question and by when: the unit for a procedure's field, its officers, office hours, due time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.config import Settings
from bot.dossiers.calendar import WorkCalendar
from bot.officers.models import Officer, Role
from bot.officers.registry import is_admin
from bot.receiving.hours import opening_status


def unit_for(settings: Settings, field: str) -> str:
    """The unit answering questions about ``field`` (``[handoff].field_units``), else the duty desk."""
    return settings.handoff.field_units.get(field, "") or settings.handoff.duty_desk


def officers_on_duty(session: Session, unit: str) -> list[Officer]:
    """Active officers and leaders of ``unit``; administrators when the unit has nobody registered."""
    active = session.scalars(select(Officer).where(Officer.active.is_(True)).order_by(Officer.id)).all()
    own = [o for o in active if not is_admin(o) and unit in (o.units or [])]
    return own or [o for o in active if is_admin(o)]


def leaders_of(session: Session, unit: str) -> list[Officer]:
    """Active leaders of ``unit`` (reminders about overdue questions go to them too)."""
    active = session.scalars(select(Officer).where(Officer.active.is_(True), Officer.role == Role.LEADER.value))
    return [o for o in active if unit in (o.units or [])]


@dataclass(frozen=True, slots=True)
class Timing:
    """When a question asked at ``asked`` will be read and must be answered (local times)."""

    open_now: bool
    opens_at: datetime | None
    due_at: datetime


def timing(settings: Settings, asked: datetime, calendar: WorkCalendar | None = None) -> Timing:
    """Office hours at ``asked`` and the answer-by time: end of the N-th working day after that day."""
    calendar = calendar or WorkCalendar.from_settings(settings)
    local = as_utc(asked).astimezone(settings.zone)
    status = opening_status(settings.handoff.hours, local, calendar)
    day = local.date()
    for _ in range(settings.handoff.answer_working_days):
        day = calendar.next_working_day(day)
    return Timing(status.open_now, status.opens_at, calendar.end_of(day))
