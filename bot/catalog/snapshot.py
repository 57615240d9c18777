"""The last good catalog on disk: what a start serves when a catalog file is broken.

Every catalog that loads without problems (and is accepted by the removal guard) is written to
``<state_dir>/catalog-last-good.pickle`` with its content digest and a checksum of the stored bytes. A small
index, ``catalog-last-good.json``, holds the digest, the codes and the stat signature of the files it came
from: a restart over unchanged files reads only the index (no digest computed, nothing written), the removal
guard compares codes without unpickling 23 MB, and running processes see cheaply that an administrator
accepted a catalog (``catalog reload --allow-removals``) in another process.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import pickle
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot import clock
from bot.catalog.loader import Signature
from bot.catalog.model import LexiconEntry, Procedure

SNAPSHOT_FILE = "catalog-last-good.pickle"
INDEX_FILE = "catalog-last-good.json"


log = logging.getLogger(__name__)


@functools.cache
def format_version() -> str:
    """Changes whenever the Procedure or LexiconEntry model changes shape: a snapshot written by another
    version of the code is never unpickled into the wrong model."""
    schemas = [Procedure.model_json_schema(), LexiconEntry.model_json_schema()]
    return hashlib.sha256(json.dumps(schemas, sort_keys=True).encode("utf-8")).hexdigest()[:16]


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
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # replicas sharing the folder never mix their writes
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


def signature_key(signature: Signature) -> str:
    """A sha256 of the files' stat signature (paths, mtimes, sizes): unchanged files, same key."""
    return hashlib.sha256("\n".join(f"{p}\t{m}\t{n}" for p, m, n in signature).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SnapshotIndex:
    """What is known of the last good catalog without reading it."""

    digest: str
    signature: str  # :func:`signature_key` of the files it was loaded from
    codes: tuple[str, ...]


def read_index(state_dir: Path) -> SnapshotIndex | None:
    """The index of the last good catalog in ``state_dir``; None when there is none (or it is unreadable)."""
    try:
        data = json.loads((state_dir / INDEX_FILE).read_text(encoding="utf-8"))
        return SnapshotIndex(str(data["digest"]), str(data["signature"]), tuple(data["codes"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def stored_digest(state_dir: Path) -> str:
    """The digest of the last good catalog kept in ``state_dir`` ('' when there is none)."""
    index = read_index(state_dir)
    return index.digest if index is not None else ""


def save_snapshot(
    state_dir: Path, procedures: dict[str, Procedure], lexicon: list[LexiconEntry], source: Path, digest: str,
    signature: Signature,
) -> bool:  # fmt: skip
    """Keep this catalog as the last good one; False when it already is (only the index is refreshed when
    the same catalog now comes from touched files)."""
    index = read_index(state_dir)
    key = signature_key(signature)
    same = index is not None and index.digest == digest and (state_dir / SNAPSHOT_FILE).is_file()
    if same and index is not None and index.signature == key:
        return False
    state_dir.mkdir(parents=True, exist_ok=True)
    if not same:
        payload = pickle.dumps((procedures, lexicon, digest, clock.now(), str(source)),
                               protocol=pickle.HIGHEST_PROTOCOL)  # fmt: skip
        checksum = hashlib.sha256(payload).hexdigest()
        _atomic_write(state_dir / SNAPSHOT_FILE, pickle.dumps((format_version(), checksum, payload)))
    entry = {"digest": digest, "signature": key, "codes": sorted(procedures), "saved_at": clock.now().isoformat()}
    _atomic_write(state_dir / INDEX_FILE, json.dumps(entry).encode("utf-8"))
    return not same


def load_snapshot(state_dir: Path) -> Snapshot | None:
    """The last good catalog kept in ``state_dir``; None when there is none or it is unusable (logged)."""
    path = state_dir / SNAPSHOT_FILE
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            version, checksum, payload = pickle.load(fh)
        if version != format_version():
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
