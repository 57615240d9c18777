"""Helpers for the tests of the catalog's edited files (situations, English lexicon, example questions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog.loader import CatalogError, load_catalog


def first_code(root: Path) -> str:
    """The first procedure code of the catalog under ``root``."""
    return next(iter(sorted(load_catalog(root).procedures)))


def problems_after_writing(root: Path, name: str, text: str) -> list[str]:
    """Write ``text`` as the catalog file ``name`` and return the problems loading the catalog reports."""
    (root / name).write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(root)
    return [str(p) for p in err.value.problems]
