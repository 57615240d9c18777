"""The PostgreSQL loader: accepted rows are streamed with binary ``COPY`` (sent by a writer thread, so the
server ingests while the next rows are checked) into a temporary staging table (dropped at commit), then
applied by a few set-based statements in the same transaction.

1. status reversals: one join of the staging table with the stored dossiers;
2. changed dossiers (content hash differs): one ``UPDATE … FROM`` whose ``RETURNING`` feeds the status
   history and the apologies (inserted or updated by dossier and sending time) in the same statement;
3. new dossiers: one ``INSERT … SELECT`` in file order, their apologies in the same statement.

New rows are inserted only for codes not stored yet (not ``INSERT … ON CONFLICT DO UPDATE``, which takes a
value of the id sequence for every row, also the unchanged ones: a daily re-import of a million dossiers
would use up the 32-bit ids within a few years).
"""

from __future__ import annotations

from typing import Any, cast

import psycopg
from psycopg.copy import QueuedLibpqWriter

from bot.dossiers.import_load import COLUMNS, Loader
from bot.dossiers.import_rows import RANK, Parsed

_STAGE = "import_stage"
_APOLOGY = ("apology_sent_at", "apology_new_due_at", "apology_reason")
_NO_APOLOGY = (None, None, None)


def _rank(column: str) -> str:
    """SQL for the progress rank of a status column (NULL for unknown wording, as ``is_reversal``)."""
    cases = " ".join(f"WHEN '{status}' THEN {rank}" for status, rank in RANK.items())
    return f"CASE {column} {cases} END"


_REVERSALS = f"""
SELECT s.line, d.status, s.status, s.status_text FROM {_STAGE} s JOIN dossiers d ON d.code = s.code
WHERE {_rank("s.status")} < {_rank("d.status")} ORDER BY s.line
"""
_APOLOGY_UPSERT = """
ON CONFLICT (dossier_id, sent_at) DO UPDATE SET new_due_at = EXCLUDED.new_due_at, reason = EXCLUDED.reason
WHERE apologies.new_due_at IS DISTINCT FROM EXCLUDED.new_due_at OR apologies.reason IS DISTINCT FROM EXCLUDED.reason
"""
_UPDATE = f"""
WITH changed AS (
    UPDATE dossiers d SET ({", ".join(COLUMNS)}, updated_at) = ({", ".join(f"s.{c}" for c in COLUMNS)}, %(now)s)
    FROM {_STAGE} s JOIN dossiers o ON o.code = s.code
    WHERE d.id = o.id AND o.content_hash IS DISTINCT FROM s.content_hash
    RETURNING d.id, s.line, s.code, o.status AS old_status, s.status AS new_status, s.status_text,
              s.apology_sent_at, s.apology_new_due_at, s.apology_reason
), events AS (
    INSERT INTO dossier_events (dossier_id, at, old_status, new_status, status_text, source)
    SELECT id, %(now)s, old_status, new_status, status_text, %(source)s FROM changed
    WHERE old_status <> new_status ORDER BY line
), apology AS (
    INSERT INTO apologies (dossier_id, sent_at, new_due_at, reason)
    SELECT id, apology_sent_at, apology_new_due_at, apology_reason FROM changed
    WHERE apology_sent_at IS NOT NULL ORDER BY line
    {_APOLOGY_UPSERT}
)
SELECT id, code, old_status, new_status FROM changed ORDER BY line
"""
_INSERT = f"""
WITH inserted AS (
    INSERT INTO dossiers ({", ".join(COLUMNS)}, updated_at)
    SELECT {", ".join(f"s.{c}" for c in COLUMNS)}, %(now)s FROM {_STAGE} s
    WHERE NOT EXISTS (SELECT FROM dossiers d WHERE d.code = s.code) ORDER BY s.line
    RETURNING id, code
), apology AS (
    INSERT INTO apologies (dossier_id, sent_at, new_due_at, reason)
    SELECT i.id, s.apology_sent_at, s.apology_new_due_at, s.apology_reason
    FROM inserted i JOIN {_STAGE} s ON s.code = i.code
    WHERE s.apology_sent_at IS NOT NULL ORDER BY s.line
)
SELECT count(*) FROM inserted
"""


class StagedLoader(Loader):
    """PostgreSQL: ``COPY`` into a temporary staging table, then set-based statements."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staged = 0
        raw = self.conn.connection.dbapi_connection
        self.cur = cast("psycopg.Cursor[Any]", raw.cursor())  # type: ignore[union-attr]
        apology = "NULL::timestamptz AS apology_sent_at, NULL::timestamptz AS apology_new_due_at, ''::text"
        self.cur.execute(
            f"CREATE TEMP TABLE {_STAGE} ON COMMIT DROP AS "
            f"SELECT 0 AS line, {', '.join(COLUMNS)}, {apology} AS apology_reason FROM dossiers WITH NO DATA"
        )
        self.cur.execute(
            "SELECT atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 ORDER BY attnum",
            (f"pg_temp.{_STAGE}",),
        )
        types = [oid for (oid,) in self.cur.fetchall()]
        names = ", ".join(["line", *COLUMNS, *_APOLOGY])
        # the rows go to the server from a thread: reading and checking the next rows goes on meanwhile
        sql = f"COPY {_STAGE} ({names}) FROM STDIN (FORMAT BINARY)"
        self._copy_cm = self.cur.copy(sql, writer=QueuedLibpqWriter(self.cur))
        self.copy = self._copy_cm.__enter__()
        self.copy.set_types(types)
        self._copying = True

    def add(self, parsed: Parsed) -> None:
        self.copy.write_row((parsed.line, *parsed.values.values(), *(parsed.apology or _NO_APOLOGY)))
        self.staged += 1

    def _end_copy(self, error: BaseException | None = None) -> None:
        if self._copying:
            self._copying = False
            self._copy_cm.__exit__(type(error) if error else None, error, None)

    def close(self) -> None:
        if self._copying:  # an error while rows were still being copied: abort the COPY
            self._end_copy(RuntimeError("import aborted"))
        self.cur.close()

    def finish(self) -> None:
        self._end_copy()
        cur = self.cur
        cur.execute(f"ANALYZE {_STAGE}")
        if not self.allow_reversal:
            cur.execute(_REVERSALS)
            for line, old, new, status_text in cur.fetchall():
                self.reject_reversal(line, old, new, status_text)
        if self.result.rejected:
            return
        params = {"now": self.now, "source": self.source}
        cur.execute(_UPDATE, params)
        changed = cur.fetchall()
        for dossier_id, code, old, new in changed:
            if old != new:
                self.changed_status(dossier_id, code, old, new)
        cur.execute(_INSERT, params)
        found = cur.fetchone()
        inserted = int(found[0]) if found else 0
        self.result.inserted += inserted
        self.result.updated += len(changed)
        self.result.unchanged += self.staged - inserted - len(changed)
