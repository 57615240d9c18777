"""Shared fixtures: real records from the portal dataset (see ``tests/records.py``) and small catalogs in
tmp_path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.records import portal_records

SAMPLE_CODES = (
    "1.000894",  # Hộ tịch, kết hôn
    "1.001695",  # grouped documents, long fee note
    "1.003406",  # unbalanced fee note
    "1.003767",  # form file in documents
    "1.009129",  # several document tables with group labels
    "1.000014",  # bare-number time glued to a fee in thousands
    "3.000226",  # wrong name at the source
    "2.001428",  # wrong name at the source
    "1.009824",  # ways table that cannot be split
    "5.003805",  # no time, no fee
)


@pytest.fixture(scope="session")
def records() -> dict[str, dict[str, Any]]:
    """The saved dataset records by code."""
    return portal_records()


@pytest.fixture
def sample_jsonl(tmp_path: Path, records: dict[str, dict[str, Any]]) -> Path:
    """A small .jsonl with real records."""
    path = tmp_path / "sample.jsonl"
    path.write_text("\n".join(json.dumps(records[c], ensure_ascii=False) for c in SAMPLE_CODES) + "\n")
    return path


@pytest.fixture
def catalog_root(tmp_path: Path, sample_jsonl: Path) -> Path:
    """A catalog imported from the sample records."""
    from bot.catalog.importer import import_catalog

    root = tmp_path / "catalog"
    import_catalog(sample_jsonl, root)
    return root
