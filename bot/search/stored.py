"""The built search engine kept on disk next to the last good catalog (``<state_dir>/search-index.pickle``).

Building the index takes seconds; reading it back, a fraction of that. The file holds the engine's parts
(:class:`~bot.search.engine.EngineParts`, procedures named by code) and whatever the caller keeps with them,
under a key naming what they were built from: the catalog's content digest, the levels served and
:func:`search_version` (the search code itself). It is sealed like the snapshot (format version and
checksum, atomic write): a damaged file or one with another key is ignored (logged) and rebuilt, never served.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.catalog.model import Level
from bot.catalog.sealed import read_sealed, unpickle, write_sealed_stream
from bot.search.engine import EngineParts

SEARCH_FILE = "search-index.pickle"
#: Bump when the stored layout changes in a way the sources' hash would not show.
SEARCH_FORMAT = 1

log = logging.getLogger(__name__)


@functools.cache
def search_version() -> str:
    """Changes with :data:`SEARCH_FORMAT` and with any source or data file of ``bot/search`` (the code that
    builds and reads the parts): an engine built by other code is never assembled."""
    h = hashlib.sha256(str(SEARCH_FORMAT).encode("ascii"))
    folder = Path(__file__).parent
    for path in sorted([*folder.glob("*.py"), *folder.glob("*.toml")]):
        h.update(path.name.encode("utf-8"))
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def engine_key(digest: str, preferred_levels: Iterable[Level]) -> str:
    """What a stored engine must have been built from: the catalog of ``digest``, served at these levels."""
    return f"{digest}:{','.join(level.value for level in preferred_levels)}"


def save_engine(state_dir: Path, key: str, parts: EngineParts, extra: Any = None) -> None:
    """Keep ``parts`` (and ``extra``, picklable) as the engine of ``key``."""
    head = key.encode("utf-8")
    head = len(head).to_bytes(4, "little") + head
    write_sealed_stream(state_dir / SEARCH_FILE, search_version(), head, (parts, extra))


def load_engine(state_dir: Path, key: str) -> tuple[EngineParts, Any] | None:
    """The parts (and extra) kept for ``key``; None when there are none, or for another key, or unusable."""
    path = state_dir / SEARCH_FILE
    payload = read_sealed(path, search_version())
    if payload is None:
        return None
    size = int.from_bytes(payload[:4], "little")
    if payload[4 : 4 + size] != key.encode("utf-8"):  # the key first: another catalog's index is never unpickled
        log.info("%s holds the index of another catalog; rebuilding it", path)
        return None
    try:
        parts, extra = unpickle(payload[4 + size :])
    except Exception as error:  # sealed by this version yet unreadable: rebuilt
        log.error("%s cannot be read (%s); rebuilding the search index", path, type(error).__name__)
        return None
    if not isinstance(parts, EngineParts):
        log.error("%s holds no search index; rebuilding it", path)
        return None
    return parts, extra
