"""Example questions (questions.tsv): problems with file and line, reloaded with the catalog, kept in the last good
snapshot; the shipped file is valid and holds no held-out question."""

from __future__ import annotations

from pathlib import Path

from bot.catalog.loader import catalog_signature, load_catalog
from bot.catalog.questions import MAX_QUESTION_CHARS, QUESTIONS_FILE
from bot.catalog.reload import CatalogHolder
from bot.catalog.snapshot import load_snapshot
from tests.bot.catalog.editing import first_code, problems_after_writing

ROOT = Path(__file__).resolve().parents[3]




def test_a_valid_file_loads_its_examples_with_their_lines(catalog_root: Path):
    code = first_code(catalog_root)
    text = (f"# câu hỏi mẫu\n\nlam giay khai sinh cho con\t{code}\nmất sổ đỏ làm lại\t{code}, 9.999999\n"
            "xin trợ cấp thất nghiệp\tNONE\n")
    (catalog_root / QUESTIONS_FILE).write_text(text, encoding="utf-8")
    examples = load_catalog(catalog_root).questions
    assert [(e.question, e.codes, e.line) for e in examples] == [
        ("lam giay khai sinh cho con", (code,), 3),
        # a code the catalog does not hold (a procedure removed later) is kept and ignored by the search
        ("mất sổ đỏ làm lại", (code, "9.999999"), 4),
        ("xin trợ cấp thất nghiệp", ("NONE",), 5),  # no procedure of the catalog answers it
    ]


def test_each_malformed_line_is_reported_at_its_line(catalog_root: Path):
    code = first_code(catalog_root)
    lines = [
        "# header",
        f"no tab here {code}",  # 2
        f"two\ttabs\t{code}",  # 3
        f"\t{code}",  # 4
        "bad code\t1.00119",  # 5
        f"{'x' * (MAX_QUESTION_CHARS + 1)}\t{code}",  # 6
        f"Làm CCCD\t{code}",  # 7
        f"lam cccd\t{code}",  # 8: the same question folded
        "no codes\t",  # 9
        f"none and a code\tNONE,{code}",  # 10
        f"em là Lan, sđt 0912 345 678, hỏi làm cccd\t{code}",  # 11: personal data
        f"gửi kết quả về lan.nguyen@example.com được không\t{code}",  # 12
    ]
    problems = problems_after_writing(catalog_root, QUESTIONS_FILE, "\n".join(lines) + "\n")
    codes = "codes: mã thủ tục phải có dạng 1.001193, cách nhau bằng dấu phẩy, hoặc NONE"
    expected = [
        f"{QUESTIONS_FILE}:2: -: mỗi dòng gồm câu hỏi, một dấu TAB rồi các mã thủ tục (thiếu dấu TAB)",
        f"{QUESTIONS_FILE}:3: -: mỗi dòng gồm câu hỏi, một dấu TAB rồi các mã thủ tục (có 2 dấu TAB)",
        f"{QUESTIONS_FILE}:4: question: câu hỏi để trống",
        f"{QUESTIONS_FILE}:5: {codes} ('1.00119')",
        f"{QUESTIONS_FILE}:6: question: câu hỏi dài quá {MAX_QUESTION_CHARS} ký tự",
        f"{QUESTIONS_FILE}:8: question: câu hỏi trùng với dòng 7",
        f"{QUESTIONS_FILE}:9: {codes} (không có mã)",
        f"{QUESTIONS_FILE}:10: {codes} ('NONE')",
        f"{QUESTIONS_FILE}:11: question: câu hỏi có số điện thoại, số giấy tờ hoặc email: bỏ đi trước khi lưu",
        f"{QUESTIONS_FILE}:12: question: câu hỏi có số điện thoại, số giấy tờ hoặc email: bỏ đi trước khi lưu",
    ]
    assert len(problems) == len(expected)
    for want in expected:
        assert any(want in p for p in problems), want


def test_a_broken_edit_keeps_the_last_good_examples_and_names_the_line(catalog_root: Path, tmp_path: Path):
    code = first_code(catalog_root)
    path = catalog_root / QUESTIONS_FILE
    path.write_text(f"lam giay khai sinh\t{code}\n", encoding="utf-8")
    state = tmp_path / "var"
    holder = CatalogHolder(catalog_root, state / "cache.pickle", state_dir=state)
    assert [e.question for e in holder.catalog.questions] == ["lam giay khai sinh"]
    snapshot = load_snapshot(state)
    assert snapshot is not None and [e.question for e in snapshot.questions] == ["lam giay khai sinh"]
    before = catalog_signature(catalog_root)
    path.write_text(f"lam giay khai sinh\t{code}\nxin trich luc khai sinh {code}\n", encoding="utf-8")
    assert catalog_signature(catalog_root) != before
    result = holder.reload()
    assert not result.reloaded
    assert any(f"{QUESTIONS_FILE}:2:" in str(p) and "thiếu dấu TAB" in str(p) for p in result.problems)
    assert [e.question for e in holder.catalog.questions] == ["lam giay khai sinh"]


def test_the_shipped_examples_are_valid_and_many():
    examples = load_catalog(ROOT / "procedures_catalog").questions
    assert len(examples) >= 2000
    assert sum(len(e.question.split()) >= 20 for e in examples) >= 800  # long questions too, not only short ones
