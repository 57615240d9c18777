"""Find the line of a key in TOML text, for error messages ("ways[1].fees[0].amount" → line 57)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

Path_ = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")
_MULTILINE = ('"""', "'''")


def _split_dotted(name: str) -> list[str]:
    parts = re.findall(r"""("(?:[^"\\]|\\.)*"|'[^']*'|[^.\s]+)""", name)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def key_lines(text: str) -> dict[Path_, int]:
    """Map every table header and key in ``text`` to its 1-based line number."""
    lines: dict[Path_, int] = {}
    counts: dict[Path_, int] = {}
    table: Path_ = ()
    open_quote: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if open_quote is not None:  # inside a multi-line string
            if line.count(open_quote) % 2 == 1:
                open_quote = None
            continue
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            table = _resolve(_split_dotted(header.group(2)), lines, counts, header.group(1) == "[[")
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            name = key.group(1)
            name = name[1:-1] if name[:1] in "\"'" else name
            lines.setdefault((*table, name), number)
            rest = line[key.end() :]
            for quote in _MULTILINE:
                if rest.count(quote) % 2 == 1:
                    open_quote = quote
                    break
    return lines


def _resolve(parts: list[str], lines: dict[Path_, int], counts: dict[Path_, int], array: bool) -> Path_:
    """Turn ``ways.fees`` into a path with indexes, e.g. ("ways", 1, "fees", 0)."""
    path: Path_ = ()
    for i, part in enumerate(parts):
        path = (*path, part)
        last = i == len(parts) - 1
        if path in counts and not (last and array):
            path = (*path, counts[path] - 1)  # a parent array of tables: its latest element
        elif last and array:
            counts[path] = counts.get(path, 0) + 1
            path = (*path, counts[path] - 1)
    return path


@lru_cache(maxsize=4)
def _lines_of(text: str) -> dict[Path_, int]:
    """``key_lines`` of one file's text, computed once for the many entries a lexicon or situation file
    locates (a string's hash is cached, so a repeated look-up costs nothing)."""
    return key_lines(text)


def locate(text: str, loc: Sequence[str | int]) -> int:
    """The line of ``loc`` (a pydantic error location) in ``text``: the key, else its table, else 1."""
    lines = _lines_of(text)
    path: Path_ = tuple(loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1


def dotted(loc: Sequence[str | int]) -> str:
    """``("ways", 1, "fees", 0, "amount")`` → ``ways[1].fees[0].amount``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
