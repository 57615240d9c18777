"""The office's real units: those of the imported dossiers and ``[office].units``; a misspelt unit is refused
with the closest known names (rapidfuzz, accents and case ignored)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dossiers.models import Dossier

SUGGESTIONS = 3
MIN_SCORE = 60


class UnknownUnit(ValueError):
    """A unit no dossier and no setting knows; ``suggestions`` are the closest known names."""

    def __init__(self, unit: str, suggestions: list[str], known: int) -> None:
        hint = ("; did you mean: " + " | ".join(f'"{s}"' for s in suggestions)) if suggestions else ""
        empty = "" if known else " (no unit is known yet: import the dossier export or set [office].units)"
        super().__init__(f'unknown unit "{unit}"{hint}{empty}')
        self.unit, self.suggestions = unit, suggestions


def _plain(name: str) -> str:
    """Lower case without Vietnamese accents (đ → d), for fuzzy matching."""
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def known_units(session: Session, configured: Sequence[str] = ()) -> list[str]:
    """Every unit of the imported dossiers and of the settings, sorted."""
    imported = session.scalars(select(Dossier.unit).where(Dossier.unit != "").distinct())
    return sorted({*imported, *(u.strip() for u in configured if u.strip())})


def closest_units(unit: str, known: Sequence[str], limit: int = SUGGESTIONS) -> list[str]:
    """The known names closest to ``unit``, best first."""
    found = process.extract(unit, list(known), scorer=fuzz.WRatio, processor=_plain, limit=limit,
                            score_cutoff=MIN_SCORE)  # fmt: skip
    return [name for name, _score, _index in found]


def check_units(session: Session, units: Sequence[str], configured: Sequence[str] = ()) -> None:
    """Raise :class:`UnknownUnit` for the first of ``units`` that is not exactly a known unit."""
    known = known_units(session, configured)
    names = set(known)
    for unit in units:
        if unit.strip() and unit.strip() not in names:
            raise UnknownUnit(unit.strip(), closest_units(unit.strip(), known), len(known))
