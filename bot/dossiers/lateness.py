"""One definition of late (hồ sơ trễ hạn), shared by reports, ``/trehan``, the morning alert and the charts.

Judged at a cut-off instant ``at`` (the end of a report period, or now for the current one and the alert),
following Decision 766/QĐ-TTg and Decree 118/2025/NĐ-CP:

- a dossier **finished** (result ready: ``finished_at``, else ``returned_at``) is late when it was finished
  after its appointment (``due_at``) or when supplements were requested more than once; otherwise it was
  finished early or on time (no appointment = on time);
- a dossier **still open at** ``at`` (received before it and not finished before it) is *overdue* when its
  appointment has passed or supplements were requested more than once, else *on track*;
- waiting time for supplements is taken as the export states it: the appointment in the export already
  carries any extension the one-stop software gave for the waiting time; nothing is subtracted here.

Every function returns a SQL expression over ``Dossier`` so that counts stay in the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, not_, or_, true

from bot.dossiers.models import Dossier

#: Requests for supplements allowed before a dossier counts as late (766: the second request makes it late).
SUPPLEMENT_LIMIT = 1


def done_at() -> ColumnElement[Any]:
    """When the result was ready: ``finished_at``, else ``returned_at`` (NULL while open)."""
    return func.coalesce(Dossier.finished_at, Dossier.returned_at)


def repeated_supplements() -> ColumnElement[bool]:
    """Supplements requested more than once (late whatever the dates say)."""
    return func.coalesce(Dossier.supplements, 0) > SUPPLEMENT_LIMIT


def finished_late() -> ColumnElement[bool]:
    """A finished dossier that is late: after its appointment, or supplements requested more than once."""
    return or_(and_(Dossier.due_at.is_not(None), done_at() > Dossier.due_at), repeated_supplements())


def open_at(at: datetime) -> ColumnElement[bool]:
    """Received before ``at`` and not finished before it (open now, or finished at or after ``at``)."""
    return and_(Dossier.received_at < at, or_(Dossier.is_open == true(), done_at() >= at))


def past_due(at: datetime) -> ColumnElement[bool]:
    """What makes an open dossier overdue at ``at``: its appointment passed, or repeated supplements."""
    return or_(Dossier.due_at < at, repeated_supplements())


def overdue_at(at: datetime) -> ColumnElement[bool]:
    """Still open at ``at`` and overdue: late by the one definition."""
    return and_(open_at(at), past_due(at))


def on_track_at(at: datetime) -> ColumnElement[bool]:
    """Still open at ``at`` and not overdue (no appointment counts as on track)."""
    in_time = or_(Dossier.due_at.is_(None), Dossier.due_at >= at)
    return and_(open_at(at), in_time, not_(repeated_supplements()))
