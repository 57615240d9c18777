"""The full raw dataset with the real lexicon (skipped when the shared data is absent)."""

from pathlib import Path

import pytest

from bot.catalog.model import Level
from bot.search.engine import SearchEngine
from bot.search.lexicon import read_lexicon
from bot.search.rawdata import procedures_from_jsonl

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT.parent / "shared" / "data" / "dvc_procedures.jsonl.gz"


@pytest.fixture(scope="module")
def full() -> SearchEngine:
    if not RAW.exists():
        pytest.skip("shared dataset not available")
    lexicon = read_lexicon(ROOT / "procedures_catalog" / "lexicon.toml")
    return SearchEngine.build(procedures_from_jsonl(RAW), lexicon, [Level.PROVINCE, Level.COMMUNE])


def test_lexicon_file_is_broad_and_valid():
    entries = read_lexicon(ROOT / "procedures_catalog" / "lexicon.toml")
    terms = {e.term for e in entries}
    assert len(entries) >= 200
    assert {"sổ đỏ", "hộ khẩu", "cccd", "bằng lái", "dk", "ko", "j"} <= terms


@pytest.mark.parametrize(
    ("q", "code"),
    [("dk ket hon", "1.000894"), ("lam giay khai sinh", "1.001193"), ("ly lich tu phap", "3.000333")],
)
def test_everyday_questions(full, q, code):
    assert full.search(q).results[0].code == code


def test_out_of_scope(full):
    for q in ("xin chào", "mua vé máy bay đi đà nẵng"):
        assert full.search(q).answer is None
