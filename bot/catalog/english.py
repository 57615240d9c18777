"""The English lexicon (``lexicon_en.toml``): how English speakers name procedures and terms, in Vietnamese.

One ``[[term]]`` per meaning: ``en`` (English phrases, lower case, letters, digits and spaces), ``vi`` (the
Vietnamese wording the search understands) and an optional ``note``. Problems are reported with file and
line, like the other catalog files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from bot.catalog.locate import locate
from bot.catalog.model import _Strict
from bot.catalog.problems import Problem, from_validation_error

ENGLISH_FILE = "lexicon_en.toml"
_PHRASE = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")


class EnglishTerm(_Strict):
    """English phrases and the Vietnamese wording they stand for."""

    en: list[str] = Field(min_length=1)
    vi: str = Field(min_length=1)
    note: str = ""


def english_words(text: str) -> list[str]:
    """Lower-case English words of ``text`` ("Driver's License" → ["driver", "s", "license"])."""
    return re.findall(r"[a-z0-9]+", text.lower())


def parse_english(path: Path, text: str, data: dict[str, Any]) -> tuple[list[EnglishTerm], list[Problem]]:
    """The terms of an already parsed ``lexicon_en.toml`` and the problems found (file and line)."""
    unknown = "mục này không có trong mẫu (chỉ dùng [[term]])"
    problems = [Problem(path, locate(text, (k,)), k, unknown) for k in sorted(set(data) - {"term"})]
    items = data.get("term", [])
    if not isinstance(items, list):
        return [], [*problems, Problem(path, locate(text, ("term",)), "term", "phải là các bảng [[term]]")]
    terms: list[EnglishTerm] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        try:
            term = EnglishTerm.model_validate(item)
        except ValidationError as error:
            problems += from_validation_error(path, text, error, prefix=("term", index))
            continue
        line = locate(text, ("term", index, "en"))
        bad = [p for p in term.en if not _PHRASE.fullmatch(p)]
        for phrase in bad:
            message = f"{phrase!r}: chỉ viết chữ thường không dấu, số và một dấu cách giữa các từ"
            problems.append(Problem(path, line, f"term[{index}].en", message))
        for phrase in term.en:
            if phrase in seen and seen[phrase] != index:
                message = f"cụm {phrase!r} đã có ở term[{seen[phrase]}]"
                problems.append(Problem(path, line, f"term[{index}].en", message))
            seen.setdefault(phrase, index)
        if not term.vi.strip():
            problems.append(Problem(path, locate(text, ("term", index, "vi")), f"term[{index}].vi", "để trống"))
        if not bad:
            terms.append(term)
    return terms, problems
