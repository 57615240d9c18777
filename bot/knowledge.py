"""A loaded catalog together with its search index and field listing, swapped as one on reload; opening the
catalog named in the settings (light: the search command and the catalog commands need nothing else)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.catalog.english import EnglishTerm
from bot.catalog.guard import list_removed
from bot.catalog.loader import Catalog
from bot.catalog.model import Level, LexiconEntry, Procedure
from bot.catalog.packed import PackedProcedures
from bot.catalog.problems import format_problems
from bot.catalog.questions import Example
from bot.catalog.reload import CatalogHolder, ReloadResult
from bot.catalog.situations import SituationBook
from bot.config import Settings
from bot.search.engine import SearchEngine
from bot.search.english import EnglishReader
from bot.search.index import indexed_part
from bot.search.normalize import fold
from bot.search.stored import engine_key, load_engine, save_engine

log = logging.getLogger(__name__)


def field_id(name: str) -> str:
    """A short, stable id for a field name (fits in button data)."""
    return hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True, slots=True)
class FieldListing:
    """The fields (lĩnh vực) in display order and the codes of each, the office's own levels first."""

    fields: list[str]
    codes: dict[str, list[str]]

    @classmethod
    def of(cls, procedures: Iterable[Procedure], preferred_levels: list[Level]) -> FieldListing:
        """The listing of ``procedures`` for an office serving ``preferred_levels``."""
        by_field: dict[str, list[Procedure]] = {}
        for p in procedures:
            by_field.setdefault(p.field, []).append(p)
        for items in by_field.values():
            items.sort(key=lambda p: (not serves(p, preferred_levels), fold(p.name.lower())))
        fields = sorted(by_field, key=lambda f: fold(f.lower()))
        return cls(fields, {f: [p.code for p in by_field[f]] for f in fields})


def serves(procedure: Procedure, preferred_levels: list[Level]) -> bool:
    """Whether an office serving ``preferred_levels`` performs ``procedure``."""
    return any(level in preferred_levels for level in procedure.levels)


@dataclass
class Knowledge:
    """Everything the conversation needs to know about procedures, consistent with one catalog."""

    procedures: Mapping[str, Procedure]
    engine: SearchEngine
    preferred_levels: list[Level]
    listing: FieldListing = field(default_factory=lambda: FieldListing([], {}))
    english: EnglishReader = field(default_factory=EnglishReader)
    _field_ids: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._field_ids = {field_id(f): f for f in self.listing.fields}

    @classmethod
    def build(
        cls,
        procedures: Iterable[Procedure],
        lexicon: list[LexiconEntry],
        preferred_levels: list[Level],
        situations: SituationBook | None = None,
        english: Iterable[EnglishTerm] = (),
        questions: Iterable[Example] = (),
    ) -> Knowledge:
        """Index ``procedures`` for search and browsing; ``english`` reads English questions; the search recalls
        the example ``questions``."""
        procs = {p.code: p for p in procedures}
        examples = [(ex.question, ex.codes) for ex in questions]
        engine = SearchEngine.build(procs.values(), lexicon, preferred_levels, situations, examples)
        return cls(procs, engine, list(preferred_levels), FieldListing.of(procs.values(), preferred_levels),
                   EnglishReader(english))  # fmt: skip

    @classmethod
    def of_catalog(
        cls, catalog: Catalog, preferred_levels: list[Level], state_dir: Path | None = None, digest: str = ""
    ) -> Knowledge:
        """:meth:`build` for ``catalog`` (of content ``digest``); with ``state_dir``, the index and listing
        built for the same catalog, levels and search code are read back from it instead of being rebuilt,
        and a new build is kept there for the next start."""
        key = engine_key(digest, preferred_levels)
        stored = load_engine(state_dir, key) if state_dir is not None and digest else None
        if stored is not None and isinstance(stored[1], FieldListing):
            parts, listing = stored
            engine = SearchEngine.assemble(parts, catalog.procedures)
            return cls(catalog.procedures, engine, list(preferred_levels), listing, EnglishReader(catalog.english))
        procedures = catalog.procedures
        if isinstance(procedures, PackedProcedures):  # unpacked one by one, reduced to what the build reads
            procedures = {p.code: indexed_part(p) for p in procedures.each_fresh()}
        built = cls.build(procedures.values(), catalog.lexicon, preferred_levels, catalog.situations,
                          catalog.english, catalog.questions)  # fmt: skip
        if state_dir is not None and digest:
            try:
                save_engine(state_dir, key, built.engine.parts, built.listing)
            except OSError as error:  # a read-only state folder: only the next start is slower
                log.warning("search index not kept in %s: %s", state_dir, error)
        if procedures is catalog.procedures:
            return built
        engine = SearchEngine.assemble(built.engine.parts, catalog.procedures)
        return cls(catalog.procedures, engine, list(preferred_levels), built.listing, built.english)

    @property
    def fields(self) -> list[str]:
        """Field names in display order."""
        return self.listing.fields

    def serves(self, procedure: Procedure) -> bool:
        """Whether this office performs ``procedure`` at one of its levels."""
        return serves(procedure, self.preferred_levels)

    def field_by_id(self, fid: str) -> str | None:
        """Field name for an id from :func:`field_id`, None if unknown (stale button)."""
        return self._field_ids.get(fid)

    def field_size(self, name: str) -> int:
        """How many procedures a field has."""
        return len(self.listing.codes.get(name, ()))

    def in_field(self, name: str) -> list[Procedure]:
        """Procedures of a field, the office's own levels first."""
        return [self.procedures[c] for c in self.listing.codes.get(name, ())]


def open_catalog(settings: Settings) -> CatalogHolder:
    """Load the catalog named in the settings (through the parsed-catalog cache), falling back to the last
    good catalog kept in ``catalog.state_dir``; :class:`CatalogError` when there is neither."""
    holder = catalog_holder(settings)
    report_catalog(holder.reload_if_changed(), holder)
    return holder


def catalog_holder(settings: Settings) -> CatalogHolder:
    """:func:`open_catalog` without logging what it found."""
    cache = settings.resolve(settings.catalog.cache_path)
    cache.parent.mkdir(parents=True, exist_ok=True)
    return CatalogHolder(settings.resolve(settings.catalog.path), cache_path=cache,
                         state_dir=settings.resolve(settings.catalog.state_dir),
                         max_removal_share=settings.catalog.max_removal_share)  # fmt: skip


def catalog_knowledge(holder: CatalogHolder, settings: Settings) -> Knowledge:
    """The search index and field listing of the catalog ``holder`` serves: read from ``catalog.state_dir``
    when built there for the same catalog, levels and search code, else built (and kept there)."""
    return Knowledge.of_catalog(holder.catalog, settings.office.levels, holder.state_dir, holder.digest)


def report_catalog(result: ReloadResult, holder: CatalogHolder) -> None:
    """Log what a reload (or the start) found: problems with file and line, removals awaiting confirmation."""
    served = len(holder.catalog.procedures)
    if result.problems:
        log.error("catalog files have %d problem(s); still serving the last good catalog (%d procedures):\n%s",
                  len(result.problems), served, format_problems(result.problems))  # fmt: skip
    if result.awaiting_confirmation:
        log.error("catalog edit refused: it removes %d of %d procedures (more than %.1f%%): %s; still serving "
                  "the last good catalog. Confirm with `python -m bot catalog reload --allow-removals` or the "
                  "button under /reload.", len(result.removed), result.before or served,
                  holder.max_removal_share * 100, list_removed(result.removed))  # fmt: skip
    elif result.reloaded:
        log.info("catalog reloaded: %d procedures (%d removed)", served, len(result.removed))
