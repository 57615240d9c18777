"""The procedure catalog: import from the portal dataset, TOML files on disk, validation and hot reload.

Public entry points (imported lazily so ``bot.catalog.model`` stays light):
``import_catalog``, ``ImportReport``, ``load_catalog``, ``validate_catalog``, ``Catalog``, ``CatalogError``,
``CatalogHolder``, ``ReloadResult``, ``CatalogStatus``, ``Problem``, ``print_problems``, ``format_problems``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "import_catalog": "bot.catalog.importer",
    "ImportReport": "bot.catalog.importer",
    "load_catalog": "bot.catalog.loader",
    "validate_catalog": "bot.catalog.loader",
    "Catalog": "bot.catalog.loader",
    "CatalogError": "bot.catalog.loader",
    "CatalogHolder": "bot.catalog.reload",
    "ReloadResult": "bot.catalog.reload",
    "CatalogStatus": "bot.catalog.reload",
    "Problem": "bot.catalog.problems",
    "print_problems": "bot.catalog.problems",
    "format_problems": "bot.catalog.problems",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'bot.catalog' has no attribute {name!r}")
