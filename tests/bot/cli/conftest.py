"""The catalog tests' small real catalog, for the command-line tests."""

from tests.bot.catalog.conftest import catalog_root, records, sample_jsonl

__all__ = ["catalog_root", "records", "sample_jsonl"]
