"""Serve the last good catalog and reload it when its files change."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from bot.catalog.loader import Catalog, CatalogError, catalog_signature, load_catalog
from bot.catalog.problems import Problem


@dataclass(frozen=True)
class ReloadResult:
    """Outcome of :meth:`CatalogHolder.reload_if_changed`."""

    changed: bool  # files changed since the catalog being served was loaded (or last failed attempt)
    reloaded: bool  # a new catalog is now being served
    problems: list[Problem] = field(default_factory=list)  # why the change was not picked up


class CatalogHolder:
    """Thread-safe holder of the current good catalog.

    The first load must succeed (raises :class:`CatalogError`). Later, :meth:`reload_if_changed`
    swaps in a new catalog only when it loads cleanly; otherwise the last good one keeps being served.
    """

    def __init__(self, root: Path, cache_path: Path | None = None) -> None:
        self.root = root
        self.cache_path = cache_path
        self._lock = threading.Lock()
        self._catalog = load_catalog(root, cache_path)
        self._seen = self._catalog.signature

    @property
    def catalog(self) -> Catalog:
        """The catalog being served."""
        with self._lock:
            return self._catalog

    def reload_if_changed(self) -> ReloadResult:
        """Reload when a file was added, removed or edited; cheap (stat only) when nothing changed."""
        with self._lock:
            signature = catalog_signature(self.root)
            if signature == self._seen:
                return ReloadResult(changed=False, reloaded=False)
            self._seen = signature
            try:
                catalog = load_catalog(self.root, self.cache_path)
            except CatalogError as error:
                return ReloadResult(changed=True, reloaded=False, problems=error.problems)
            self._catalog = catalog
            self._seen = catalog.signature
            return ReloadResult(changed=True, reloaded=True)
