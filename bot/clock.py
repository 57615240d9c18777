"""The one source of time for the whole assistant.

Every piece of code that needs "now" asks a :class:`Clock`: the wall clock (timezone-aware UTC, for
dates, deadlines and timestamps stored in the database) and a monotonic clock (for rate limits and
timeouts). Production uses :class:`SystemClock`; tests install a :class:`ManualClock` with
:func:`use_clock` (or pass one explicitly where a component takes ``clock=``), so no behaviour depends
on the day the suite runs.

Components that are built with a clock keep it; code without one (SQLAlchemy column defaults, small
helpers) reads the process-wide clock through :func:`now` / :func:`monotonic`.

Every stored time is UTC (:func:`as_utc`); the office's day and hours are in its time zone
(``Settings.zone``): :func:`local_date` and :func:`at_local` convert between the two.
"""

from __future__ import annotations

import asyncio
import contextlib
import time as _time
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol, overload


class Clock(Protocol):
    """Where time comes from."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (for intervals only)."""
        ...


class SystemClock:
    """The real clocks of the machine."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return _time.monotonic()


class ManualClock:
    """A clock that only moves when told to (tests, simulations, benchmarks).

    ``sleep`` advances it instead of waiting, so code that sleeps on this clock runs instantly.
    """

    def __init__(self, start: datetime, monotonic_start: float = 0.0) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)
        self._mono = monotonic_start

    def now(self) -> datetime:
        """The clock's current time (UTC)."""
        return self._now

    def monotonic(self) -> float:
        """Seconds since the clock was created, moved with :meth:`advance`."""
        return self._mono

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (timezone-aware); the monotonic clock moves by the same amount when forward."""
        moment = moment.astimezone(UTC)
        self._mono += max((moment - self._now).total_seconds(), 0.0)
        self._now = moment

    def advance(self, seconds: float | timedelta) -> None:
        """Move both clocks forward."""
        delta = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
        if delta < timedelta(0):
            raise ValueError("a clock cannot go backwards")
        self._now += delta
        self._mono += delta.total_seconds()

    async def sleep(self, seconds: float) -> None:
        """Advance instead of waiting (yields to the event loop once)."""
        self.advance(max(seconds, 0.0))
        await asyncio.sleep(0)


_current: Clock = SystemClock()


def current() -> Clock:
    """The process-wide clock."""
    return _current


def now() -> datetime:
    """The process-wide clock's current time (timezone-aware UTC)."""
    return _current.now()


def monotonic() -> float:
    """The process-wide clock's monotonic seconds."""
    return _current.monotonic()


def set_clock(clock: Clock) -> Clock:
    """Replace the process-wide clock; returns the previous one."""
    global _current
    previous, _current = _current, clock
    return previous


@contextlib.contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    """Use ``clock`` as the process-wide clock inside the ``with`` block."""
    previous = set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(previous)


# --------------------------------------------------------------------------- UTC and the office's day


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
@overload
def as_utc(value: datetime | None) -> datetime | None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """Aware UTC datetime; naive values (as SQLite returns them) are taken as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def local_date(moment: datetime, zone: tzinfo) -> date:
    """The calendar day in ``zone`` at ``moment`` (naive moments are UTC)."""
    return as_utc(moment).astimezone(zone).date()


def at_local(day: date, at: time, zone: tzinfo) -> datetime:
    """``day`` at the wall-clock time ``at`` in ``zone``, as UTC."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
