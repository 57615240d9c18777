"""State files written atomically with a format version and a checksum of their content.

A sealed file is a header line (``tthc-sealed <version> <sha256 of the payload>``) and the payload bytes.
A file written by another version of the code, truncated or altered is never used: :func:`read_sealed`
logs why and returns None, and the caller rebuilds what the file held. The payload is handed back as a view
of the bytes read (no second copy of a file of tens of megabytes).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
from pathlib import Path
from typing import Any, BinaryIO

log = logging.getLogger(__name__)

_MAGIC = b"tthc-sealed"


def atomic_write(path: Path, *chunks: bytes | memoryview) -> None:
    """Write ``chunks`` end to end to ``path`` so that readers see the old file or the whole new one, never a
    part."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # replicas sharing the folder never mix their writes
    with tmp.open("wb") as fh:
        for chunk in chunks:
            fh.write(chunk)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


def write_sealed(path: Path, version: str, *payload: bytes | memoryview) -> None:
    """Keep ``payload`` (its chunks end to end: no joined copy) in ``path`` with ``version`` (no spaces) and its
    sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    for chunk in payload:
        digest.update(chunk)
    header = b" ".join([_MAGIC, version.encode("ascii"), digest.hexdigest().encode("ascii")])
    atomic_write(path, header + b"\n", *payload)


class _Hashing:
    """A binary file that hashes what is written to it."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.digest = hashlib.sha256()

    def write(self, chunk: bytes | memoryview) -> int:
        self.digest.update(chunk)
        return self.fh.write(chunk)


def write_sealed_stream(path: Path, version: str, head: bytes, obj: Any) -> None:
    """Keep ``head`` then ``obj`` pickled as the payload of a sealed file, pickled straight into the file: no
    copy of the pickle in memory (tens of megabytes at a cold start). The header is written last, in place of
    a placeholder of its length."""
    path.parent.mkdir(parents=True, exist_ok=True)
    placeholder = b" ".join([_MAGIC, version.encode("ascii"), b"0" * 64])
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        fh.write(placeholder + b"\n")
        out = _Hashing(fh)
        out.write(head)
        pickle.Pickler(out, pickle.HIGHEST_PROTOCOL).dump(obj)
        fh.seek(0)
        fh.write(b" ".join([_MAGIC, version.encode("ascii"), out.digest.hexdigest().encode("ascii")]))
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


def read_sealed(path: Path, version: str) -> memoryview | None:
    """The payload kept in ``path``; None when there is none, or it is of another version or damaged (logged)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        log.error("%s cannot be read (%s); not used", path, error)
        return None
    end = data.find(b"\n", 0, 256)
    fields = data[:end].split(b" ") if end > 0 else []
    if len(fields) != 3 or fields[0] != _MAGIC:
        log.error("%s is not a state file of the assistant; not used", path)
        return None
    if fields[1] != version.encode("ascii"):
        log.warning("%s was written by another version of the assistant; not used", path)
        return None
    payload = memoryview(data)[end + 1 :]
    if hashlib.sha256(payload).hexdigest().encode("ascii") != fields[2]:
        log.error("%s is damaged (checksum mismatch); not used", path)
        return None
    return payload


def unpickle(data: bytes | memoryview) -> Any:
    """``pickle.loads`` with the cyclic garbage collector paused: reading back hundreds of thousands of objects
    that are all kept would otherwise trigger collections that scan them for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if enabled:
            gc.enable()
