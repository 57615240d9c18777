"""Reading dossier exports: CSV (any of , ; tab, UTF-8 or UTF-16) and JSON (a list or ``{"content": [...]}``).

Each row comes with the line of the file it starts on, so rejected rows can be pointed at.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

#: Largest CSV export accepted (streamed; a 1,000,000-row export is about 200 MB).
MAX_BYTES = 1024 * 1024 * 1024
#: Largest JSON export accepted (read whole into memory).
MAX_JSON_BYTES = 256 * 1024 * 1024
#: Keys of a JSON object that may hold the list of dossiers.
LIST_KEYS = ("content", "data", "items", "records", "dossiers", "result")

_WS = re.compile(r"\s*")
csv.field_size_limit(16 * 1024 * 1024)


class SourceFileError(ValueError):
    """The file as a whole cannot be read (size, encoding, syntax, shape)."""


@dataclass(slots=True)
class SourceRow:
    """One record: the line it starts on, its values by column name, and a structural problem if any."""

    line: int
    values: dict[str, str]
    problem: str = ""


@dataclass
class Source:
    """An opened export: its column names (as first seen) and its rows."""

    path: Path
    kind: str
    header: list[str]
    rows: Iterator[SourceRow]
    total_bytes: int
    position: Callable[[], int] = field(default=lambda: 0)


class _CountingReader(io.RawIOBase):
    """Counts bytes read, for a progress bar over a text stream."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        self.count += n or 0
        return n or 0

    def close(self) -> None:
        self.raw.close()
        super().close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _flatten(obj: dict[str, Any], prefix: str = "", out: dict[str, str] | None = None) -> dict[str, str]:
    """Nested objects become dotted keys: ``{"procedure": {"code": ..}}`` → ``procedure.code``."""
    out = {} if out is None else out
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, name + ".", out)
        else:
            out[name] = _text(value)
    return out


def _encoding(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return "utf-8-sig"


def open_source(path: Path) -> Source:
    """Open a CSV or JSON export (by extension, else by its first character), within the size limits."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise SourceFileError(f"{path}: cannot read ({exc.strerror})") from exc
    enc = _encoding(head)
    first = head.decode(enc, errors="ignore").lstrip("\ufeff \t\r\n")[:1]
    is_json = path.suffix.lower() == ".json" or (path.suffix.lower() != ".csv" and first in "[{" and first)
    limit = MAX_JSON_BYTES if is_json else MAX_BYTES
    if size > limit:
        raise SourceFileError(
            f"{path}: {size / 1e6:.0f} MB is larger than the {limit / 1e6:.0f} MB limit for "
            f"{'JSON' if is_json else 'CSV'} exports; split the export"
        )
    return _open_json(path, size, enc) if is_json else _open_csv(path, size, enc)


# --- CSV --------------------------------------------------------------------------------------------


def _open_csv(path: Path, size: int, enc: str) -> Source:
    counter = _CountingReader(path.open("rb"))
    text = io.TextIOWrapper(io.BufferedReader(counter, 1 << 20), encoding=enc, newline="")
    try:
        first_line = text.readline()
    except UnicodeDecodeError as exc:
        text.close()
        raise SourceFileError(f"{path}: line 1 is not UTF-8 text; save the export as CSV UTF-8") from exc
    if not first_line.strip():
        text.close()
        raise SourceFileError(f"{path}: the file is empty (no header line)")
    delimiter = max(",;\t", key=first_line.count)
    header = [h.strip() for h in next(csv.reader([first_line], delimiter=delimiter))]
    if len(set(header)) != len(header):
        text.close()
        raise SourceFileError(f"{path}: the header repeats a column name")
    return Source(path, "csv", header, _csv_rows(path, text, header, delimiter), size, lambda: counter.count)


def _csv_rows(path: Path, text: io.TextIOWrapper, header: list[str], delimiter: str) -> Iterator[SourceRow]:
    reader = csv.reader(text, delimiter=delimiter)
    width = len(header)
    done = 0
    try:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise SourceFileError(f"{path}: near line {done + 2}: not UTF-8 text") from exc
            except csv.Error as exc:
                raise SourceFileError(f"{path}: line {reader.line_num + 1}: {exc}") from exc
            line = done + 2
            done = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            problem = f"{len(cells)} values but the header has {width} columns" if len(cells) > width else ""
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            yield SourceRow(line, dict(zip(header, cells, strict=False)), problem)
    finally:
        text.close()


# --- JSON -------------------------------------------------------------------------------------------


def _open_json(path: Path, size: int, enc: str) -> Source:
    try:
        text = path.read_bytes().decode(enc)
    except UnicodeDecodeError as exc:
        raise SourceFileError(f"{path}: not UTF-8 text") from exc
    decoder = json.JSONDecoder()
    pos = _WS.match(text).end()  # type: ignore[union-attr]
    if text.startswith("\ufeff", pos):
        pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
    pos = _find_list(path, text, pos, decoder)
    state = {"pos": pos}
    rows = _json_rows(path, text, pos, decoder, state)
    first = next(rows, None)
    header = list(first.values) if first is not None else []
    chained = _chain(first, rows)
    total = max(len(text), 1)
    return Source(path, "json", header, chained, size, lambda: int(size * state["pos"] / total))


def _chain(first: SourceRow | None, rest: Iterator[SourceRow]) -> Iterator[SourceRow]:
    if first is not None:
        yield first
        yield from rest


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _find_list(path: Path, text: str, pos: int, decoder: json.JSONDecoder) -> int:
    """Position just after the ``[`` of the dossier list (top-level list or a known key of an object)."""
    if text.startswith("[", pos):
        return pos + 1
    if not text.startswith("{", pos):
        raise SourceFileError(f'{path}: expected a JSON list or an object like {{"content": [...]}}')
    pos += 1
    try:
        while True:
            pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
            if text.startswith("}", pos):
                break
            key, pos = decoder.raw_decode(text, pos)
            pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
            if not text.startswith(":", pos):
                raise SourceFileError(f"{path}: line {_line_of(text, pos)}: expected ':'")
            pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
            if key in LIST_KEYS and text.startswith("[", pos):
                return pos + 1
            _, pos = decoder.raw_decode(text, pos)
            pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
            if text.startswith(",", pos):
                pos += 1
    except json.JSONDecodeError as exc:
        raise SourceFileError(f"{path}: line {exc.lineno}: invalid JSON ({exc.msg})") from exc
    raise SourceFileError(f"{path}: no list of dossiers under any of {', '.join(LIST_KEYS)}")


def _json_rows(
    path: Path, text: str, pos: int, decoder: json.JSONDecoder, state: dict[str, int]
) -> Iterator[SourceRow]:
    line, line_pos = 1, 0
    while True:
        pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
        if text.startswith("]", pos):
            state["pos"] = len(text)
            return
        line += text.count("\n", line_pos, pos)
        line_pos = pos
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise SourceFileError(f"{path}: line {exc.lineno}: invalid JSON ({exc.msg})") from exc
        state["pos"] = pos
        if isinstance(obj, dict):
            yield SourceRow(line, _flatten(obj))
        else:
            yield SourceRow(line, {}, "a dossier must be a JSON object")
        pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
        if text.startswith(",", pos):
            pos += 1
        elif not text.startswith("]", pos):
            raise SourceFileError(f"{path}: line {_line_of(text, pos)}: expected ',' or ']' in the dossier list")
