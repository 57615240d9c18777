"""Fixtures of the dossier tests: a fixed secret key, settings, and small export files."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from bot.config import ENV_SECRET_KEY, Settings

TEST_KEY = b"test-secret-key-for-dossier-tests"
SAMPLES = Path(__file__).resolve().parents[3] / "samples"


@pytest.fixture(autouse=True)
def _secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Digests in tests use a known key and never touch var/secret.key."""
    monkeypatch.setenv(ENV_SECRET_KEY, TEST_KEY.decode())


@pytest.fixture
def settings() -> Settings:
    return Settings()


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]], delimiter: str = ",") -> Path:
    """A small export file for a test."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path
