"""The English lexicon: problems reported with file and line; the shipped file valid and broad."""

from __future__ import annotations

from pathlib import Path

from bot.catalog.english import ENGLISH_FILE
from bot.catalog.loader import catalog_signature, load_catalog, load_english
from tests.bot.catalog.editing import problems_after_writing

ROOT = Path(__file__).resolve().parents[3]



def test_a_valid_file_loads_with_the_catalog(catalog_root: Path):
    (catalog_root / ENGLISH_FILE).write_text('[[term]]\nen = ["birth registration"]\nvi = "đăng ký khai sinh"\n',
                                             encoding="utf-8")
    [term] = load_catalog(catalog_root).english
    assert term.en == ["birth registration"] and term.vi == "đăng ký khai sinh"


def test_bad_phrases_duplicates_missing_keys_and_unknown_tables_have_file_and_line(catalog_root: Path):
    text = (
        "[[term]]\n"                                  # 1
        'en = ["ID Card", "passport"]\n'              # 2: upper case
        'vi = "thẻ căn cước"\n'                       # 3
        "\n"                                          # 4
        "[[term]]\n"                                  # 5
        'en = ["passport"]\n'                         # 6: already in term[0]
        'vi = "hộ chiếu"\n'                           # 7
        "\n"                                          # 8
        "[[term]]\n"                                  # 9
        'en = ["visa"]\n'                             # 10: no vi
        "\n"                                          # 11
        "[extra]\n"                                   # 12
        "x = 1\n"
    )
    problems = problems_after_writing(catalog_root, ENGLISH_FILE, text)
    path = str(catalog_root / ENGLISH_FILE)
    assert any(p.startswith(f"{path}:2: term[0].en: 'ID Card'") for p in problems), problems
    assert any(p.startswith(f"{path}:6: term[1].en: cụm 'passport' đã có ở term[0]") for p in problems), problems
    assert any(p.startswith(f"{path}:9: term[2].vi:") or p.startswith(f"{path}:10: term[2].vi:") for p in problems), \
        problems
    assert any(p.startswith(f"{path}:12: extra:") for p in problems), problems


def test_a_toml_syntax_error_has_its_line(catalog_root: Path):
    problems = problems_after_writing(catalog_root, ENGLISH_FILE, '[[term]]\nen = ["a"\nvi = "b"\n')
    assert any(f"{ENGLISH_FILE}:" in p for p in problems)


def test_editing_the_file_changes_the_signature_so_the_catalog_reloads(catalog_root: Path):
    (catalog_root / ENGLISH_FILE).write_text('[[term]]\nen = ["a"]\nvi = "b"\n', encoding="utf-8")
    before = catalog_signature(catalog_root)
    (catalog_root / ENGLISH_FILE).write_text('[[term]]\nen = ["a", "bb"]\nvi = "b"\n', encoding="utf-8")
    assert catalog_signature(catalog_root) != before


def test_the_shipped_english_lexicon_is_valid_and_broad():
    terms, problems = load_english(ROOT / "procedures_catalog")
    assert problems == []
    assert len(terms) >= 80
    phrases = {p for t in terms for p in t.en}
    for common in ("birth registration", "id card", "marriage registration", "driving licence", "passport",
                   "criminal record certificate", "land use right certificate", "household business"):
        assert common in phrases
