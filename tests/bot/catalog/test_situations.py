"""The situation lexicon: problems reported with file and line, reloaded with the catalog, the real file valid."""

from __future__ import annotations

from pathlib import Path

from bot.catalog.loader import catalog_signature, load_catalog
from bot.catalog.situations import SITUATIONS_FILE
from tests.bot.catalog.editing import first_code, problems_after_writing

ROOT = Path(__file__).resolve().parents[3]

GOOD = """
[events]
mat = ["mất", "thất lạc"]

[[situation]]
say = "mất giấy"
when = ["@mat + giấy"]
to = ["{code}"]
"""




def test_a_valid_file_loads_with_its_situations(catalog_root: Path):
    code = first_code(catalog_root)
    (catalog_root / SITUATIONS_FILE).write_text(GOOD.format(code=code), encoding="utf-8")
    book = load_catalog(catalog_root).situations
    assert [s.say for s in book.situations] == ["mất giấy"]
    assert book.situations[0].patterns == ((("mất", "thất lạc"), ("giấy",)),)
    assert book.situations[0].line == 5


def test_an_unknown_word_group_is_reported_at_its_line(catalog_root: Path):
    code = first_code(catalog_root)
    text = GOOD.format(code=code).replace("@mat + giấy", "@hong + giấy")
    problems = problems_after_writing(catalog_root, SITUATIONS_FILE, text)
    assert len(problems) == 1
    assert f"{SITUATIONS_FILE}:7: situation[0].when: nhóm từ @hong chưa khai báo" in problems[0]


def test_an_unknown_code_and_a_name_matching_nothing_are_reported(catalog_root: Path):
    text = GOOD.format(code="9.999999") + '\n[[situation]]\nsay = "x"\nwhen = ["x"]\nto = ["không có tên này"]\n'
    problems = problems_after_writing(catalog_root, SITUATIONS_FILE, text)
    assert any(":5: to: mất giấy: không có thủ tục mã 9.999999" in p for p in problems)
    assert any(":10: to: x: không có thủ tục nào có tên chứa 'không có tên này'" in p for p in problems)


def test_none_says_the_catalog_has_no_procedure_and_stands_alone(catalog_root: Path):
    code = first_code(catalog_root)
    gap = '\n[[situation]]\nsay = "trợ cấp khuyết tật"\nwhen = ["khuyết tật"]\nto = ["NONE"]\n'
    (catalog_root / SITUATIONS_FILE).write_text(GOOD.format(code=code) + gap, encoding="utf-8")
    book = load_catalog(catalog_root).situations
    assert [s.gap for s in book.situations] == [False, True]
    mixed = GOOD.format(code=code) + gap.replace('["NONE"]', f'["NONE", "{code}"]')
    problems = problems_after_writing(catalog_root, SITUATIONS_FILE, mixed)
    told = ":10: to: trợ cấp khuyết tật: NONE (danh mục không có thủ tục) phải đứng một mình"
    assert any(told in p for p in problems)


def test_missing_keys_empty_parts_and_unknown_tables_are_reported(catalog_root: Path):
    code = first_code(catalog_root)
    text = GOOD.format(code=code) + f'\n[[situation]]\nsay = "y"\nwhen = ["a + + b"]\nto = ["{code}"]\n'
    text += '\n[[situation]]\nwhen = ["z"]\nto = ["' + code + '"]\n\n[extra]\nk = 1\n'
    problems = problems_after_writing(catalog_root, SITUATIONS_FILE, text)
    assert any(":12: situation[1].when: mẫu 'a + + b' có phần để trống" in p for p in problems)
    assert any(":15: situation[2].say: thiếu mục bắt buộc" in p for p in problems)
    assert any(": extra: mục này không có trong mẫu" in p for p in problems)


def test_a_toml_syntax_error_has_its_line(catalog_root: Path):
    problems = problems_after_writing(catalog_root, SITUATIONS_FILE, '[[situation]]\nsay = "a\n')
    assert any(f"{SITUATIONS_FILE}:2:" in p and "lỗi cú pháp TOML" in p for p in problems)


def test_editing_the_file_changes_the_signature_so_the_catalog_reloads(catalog_root: Path):
    code = first_code(catalog_root)
    before = catalog_signature(catalog_root)
    (catalog_root / SITUATIONS_FILE).write_text(GOOD.format(code=code), encoding="utf-8")
    assert catalog_signature(catalog_root) != before


def test_the_shipped_situation_lexicon_is_broad_and_valid():
    book = load_catalog(ROOT / "procedures_catalog").situations
    assert len(book.situations) >= 150
    assert len({s.say for s in book.situations}) == len(book.situations)
