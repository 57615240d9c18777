"""The situation lexicon (``situations.toml``): everyday situations → the procedures they call for.

An administrator writes one ``[[situation]]`` per situation: ``say`` (how staff would name it), ``when``
(patterns: parts joined by ``+`` that must all appear in a message; a part is a phrase or ``@group``, a
word group of ``[words]``), ``to`` (procedure codes or name fragments) and an optional ``note``.
Every problem is reported with file and line, like the procedure files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from bot.catalog.locate import locate
from bot.catalog.model import CODE_PATTERN, Procedure, _Strict
from bot.catalog.problems import Problem, from_validation_error
from bot.catalog.questions import NO_PROCEDURE
from bot.catalog.text import fold

SITUATIONS_FILE = "situations.toml"
_CODE = re.compile(CODE_PATTERN)
_NON_WORD = re.compile(r"[^a-z0-9]+")


class SituationEntry(_Strict):
    """One everyday situation as written in the file."""

    say: str = Field(min_length=1)
    when: list[str] = Field(min_length=1)
    to: list[str] = Field(min_length=1)
    note: str = ""


GROUP_TABLES = ("events", "objects", "words")  # word groups: what happens, to what, anything else


@dataclass(frozen=True, slots=True)
class Situation:
    """A validated situation: patterns as tuples of parts, each part a tuple of alternative phrases."""

    say: str
    patterns: tuple[tuple[tuple[str, ...], ...], ...]
    to: tuple[str, ...]
    line: int

    @property
    def gap(self) -> bool:
        """The catalog has no procedure for it (``to = ["NONE"]``): the citizen is told so and offered an officer."""
        return self.to == (NO_PROCEDURE,)


@dataclass(frozen=True, slots=True)
class SituationBook:
    """The whole file: situations and the word groups (events, objects, other words) they use."""

    situations: tuple[Situation, ...] = ()
    groups: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (table, name, phrases)


def name_key(text: str) -> str:
    """A name or name fragment folded for matching ("Cấp lại Giấy chứng nhận" → "cap lai giay chung nhan")."""
    return _NON_WORD.sub(" ", fold(text.lower())).strip()


def _parse_pattern(pattern: str, words: dict[str, tuple[str, ...]]) -> tuple[tuple[tuple[str, ...], ...], str]:
    """Parts of one ``when`` pattern, or an error message."""
    parts: list[tuple[str, ...]] = []
    for raw in pattern.split("+"):
        part = raw.strip()
        if not part:
            return (), f"mẫu {pattern!r} có phần để trống (hai dấu + liền nhau?)"
        if part.startswith("@"):
            group = words.get(part[1:])
            if group is None:
                return (), f"nhóm từ {part} chưa khai báo trong [words]"
            parts.append(group)
        else:
            parts.append((part,))
    return tuple(parts), ""


def _read_groups(
    path: Path, text: str, data: dict[str, Any]
) -> tuple[list[tuple[str, str, tuple[str, ...]]], list[Problem]]:
    groups: list[tuple[str, str, tuple[str, ...]]] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for table in GROUP_TABLES:
        raw = data.get(table, {})
        if not isinstance(raw, dict):
            problems.append(Problem(path, locate(text, (table,)), table, f"phải là một bảng [{table}]"))
            continue
        for name, value in raw.items():
            where = locate(text, (table, name))
            if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
                message = 'phải là danh sách cụm từ không trống, ví dụ ["mất", "thất lạc"]'
                problems.append(Problem(path, where, f"{table}.{name}", message))
            elif name in seen:
                problems.append(Problem(path, where, f"{table}.{name}", f"nhóm từ @{name} đã khai báo ở bảng khác"))
            else:
                seen.add(name)
                groups.append((table, name, tuple(v.strip() for v in value)))
    return groups, problems


def parse_situations(path: Path, text: str, data: dict[str, Any]) -> tuple[SituationBook, list[Problem]]:
    """Situations of an already parsed ``situations.toml`` and the problems found (file and line)."""
    unknown = "mục này không có trong mẫu (chỉ dùng [events], [objects], [words], [[situation]])"
    problems = [Problem(path, locate(text, (k,)), k, unknown) for k in sorted(set(data) - {*GROUP_TABLES, "situation"})]
    groups, group_problems = _read_groups(path, text, data)
    problems += group_problems
    words = {name: phrases for _table, name, phrases in groups}
    items = data.get("situation", [])
    if not isinstance(items, list):
        where = locate(text, ("situation",))
        return SituationBook(), [*problems, Problem(path, where, "situation", "phải là các bảng [[situation]]")]
    out: list[Situation] = []
    for index, item in enumerate(items):
        try:
            entry = SituationEntry.model_validate(item)
        except ValidationError as error:
            problems += from_validation_error(path, text, error, prefix=("situation", index))
            continue
        patterns = []
        for pattern in entry.when:
            parts, message = _parse_pattern(pattern, words)
            if message:
                where = locate(text, ("situation", index, "when"))
                problems.append(Problem(path, where, f"situation[{index}].when", message))
            else:
                patterns.append(parts)
        line = locate(text, ("situation", index))
        if patterns and len(patterns) == len(entry.when):
            out.append(Situation(entry.say, tuple(patterns), tuple(t.strip() for t in entry.to), line))
    return SituationBook(tuple(out), tuple(groups)), problems


def check_targets(path: Path, situations: Iterable[Situation], procedures: Iterable[Procedure]) -> list[Problem]:
    """A problem for every ``to`` item that names no procedure of the catalog (unknown code, no name match)."""
    procs = list(procedures)
    codes = {p.code for p in procs}
    names = [name_key(p.name) for p in procs]
    problems = []
    for sit in situations:
        if NO_PROCEDURE in sit.to and not sit.gap:
            message = f"{sit.say}: {NO_PROCEDURE} (danh mục không có thủ tục) phải đứng một mình trong to"
            problems.append(Problem(path, sit.line, "to", message))
            continue
        for target in () if sit.gap else sit.to:
            if _CODE.match(target):
                if target not in codes:
                    problems.append(Problem(path, sit.line, "to", f"{sit.say}: không có thủ tục mã {target}"))
            elif not (key := name_key(target)) or not any(key in n for n in names):
                message = f"{sit.say}: không có thủ tục nào có tên chứa {target!r}"
                problems.append(Problem(path, sit.line, "to", message))
    return problems


def targets_of(situation: Situation, names: Iterable[tuple[str, str]]) -> list[str]:
    """Codes a situation points to, given (code, :func:`name_key` of the name) of every procedure."""
    if situation.gap:
        return []
    keys = [name_key(t) for t in situation.to if not _CODE.match(t)]
    codes = [t for t in situation.to if _CODE.match(t)]
    return codes + [code for code, name in names if keys and any(k in name for k in keys)]
