"""Problems found in catalog files, worded for office staff, with file and line."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from bot.catalog.locate import dotted, locate


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file: where it is and what is wrong."""

    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field or '-'}: {self.message}"


_MESSAGES = {
    "missing": "thiếu mục bắt buộc này",
    "extra_forbidden": "mục này không có trong mẫu (viết sai tên mục?)",
    "string_type": "phải là văn bản, đặt trong dấu nháy kép",
    "list_type": 'phải là một danh sách, ví dụ ["a", "b"]',
    "float_type": "phải là một con số",
    "float_parsing": "phải là một con số",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "model_type": "phải là một bảng (các dòng khóa = giá trị)",
    "dict_type": "phải là một bảng (các dòng khóa = giá trị)",
    "too_short": "danh sách không được để trống",
    "string_too_short": "văn bản quá ngắn hoặc để trống",
    "greater_than_equal": "không được là số âm",
    "string_pattern_mismatch": "sai định dạng",
}


def message_for(error: Any) -> str:
    """A short Vietnamese message for one pydantic error dict, with the technical detail after it."""
    kind = error.get("type", "")
    loc = error.get("loc", ())
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "code":
        return "mã thủ tục phải có dạng 1.001193 (một chữ số, dấu chấm, sáu chữ số)"
    if kind == "enum":
        expected = (error.get("ctx") or {}).get("expected", "")
        return f"giá trị không hợp lệ; chọn một trong: {expected}"
    if kind == "value_error":
        return str(error.get("msg", "")).removeprefix("Value error, ")
    text = _MESSAGES.get(kind)
    return text if text else str(error.get("msg", "giá trị không hợp lệ"))


def from_validation_error(
    path: Path, text: str, error: ValidationError, prefix: tuple[str | int, ...] = ()
) -> list[Problem]:
    """One problem per pydantic error, each located at the line of its key in ``text``."""
    problems = []
    for item in error.errors():
        loc = (*prefix, *item["loc"])
        problems.append(Problem(path, locate(text, loc), dotted(loc), message_for(item)))
    return problems


_TOML_LINE = re.compile(r"at line (\d+)")


def from_toml_error(path: Path, error: Exception) -> Problem:
    """A TOML syntax error, at the line given in tomllib's message."""
    text = str(error)
    match = _TOML_LINE.search(text)
    line = int(match.group(1)) if match else 1
    detail = _TOML_LINE.split(text)[0].rstrip(" (") if match else text
    return Problem(path, line, "", f"lỗi cú pháp TOML: {detail}")


def format_problems(problems: Iterable[Problem]) -> str:
    """Problems as ``path:line: field: message`` lines, sorted by file and line."""
    return "\n".join(str(p) for p in sorted(problems))


def print_problems(problems: Iterable[Problem], out: TextIO | None = None) -> int:
    """Print problems one per line (``path:line: field: message``); return how many were printed."""
    items = sorted(problems)
    for problem in items:
        print(problem, file=out)
    return len(items)
