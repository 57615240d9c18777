"""Serve the last good catalog, reload it when its files change, and guard against mass removals.

A catalog is *good* when its files load without problems and it removes no more than
``max_removal_share`` of the procedures served (or an administrator confirmed the removal). Each good
catalog is kept on disk (``bot.catalog.snapshot``), so a start during a broken edit serves the last good
one instead of failing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.catalog.guard import removed_codes, too_many_removed
from bot.catalog.loader import Catalog, CatalogError, catalog_signature, load_catalog
from bot.catalog.packed import PackedProcedures, pack
from bot.catalog.problems import Problem
from bot.catalog.snapshot import (
    Snapshot,
    content_digest,
    forget_index,
    load_snapshot,
    read_index,
    save_snapshot,
    signature_key,
    stored_digest,
)

#: Length of the digest prefix that names a catalog awaiting confirmation (fits in button data).
TOKEN_LENGTH = 12


@dataclass(frozen=True)
class ReloadResult:
    """Outcome of :meth:`CatalogHolder.reload`."""

    changed: bool  # files changed since the last look
    reloaded: bool  # a new catalog is now being served
    problems: list[Problem] = field(default_factory=list)  # current problems of the files (last good one served)
    removed: tuple[str, ...] = ()  # codes this reload removed, or that the reload awaiting confirmation would
    awaiting_confirmation: bool = False  # refused by the removal guard until an administrator confirms
    token: str = ""  # names the catalog awaiting confirmation (see :meth:`CatalogHolder.reload`)
    before: int = 0  # procedures served before this reload


@dataclass(frozen=True)
class CatalogStatus:
    """What the readiness probe and the operators see."""

    procedures: int
    fallback: bool  # the last good catalog from disk is served because the files are broken or await confirmation
    problems: int
    awaiting_removal: int  # procedures a refused reload would remove
    digest: str


@dataclass(frozen=True)
class _Pending:
    catalog: Catalog
    digest: str
    removed: tuple[str, ...]


class CatalogHolder:
    """Thread-safe holder of the current good catalog.

    Without a usable last good catalog in ``state_dir``, the first load must succeed (raises
    :class:`CatalogError` listing the problems).
    """

    def __init__(
        self, root: Path, cache_path: Path | None = None, *, state_dir: Path | None = None,
        max_removal_share: float = 0.01,
    ) -> None:  # fmt: skip
        self.root = root
        self.cache_path = cache_path
        self.state_dir = state_dir
        self.max_removal_share = max_removal_share
        self._lock = threading.Lock()
        self._problems: list[Problem] = []
        self._pending: _Pending | None = None
        self._fallback = False
        if state_dir is not None and self._serve_unchanged(state_dir):
            return
        try:
            catalog = load_catalog(root, cache_path)
        except CatalogError as error:
            snapshot = load_snapshot(state_dir) if state_dir is not None else None
            if snapshot is None:
                raise
            self._problems = error.problems
            self._serve_snapshot(snapshot)
            self._seen = catalog_signature(root)
            return
        self._seen = catalog.signature
        index = read_index(state_dir) if state_dir is not None else None
        if index is not None and index.signature == signature_key(catalog.signature):
            digest = index.digest  # the files the last good catalog came from, unchanged: nothing to compute
        else:
            digest = content_digest(catalog)
        if index is not None and state_dir is not None and index.digest != digest:
            removed = removed_codes(index.codes, catalog.procedures)
            snapshot = None
            if too_many_removed(len(removed), len(index.codes), max_removal_share):
                snapshot = load_snapshot(state_dir)
            if snapshot is not None:
                self._serve_snapshot(snapshot)
                self._pending = _Pending(catalog, digest, removed)
                return
        self._accept(catalog, digest)

    def _serve_unchanged(self, state_dir: Path) -> bool:
        """Serve the last good catalog when the files are exactly those it came from (no TOML parsed)."""
        index = read_index(state_dir)
        if index is None:
            return False
        signature = catalog_signature(self.root)
        if index.signature != signature_key(signature):
            return False
        snapshot = load_snapshot(state_dir)
        if snapshot is None or snapshot.digest != index.digest:
            forget_index(state_dir)  # unusable (logged): load the files and keep them again
            return False
        self._catalog, self._digest, self._seen = snapshot.catalog(self.root, signature), snapshot.digest, signature
        return True

    def _serve_snapshot(self, snapshot: Snapshot) -> None:
        self._catalog = snapshot.catalog(self.root)
        self._digest = snapshot.digest
        self._fallback = True

    def _accept(self, catalog: Catalog, digest: str) -> None:
        # served packed, like a start from the snapshot: the parsed objects go once the index is built
        catalog = replace(catalog, procedures=PackedProcedures(*pack(catalog.procedures)))
        self._catalog, self._digest, self._fallback, self._pending = catalog, digest, False, None
        if self.state_dir is not None:
            save_snapshot(self.state_dir, catalog, digest)

    @property
    def catalog(self) -> Catalog:
        """The catalog being served."""
        with self._lock:
            return self._catalog

    @property
    def digest(self) -> str:
        """The content digest of the catalog being served."""
        with self._lock:
            return self._digest

    @property
    def problems(self) -> list[Problem]:
        """Problems of the catalog files as last seen (empty when they are valid)."""
        with self._lock:
            return list(self._problems)

    def status(self) -> CatalogStatus:
        """Counts for health checks."""
        with self._lock:
            pending = len(self._pending.removed) if self._pending else 0
            return CatalogStatus(len(self._catalog.procedures), self._fallback, len(self._problems), pending,
                                 self._digest)  # fmt: skip

    def reload_if_changed(self) -> ReloadResult:
        """:meth:`reload` without confirming anything (the watcher)."""
        return self.reload()

    def reload(self, allow_removals: bool = False, token: str = "") -> ReloadResult:
        """Reload when a file was added, removed or edited (cheap, stat only, when nothing changed).

        The result always carries the files' current problems and any removal awaiting confirmation.
        ``allow_removals`` confirms it (only the catalog named ``token``, when given); a catalog accepted
        by another process (``catalog reload --allow-removals``, same ``state_dir``) is taken over too.
        """
        with self._lock:
            before = len(self._catalog.procedures)
            signature = catalog_signature(self.root)
            changed = signature != self._seen
            if changed:
                self._seen = signature
                try:
                    catalog = load_catalog(self.root, self.cache_path)
                except CatalogError as error:
                    self._problems, self._pending = error.problems, None
                    return ReloadResult(True, False, list(self._problems), before=before)
                self._problems = []
                digest = content_digest(catalog)
                removed = removed_codes(self._catalog.procedures, catalog.procedures)
                if not too_many_removed(len(removed), before, self.max_removal_share):
                    self._accept(catalog, digest)
                    return ReloadResult(True, True, removed=removed, before=before)
                self._pending = _Pending(catalog, digest, removed)
            pending = self._pending
            if pending is None:
                return ReloadResult(changed, False, list(self._problems), before=before)
            confirmed = allow_removals and pending.digest.startswith(token)
            if confirmed or (self.state_dir is not None and stored_digest(self.state_dir) == pending.digest):
                self._accept(pending.catalog, pending.digest)
                return ReloadResult(changed, True, removed=pending.removed, before=before)
            return ReloadResult(changed, False, removed=pending.removed, awaiting_confirmation=True,
                                token=pending.digest[:TOKEN_LENGTH], before=before)  # fmt: skip
