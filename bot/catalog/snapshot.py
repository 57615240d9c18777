"""The last good catalog on disk: what a start serves when a catalog file is broken.

Every catalog that loads without problems (and is accepted by the removal guard) is written to
``<state_dir>/catalog-last-good.pickle`` with its content digest and a checksum of the stored bytes; the
digest alone is also written to ``catalog-last-good.sha256`` so running processes can see cheaply that an
administrator accepted a catalog (``catalog reload --allow-removals``) in another process.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot import clock
from bot.catalog.model import LexiconEntry, Procedure

SNAPSHOT_FILE = "catalog-last-good.pickle"
DIGEST_FILE = "catalog-last-good.sha256"
SNAPSHOT_VERSION = 1  # bump when the Procedure model changes shape

log = logging.getLogger(__name__)


def catalog_digest(procedures: dict[str, Procedure], lexicon: list[LexiconEntry]) -> str:
    """A sha256 of the catalog's content (same procedures and lexicon → same digest, in any process)."""
    h = hashlib.sha256()
    for code in sorted(procedures):
        h.update(procedures[code].model_dump_json().encode("utf-8"))
        h.update(b"\n")
    for entry in lexicon:
        h.update(entry.model_dump_json().encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """A catalog kept on disk."""

    procedures: dict[str, Procedure]
    lexicon: list[LexiconEntry]
    digest: str
    saved_at: datetime
    source: str  # the catalog folder it was loaded from


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


def save_snapshot(
    state_dir: Path, procedures: dict[str, Procedure], lexicon: list[LexiconEntry], source: Path, digest: str
) -> bool:
    """Keep this catalog as the last good one; False (nothing written) when it is already the one kept."""
    if stored_digest(state_dir) == digest and (state_dir / SNAPSHOT_FILE).is_file():
        return False
    state_dir.mkdir(parents=True, exist_ok=True)
    payload = pickle.dumps((procedures, lexicon, digest, clock.now(), str(source)), protocol=pickle.HIGHEST_PROTOCOL)
    checksum = hashlib.sha256(payload).hexdigest()
    _atomic_write(state_dir / SNAPSHOT_FILE, pickle.dumps((SNAPSHOT_VERSION, checksum, payload)))
    _atomic_write(state_dir / DIGEST_FILE, digest.encode("ascii") + b"\n")
    return True


def stored_digest(state_dir: Path) -> str:
    """The digest of the last good catalog kept in ``state_dir`` ('' when there is none)."""
    try:
        return (state_dir / DIGEST_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def load_snapshot(state_dir: Path) -> Snapshot | None:
    """The last good catalog kept in ``state_dir``; None when there is none or it is unusable (logged)."""
    path = state_dir / SNAPSHOT_FILE
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            version, checksum, payload = pickle.load(fh)
        if version != SNAPSHOT_VERSION:
            log.warning("%s was written by another version of the assistant; not used", path)
            return None
        if hashlib.sha256(payload).hexdigest() != checksum:
            log.error("%s is damaged (checksum mismatch); not used", path)
            return None
        procedures, lexicon, digest, saved_at, source = pickle.loads(payload)
    except Exception as error:  # truncated, not a snapshot: as if there were none
        log.error("%s cannot be read (%s); not used", path, type(error).__name__)
        return None
    return Snapshot(procedures, lexicon, digest, saved_at, source)
