"""Procedures kept packed (one compressed pickled record each) and unpacked on first use.

A start from the last good catalog reads 2,642 packed records (about 6 MB, against some 100 MB of objects)
in a few milliseconds; a conversation then unpacks only the procedures it shows (about 0.3 ms each), and a
procedure never asked about costs its compressed bytes, not its objects.
"""

from __future__ import annotations

import pickle
import threading
import zlib
from collections.abc import Iterator, Mapping

from bot.catalog.model import Procedure

Record = bytes | memoryview


def pack_one(procedure: Procedure) -> bytes:
    """One procedure as a packed record."""
    return zlib.compress(pickle.dumps(procedure, protocol=pickle.HIGHEST_PROTOCOL), 1)


def pack(procedures: Mapping[str, Procedure]) -> tuple[tuple[str, ...], tuple[Record, ...]]:
    """The codes and the packed records of ``procedures`` (packed ones are passed on, not unpacked)."""
    if isinstance(procedures, PackedProcedures):
        return procedures.codes, procedures.records
    codes = tuple(procedures)
    return codes, tuple(pack_one(procedures[c]) for c in codes)


class PackedProcedures(Mapping[str, Procedure]):
    """A read-only mapping code → procedure over packed records (thread-safe; each record unpacked once)."""

    __slots__ = ("_lock", "_position", "_unpacked", "codes", "records")

    def __init__(self, codes: tuple[str, ...], records: tuple[Record, ...]) -> None:
        if len(codes) != len(records):
            raise ValueError("one packed record per code")
        self.codes = codes
        self.records = records
        self._position = {c: i for i, c in enumerate(codes)}
        self._unpacked: dict[str, Procedure] = {}
        self._lock = threading.Lock()

    def __getitem__(self, code: str) -> Procedure:
        found = self._unpacked.get(code)
        if found is not None:
            return found
        record = self.records[self._position[code]]  # KeyError for an unknown code, like a dict
        with self._lock:
            found = self._unpacked.get(code)
            if found is None:
                found = self._unpacked[code] = pickle.loads(zlib.decompress(record))
        return found

    def __contains__(self, code: object) -> bool:
        return code in self._position

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def each_fresh(self) -> Iterator[Procedure]:
        """Every procedure unpacked anew and not kept (for one pass over the whole catalog)."""
        for record in self.records:
            yield pickle.loads(zlib.decompress(record))

    @property
    def unpacked(self) -> int:
        """How many procedures were unpacked so far."""
        return len(self._unpacked)
