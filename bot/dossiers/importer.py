"""Import a one-stop export into the dossier store: all or nothing, idempotent, history of status changes.

Rows are read and checked one by one (``import_rows``: every rejected row is listed with its line), and the
accepted ones handed to a loader inside ONE transaction: on PostgreSQL streamed with ``COPY`` into a staging
table and applied by a few set-based statements (``import_staged``), on SQLite written in chunks through
prepared statements (``import_load``). Once a row is rejected nothing more is applied; the rest of the file
is still checked (status reversals too) so every rejected row is listed, in line order; then the transaction
is rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from bot import clock
from bot.catalog.model import Procedure
from bot.config import Settings
from bot.dossiers.calendar import WorkCalendar
from bot.dossiers.import_load import ChunkLoader, Loader
from bot.dossiers.import_rows import ImportResult, Parsed, RejectedRow, RowReader, is_reversal
from bot.dossiers.import_staged import StagedLoader
from bot.dossiers.mapping import DEFAULT_COLUMNS, REQUIRED, ColumnMapping, load_mapping
from bot.dossiers.sources import Source, SourceFileError, open_source
from bot.security import secret_key
from bot.storage.db import Database

__all__ = ["ImportFileError", "ImportResult", "RejectedRow", "import_dossiers", "is_reversal"]

log = logging.getLogger(__name__)

#: Rows per chunk of the SQLite loader (and per refresh of the progress bar).
CHUNK_ROWS = 5000


def _missing_columns(source: Source, mapping: ColumnMapping) -> list[str]:
    found = mapping.resolve(source.header)
    return [f for f in REQUIRED if f not in found]


def _accepted(source: Source, reader: RowReader, result: ImportResult) -> Iterator[Parsed]:
    """Parsed rows in file order; rejected rows (bad values, duplicate codes) go to ``result.rejected``."""
    seen: dict[str, int] = {}
    for row in source.rows:
        parsed = reader.read(row)
        if isinstance(parsed, RejectedRow):
            result.rejected.append(parsed)
            continue
        first = seen.get(parsed.code)
        if first is not None:  # (a JSON export may hold several records on one line: compare codes, not lines)
            column = reader.columns(row).get("code", "")
            reason = f"duplicate dossier code {parsed.code} (first on line {first})"
            result.rejected.append(RejectedRow(row.line, reason, column))
            continue
        seen[parsed.code] = row.line
        values = parsed.values
        if values["status"] == "unknown":
            result.unknown_statuses[str(values["status_text"])] += 1
        if values["due_computed"]:
            result.due_computed += 1
        yield parsed


def _loader_class(db: Database) -> type[Loader]:
    """The staged loader on PostgreSQL, the chunked one on SQLite."""
    return StagedLoader if db.engine.dialect.name == "postgresql" else ChunkLoader


class ImportFileError(SourceFileError):
    """The file as a whole cannot be imported (missing columns, unreadable, too large)."""


def import_dossiers(
    db: Database,
    path: Path,
    *,
    settings: Settings,
    procedures: Mapping[str, Procedure] | None = None,
    mapping_path: Path | None = None,
    progress: bool = False,
    source_name: str | None = None,
    dry_run: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    allow_status_reversal: bool = False,
) -> ImportResult:
    """Import ``path`` (CSV or JSON export) completely or not at all; see the module docstring.

    A row moving a stored dossier to an earlier status (returned → processing) is rejected unless
    ``allow_status_reversal``. Raises ``SourceFileError`` (``ImportFileError`` for missing columns) or
    ``MappingError`` — both ``ValueError`` — when the file or the mapping as a whole is unusable."""
    mapping = load_mapping(mapping_path)
    source = open_source(path)
    if source.kind == "json" and not source.header:  # an empty list of dossiers: nothing to do
        return ImportResult(applied=True)
    missing = _missing_columns(source, mapping)
    if missing:
        names = "; ".join(f"{m} (e.g. {', '.join(DEFAULT_COLUMNS[m][:3])})" for m in missing)
        raise ImportFileError(f"{path}: missing required column(s): {names}. Add them to a mapping file (--mapping).")
    tz = settings.zone
    loader_class = _loader_class(db)
    calendar = WorkCalendar.from_settings(settings)
    reader = RowReader(mapping, tz, calendar, procedures, secret_key(settings), loader_class.stored_time)
    result = ImportResult()
    with db.engine.connect() as conn, _progress_bar(progress, source) as advance:
        trans = conn.begin()
        status_column = mapping.resolve(source.header).get("status", "status")
        try:
            loader = loader_class(
                conn, result, source_name=source_name or path.name, status_column=status_column,
                allow_reversal=allow_status_reversal, now=clock.now(), chunk_rows=chunk_rows,
            )  # fmt: skip
            try:
                for count, parsed in enumerate(_accepted(source, reader, result), 1):
                    loader.add(parsed)
                    if count % chunk_rows == 0:
                        advance()
                loader.finish()
            finally:
                loader.close()
        except BaseException:
            trans.rollback()
            raise
        result.rejected.sort(key=lambda r: r.line)
        if result.rejected or dry_run:
            trans.rollback()
        else:
            trans.commit()
            result.applied = True
    log.info(
        "dossier import %s: %d inserted, %d updated, %d unchanged, %d rejected%s",
        source_name or path.name,
        result.inserted,
        result.updated,
        result.unchanged,
        len(result.rejected),
        "" if result.applied else " (nothing applied)",
    )
    return result


@contextmanager
def _progress_bar(enabled: bool, source: Source) -> Iterator[Callable[[], None]]:
    """A rich progress bar over the bytes of the file (``advance()`` refreshes it), or a no-op."""
    if not enabled:
        yield lambda: None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("importing"), BarColumn(), DownloadColumn(), TimeRemainingColumn()) as bar:
        task = bar.add_task("import", total=source.total_bytes)
        yield lambda: bar.update(task, completed=source.position())
        bar.update(task, completed=source.total_bytes)
