"""The last good catalog on disk: what a start serves when the catalog files are unchanged or broken.

Every catalog that loads without problems (and is accepted by the removal guard) is written to
``<state_dir>/catalog-last-good.pickle`` with its content digest and a checksum of the stored bytes
(:mod:`bot.catalog.sealed`); its procedures are packed one record each and unpacked on first use. A small
index, ``catalog-last-good.json``, holds the digest, the codes and the stat signature of the files it came
from: a restart over unchanged files serves the snapshot without parsing any TOML file, the removal guard
compares codes without reading the snapshot, and running processes see cheaply that an administrator
accepted a catalog (``catalog reload --allow-removals``) in another process.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import pickle
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot import clock
from bot.catalog.english import EnglishTerm
from bot.catalog.loader import Catalog, Signature
from bot.catalog.model import LexiconEntry, Procedure
from bot.catalog.packed import PackedProcedures, pack
from bot.catalog.questions import Example
from bot.catalog.sealed import atomic_write, read_sealed, unpickle, write_sealed
from bot.catalog.situations import SituationBook

SNAPSHOT_FILE = "catalog-last-good.pickle"
INDEX_FILE = "catalog-last-good.json"
#: Bump when the snapshot's payload changes shape (2: packed procedures, situations and the English lexicon;
#: 3: the example questions).
SNAPSHOT_FORMAT = 3


log = logging.getLogger(__name__)


@functools.cache
def format_version() -> str:
    """Changes whenever the snapshot layout or the Procedure, LexiconEntry or EnglishTerm model changes
    shape: a snapshot written by another version of the code is never unpickled into the wrong model."""
    schemas = [SNAPSHOT_FORMAT, Procedure.model_json_schema(), LexiconEntry.model_json_schema(),
               EnglishTerm.model_json_schema()]  # fmt: skip
    return hashlib.sha256(json.dumps(schemas, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def catalog_digest(
    procedures: Mapping[str, Procedure], lexicon: list[LexiconEntry], situations: SituationBook | None = None,
    english: Iterable[EnglishTerm] = (), questions: Iterable[Example] = (),
) -> str:  # fmt: skip
    """A sha256 of the catalog's content: procedures, lexicon, situations, English lexicon and example questions
    (same content → same digest, in any process)."""
    h = hashlib.sha256()
    for code in sorted(procedures):
        h.update(procedures[code].model_dump_json().encode("utf-8"))
        h.update(b"\n")
    for entry in lexicon:
        h.update(entry.model_dump_json().encode("utf-8"))
        h.update(b"\n")
    if situations is not None and (situations.situations or situations.groups):
        h.update(repr(situations).encode("utf-8"))  # tuples of strings and numbers: a stable repr
    for term in english:
        h.update(term.model_dump_json().encode("utf-8"))
        h.update(b"\n")
    for example in questions:
        h.update(f"{example.question}\t{','.join(example.codes)}\n".encode())
    return h.hexdigest()


def content_digest(catalog: Catalog) -> str:
    """:func:`catalog_digest` of a loaded catalog."""
    return catalog_digest(catalog.procedures, catalog.lexicon, catalog.situations, catalog.english,
                          catalog.questions)


@dataclass(frozen=True)
class Snapshot:
    """A catalog kept on disk (procedures unpacked on first use)."""

    procedures: PackedProcedures
    lexicon: list[LexiconEntry]
    digest: str
    saved_at: datetime
    source: str  # the catalog folder it was loaded from
    situations: SituationBook
    english: list[EnglishTerm]
    questions: tuple[Example, ...] = ()

    def catalog(self, root: Path, signature: Signature = ()) -> Catalog:
        """The snapshot as the catalog of ``root`` (``signature``: of the files it stands for, if known)."""
        return Catalog(self.procedures, self.lexicon, signature, root, self.situations, self.english,
                       self.questions)


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


def forget_index(state_dir: Path) -> None:
    """Drop the index (the snapshot it describes is unusable): the next accepted catalog is written anew."""
    (state_dir / INDEX_FILE).unlink(missing_ok=True)


def stored_digest(state_dir: Path) -> str:
    """The digest of the last good catalog kept in ``state_dir`` ('' when there is none)."""
    index = read_index(state_dir)
    return index.digest if index is not None else ""


def save_snapshot(state_dir: Path, catalog: Catalog, digest: str) -> bool:
    """Keep ``catalog`` (of content ``digest``) as the last good one; False when it already is (only the index
    is refreshed when the same catalog now comes from touched files)."""
    index = read_index(state_dir)
    key = signature_key(catalog.signature)
    same = index is not None and index.digest == digest and (state_dir / SNAPSHOT_FILE).is_file()
    if same and index is not None and index.signature == key:
        return False
    state_dir.mkdir(parents=True, exist_ok=True)
    if not same:
        codes, records = pack(catalog.procedures)
        offsets = array("Q", [0])
        for record in records:
            offsets.append(offsets[-1] + len(record))
        meta = pickle.dumps((codes, offsets, catalog.lexicon, catalog.situations, list(catalog.english),
                             catalog.questions, digest, clock.now(), str(catalog.root)),
                            protocol=pickle.HIGHEST_PROTOCOL)  # fmt: skip
        write_sealed(state_dir / SNAPSHOT_FILE, format_version(), len(meta).to_bytes(8, "little"), meta, *records)
    entry = {"digest": digest, "signature": key, "codes": sorted(catalog.procedures),
             "saved_at": clock.now().isoformat()}  # fmt: skip
    atomic_write(state_dir / INDEX_FILE, json.dumps(entry).encode("utf-8"))
    return not same


def load_snapshot(state_dir: Path) -> Snapshot | None:
    """The last good catalog kept in ``state_dir``; None when there is none or it is unusable (logged)."""
    path = state_dir / SNAPSHOT_FILE
    payload = read_sealed(path, format_version())
    if payload is None:
        return None
    try:
        size = int.from_bytes(payload[:8], "little")
        meta = unpickle(payload[8 : 8 + size])
        codes, offsets, lexicon, situations, english, questions, digest, saved_at, source = meta
        blob = payload[8 + size :]  # the records stay in the bytes read: views, not copies
        records = tuple(blob[offsets[i] : offsets[i + 1]] for i in range(len(codes)))
        procedures = PackedProcedures(codes, records)
    except Exception as error:  # sealed by this version yet unreadable: as if there were none
        log.error("%s cannot be read (%s); not used", path, type(error).__name__)
        return None
    return Snapshot(procedures, lexicon, digest, saved_at, source, situations, english, questions)
