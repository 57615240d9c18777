"""A loaded catalog together with its search index and field listing, swapped as one on reload."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.catalog.english import EnglishTerm
from bot.catalog.model import Level, LexiconEntry, Procedure
from bot.catalog.situations import SituationBook
from bot.search.engine import SearchEngine
from bot.search.english import EnglishReader
from bot.search.normalize import fold


def field_id(name: str) -> str:
    """A short, stable id for a field name (fits in button data)."""
    return hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


@dataclass
class Knowledge:
    """Everything the conversation needs to know about procedures, consistent with one catalog."""

    procedures: dict[str, Procedure]
    engine: SearchEngine
    preferred_levels: list[Level]
    fields: list[str] = field(default_factory=list)
    english: EnglishReader = field(default_factory=EnglishReader)
    _by_field: dict[str, list[Procedure]] = field(default_factory=dict)
    _field_ids: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        procedures: Iterable[Procedure],
        lexicon: list[LexiconEntry],
        preferred_levels: list[Level],
        situations: SituationBook | None = None,
        english: Iterable[EnglishTerm] = (),
    ) -> Knowledge:
        """Index ``procedures`` for search and browsing; ``english`` reads English questions."""
        procs = {p.code: p for p in procedures}
        engine = SearchEngine.build(procs.values(), lexicon, preferred_levels, situations)
        k = cls(procedures=procs, engine=engine, preferred_levels=list(preferred_levels),
                english=EnglishReader(english))
        for p in procs.values():
            k._by_field.setdefault(p.field, []).append(p)
        k.fields = sorted(k._by_field, key=lambda f: fold(f.lower()))
        k._field_ids = {field_id(f): f for f in k.fields}
        for items in k._by_field.values():
            items.sort(key=lambda p: (not k.serves(p), fold(p.name.lower())))
        return k

    def serves(self, procedure: Procedure) -> bool:
        """Whether this office performs ``procedure`` at one of its levels."""
        return any(level in self.preferred_levels for level in procedure.levels)

    def field_by_id(self, fid: str) -> str | None:
        """Field name for an id from :func:`field_id`, None if unknown (stale button)."""
        return self._field_ids.get(fid)

    def in_field(self, name: str) -> list[Procedure]:
        """Procedures of a field, the office's own levels first."""
        return self._by_field.get(name, [])
