"""The alias check: every administrator-written alias, asked as a question, should find its own procedure.

An alias whose procedure does not come first usually means a situation or a lexicon term is broader than it
should be (or the alias names another procedure as well); ``python -m bot catalog aliases`` lists them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.catalog.model import Procedure
from bot.search.engine import SearchEngine


@dataclass(frozen=True, slots=True)
class AliasMiss:
    """An alias of ``code`` whose search put ``found`` (or nothing) first."""

    code: str
    alias: str
    found: str | None
    answered: bool  # the assistant would present ``found`` as its answer


def alias_misses(engine: SearchEngine, procedures: Iterable[Procedure]) -> tuple[int, list[AliasMiss]]:
    """The number of aliases checked and those whose own procedure (or a level variant of it) is not first."""
    checked = 0
    misses: list[AliasMiss] = []
    for proc in procedures:
        for alias in proc.aliases:
            checked += 1
            result = engine.search(alias, limit=1)
            top = result.results[0] if result.results else None
            if top is None or proc.code not in (top.code, *top.variants):
                misses.append(AliasMiss(proc.code, alias, top.code if top else None, result.answer is not None))
    return checked, misses
