"""Receiving points as ``config.toml`` describes them, and the points that take a given procedure."""

from __future__ import annotations

import re
from datetime import time

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.catalog.model import Level, web_address

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OFFICE_HOURS = "07:30-11:30, 13:30-17:00"
_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")

Interval = tuple[time, time]


def parse_intervals(text: str) -> list[Interval]:
    """``"07:30-11:30, 13:30-17:00"`` → two (start, end) pairs; ``""`` → closed. Raises ValueError."""
    intervals: list[Interval] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        match = _INTERVAL.match(part)
        if match is None:
            raise ValueError(f"“{part}”: write opening hours as HH:MM-HH:MM, e.g. 07:30-11:30, 13:30-17:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = time(h1, m1), time(h2, m2)
        if not start < end or (intervals and start < intervals[-1][1]):
            raise ValueError(f"“{part}”: each interval must end after it starts and after the previous one")
        intervals.append((start, end))
    return intervals


class OpeningHours(BaseModel):
    """Opening hours per weekday, e.g. ``mon = "07:30-11:30, 13:30-17:00"``; "" = closed that day."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mon: str = OFFICE_HOURS
    tue: str = OFFICE_HOURS
    wed: str = OFFICE_HOURS
    thu: str = OFFICE_HOURS
    fri: str = OFFICE_HOURS
    sat: str = ""
    sun: str = ""

    @field_validator(*WEEKDAYS)
    @classmethod
    def _valid(cls, v: str) -> str:
        parse_intervals(v)
        return v

    def on(self, weekday: int) -> list[Interval]:
        """Intervals of weekday ``weekday`` (0 = Monday)."""
        return parse_intervals(getattr(self, WEEKDAYS[weekday]))

    @property
    def working_week(self) -> list[Interval]:
        """The hours of an ordinary working day (Monday's, else the first weekday that opens): used on a
        make-up working day (ngày làm bù), whatever its weekday."""
        return next((self.on(d) for d in range(5) if self.on(d)), [])


class ReceivingPoint(BaseModel):
    """One place that receives dossiers: a one-stop counter of the province or of a commune/ward."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    address: str = ""
    phone: str = ""
    map_url: str = ""
    # Levels of the procedures received here ("Cấp tỉnh", "Cấp xã", …).
    levels: list[Level] = Field(min_length=1)
    # Communes/wards whose citizens file here; empty = everyone the office serves.
    areas: list[str] = Field(default_factory=list)
    hours: OpeningHours = Field(default_factory=OpeningHours)

    @field_validator("map_url")
    @classmethod
    def _url(cls, v: str) -> str:
        return web_address(v, "map_url")


def points_for(points: list[ReceivingPoint], levels: list[Level]) -> list[tuple[int, ReceivingPoint]]:
    """Points (with their index in the configuration) that receive procedures of any of ``levels``."""
    wanted = set(levels)
    return [(i, point) for i, point in enumerate(points) if wanted & set(point.levels)]
