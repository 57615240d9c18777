"""State files written atomically with a format version and a checksum of their content.

A file written by another version of the code, truncated or altered is never used: :func:`read_sealed`
logs why and returns None, and the caller rebuilds what the file held.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from pathlib import Path

log = logging.getLogger(__name__)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a part."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # replicas sharing the folder never mix their writes
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


def write_sealed(path: Path, version: str, payload: bytes) -> None:
    """Keep ``payload`` in ``path`` with ``version`` and its sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    checksum = hashlib.sha256(payload).hexdigest()
    atomic_write(path, pickle.dumps((version, checksum, payload), protocol=pickle.HIGHEST_PROTOCOL))


def read_sealed(path: Path, version: str) -> bytes | None:
    """The payload kept in ``path``; None when there is none, or it is of another version or damaged (logged)."""
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            stored, checksum, payload = pickle.load(fh)
    except Exception as error:  # truncated, not a sealed file: as if there were none
        log.error("%s cannot be read (%s); not used", path, type(error).__name__)
        return None
    if stored != version:
        log.warning("%s was written by another version of the assistant; not used", path)
        return None
    if not isinstance(payload, bytes) or hashlib.sha256(payload).hexdigest() != checksum:
        log.error("%s is damaged (checksum mismatch); not used", path)
        return None
    return payload
