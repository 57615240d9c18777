"""Example questions (``questions.tsv``): questions citizens asked, each with the procedures that answer it.

One question per line: the question as the citizen wrote it, a TAB, then the procedure codes (comma-separated)
that a careful officer would accept, or ``NONE`` for a question no procedure of the catalog answers (the
unemployment benefit a labour office pays): a message most like those is not answered with a procedure. Lines
starting with ``#`` and empty lines are skipped. The search recalls the procedures of the examples most like a
new message (:mod:`bot.search.memory`). Every problem is reported with file and line, like the procedure files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.catalog.model import CODE_PATTERN
from bot.catalog.problems import Problem
from bot.catalog.text import fold
from bot.masking import mask_text

QUESTIONS_FILE = "questions.tsv"
MAX_QUESTION_CHARS = 1000
NO_PROCEDURE = "NONE"  # the codes of a question no procedure of the catalog answers (unemployment benefit…)
# The line above the examples written from the training questions (bench/data/questions.py); an office's own
# examples go above it.
MARKER = "# --- các dòng dưới đây do bench/data/questions.py tạo từ bench/data/*_train.tsv; đừng sửa ---"
_CODE = re.compile(CODE_PATTERN)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_DIGIT_RUN = re.compile(r"\+?\d[\d .-]{7,}\d")


def _personal(question: str) -> bool:
    """A phone number (0… or 84…, spaces and dots allowed), a 12-digit ID number or an e-mail address."""
    if mask_text(question) != question or _EMAIL.search(question):
        return True
    for run in _DIGIT_RUN.findall(question):
        digits = re.sub(r"\D", "", run)
        if len(digits) == 12 or (10 <= len(digits) <= 11 and digits.startswith(("0", "84"))):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Example:
    """One example question and the codes that answer it."""

    question: str
    codes: tuple[str, ...]
    line: int


def parse_questions(path: Path, text: str) -> tuple[tuple[Example, ...], list[Problem]]:
    """The examples of one file's ``text`` and the problems of its lines. A well-formed code that is not in the
    catalog is no problem: a procedure removed from the catalog leaves its examples recalling the others (the
    search ignores codes it has not indexed), and the removal is judged by the catalog's own guard."""
    examples: list[Example] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            message = "mỗi dòng gồm câu hỏi, một dấu TAB rồi các mã thủ tục" + (
                " (thiếu dấu TAB)" if len(parts) == 1 else f" (có {len(parts) - 1} dấu TAB)"
            )
            problems.append(Problem(path, number, "", message))
            continue
        question, codes_text = parts[0].strip(), parts[1]
        if not question:
            problems.append(Problem(path, number, "question", "câu hỏi để trống"))
            continue
        if len(question) > MAX_QUESTION_CHARS:
            problems.append(Problem(path, number, "question", f"câu hỏi dài quá {MAX_QUESTION_CHARS} ký tự"))
            continue
        if _personal(question):
            message = "câu hỏi có số điện thoại, số giấy tờ hoặc email: bỏ đi trước khi lưu"
            problems.append(Problem(path, number, "question", message))
            continue
        codes = tuple(c.strip() for c in codes_text.split(",") if c.strip())
        bad = [c for c in codes if not _CODE.fullmatch(c) and codes != (NO_PROCEDURE,)]
        if not codes or bad:
            shown = ", ".join(repr(c) for c in bad) if bad else "không có mã"
            message = f"mã thủ tục phải có dạng 1.001193, cách nhau bằng dấu phẩy, hoặc NONE ({shown})"
            problems.append(Problem(path, number, "codes", message))
            continue
        key = question_key(question)
        if key in seen:
            problems.append(Problem(path, number, "question", f"câu hỏi trùng với dòng {seen[key]}"))
            continue
        seen[key] = number
        examples.append(Example(question, tuple(dict.fromkeys(codes)), number))
    return tuple(examples), problems


def question_key(question: str) -> str:
    """A question as it is compared for repeats: folded, single spaces."""
    return " ".join(fold(question).split())


def add_example(path: Path, question: str, codes: tuple[str, ...]) -> int:
    """Write ``question`` (whitespace made single spaces) with ``codes`` into the file at ``path``, above the
    marker line when there is one (else at the end); returns its line number. Raises ValueError, worded for
    office staff, when the question is empty or too long, a code is malformed, or the question is there already."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    question = " ".join(question.split())
    line = f"{question}\t{','.join(codes)}"
    _new, problems = parse_questions(path, line + "\n")
    if problems:
        raise ValueError(problems[0].message)
    existing, _problems = parse_questions(path, text)
    key = question_key(question)
    for ex in existing:
        if question_key(ex.question) == key:
            raise ValueError(f"câu hỏi đã có ở dòng {ex.line}")
    lines = text.splitlines()
    at = lines.index(MARKER) if MARKER in lines else len(lines)
    lines.insert(at, line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return at + 1
