"""Write the catalog's example questions (procedures_catalog/questions.tsv) from the training parts.

The search recalls the procedures of the example questions most like a new message. The examples are the
Vietnamese questions of every ``short*_train.tsv`` and ``long*_train.tsv`` with their labels (``NONE`` for those
about what the catalog lacks; never a test part, never an off-topic or English set), then those of
``examples.tsv`` (questions written only as examples, never measured; one repeating a question of any labelled
set is left out). Lines an office added above the marker line are kept as they are; the questions repeating one
of them are left out.

Usage: ``python bench/data/questions.py [--check]`` (``--check`` only verifies the file is up to date).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from check import fold, read_rows

from bot.catalog.questions import MARKER

HERE = Path(__file__).resolve().parent
TARGET = HERE.parent.parent / "procedures_catalog" / "questions.tsv"
HEADER = """\
# Câu hỏi mẫu: câu hỏi người dân đã hỏi và mã các thủ tục trả lời đúng câu hỏi đó. Trợ lý tìm các câu hỏi mẫu
# giống tin nhắn mới nhất và ưu tiên các thủ tục của chúng.
# Mỗi dòng: câu hỏi (viết như người dân viết), một dấu TAB, rồi các mã thủ tục cách nhau bằng dấu phẩy, ví dụ
#   làm lại căn cước bị mất<TAB>1.014064,2.001194,1.000757
# Thêm câu hỏi của văn phòng ở ngay dưới đây (trên dòng đánh dấu). Sửa xong, kiểm tra bằng lệnh:
#   python -m bot catalog validate (báo lỗi kèm số dòng).
"""
_SET = re.compile(r"^(short|long)\d*_train\.tsv$")
EXAMPLES = "examples.tsv"  # questions written as examples only (not a measured set)


def _rows(path: Path) -> list[tuple[str, str]]:
    """(question, codes) of one labelled file (NONE: no procedure of the catalog answers it)."""
    return [(row.query, ",".join(row.codes)) for row in read_rows(path, [])]


def example_rows(data: Path) -> list[tuple[str, str]]:
    """(question, codes) of ``examples.tsv`` without the questions any labelled set holds (folded)."""
    path = data / EXAMPLES
    if not path.exists():
        return []
    asked = {fold(question) for p in data.glob("*.tsv") if p.name != EXAMPLES for question, _codes in _rows(p)}
    return [(q, codes) for q, codes in _rows(path) if fold(q) not in asked]


def training_rows(data: Path) -> list[tuple[str, str]]:
    """(question, codes) of every Vietnamese in-scope training question, in file order, then the examples."""
    rows = [row for path in sorted(p for p in data.glob("*_train.tsv") if _SET.match(p.name)) for row in _rows(path)]
    return rows + example_rows(data)


def render(current: str, rows: list[tuple[str, str]]) -> str:
    """The file's new text: the header, the office's own lines (kept from ``current``), the marker, ``rows``."""
    office: list[str] = []
    if MARKER in current:
        above = current.split(MARKER, 1)[0].splitlines()
        office = [line for line in above if line.strip() and not line.startswith("#")]
    taken = {fold(line.split("\t", 1)[0]) for line in office}
    generated: list[str] = []
    for question, codes in rows:
        key = fold(question)
        if key not in taken:
            taken.add(key)
            generated.append(f"{question}\t{codes}")
    return "\n".join([HEADER.rstrip("\n"), *office, MARKER, *generated]) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, verify) procedures_catalog/questions.tsv."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is missing or stale")
    parser.add_argument("--data", type=Path, default=HERE)
    parser.add_argument("--target", type=Path, default=TARGET)
    args = parser.parse_args(argv)
    current = args.target.read_text(encoding="utf-8") if args.target.exists() else ""
    text = render(current, training_rows(args.data))
    if args.check:
        if text != current:
            print(f"STALE {args.target}: run python bench/data/questions.py", file=sys.stderr)
            return 1
        return 0
    args.target.write_text(text, encoding="utf-8")
    print(f"{args.target}: {text.count(chr(10)) - HEADER.count(chr(10)) - 1} lines below the header")
    return 0


if __name__ == "__main__":
    sys.exit(main())
