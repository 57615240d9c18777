"""Reading dossier exports: CSV (any of , ; tab, UTF-8 or UTF-16) and JSON (a list or ``{"content": [...]}``).

Each row comes with the line of the file it starts on, so rejected rows can be pointed at. Both kinds are
streamed (memory does not grow with the file). Damage is refused, not repaired: a row with fewer or more
values than the header, a last row without its line break (a cut file), a header naming a column twice, the
header line again inside the data, a JSON record repeating a key.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

from bot.dossiers.mapping import fold

#: Largest CSV export accepted (streamed; a 1,000,000-row export is about 200 MB).
MAX_BYTES = 1024 * 1024 * 1024
#: Largest JSON export accepted (streamed like CSV; one record at a time is decoded).
MAX_JSON_BYTES = 1024 * 1024 * 1024
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
    column: str = ""  # the column (or JSON key) the problem is in


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


def _flatten(obj: dict[str, Any], prefix: str, out: dict[str, str]) -> str:
    """Nested objects become dotted keys in ``out``: ``{"procedure": {"code": ..}}`` → ``procedure.code``.

    Returns the dotted name of a key repeated within one object ('' when none is)."""
    repeated = getattr(obj, "repeated", "")
    if repeated:
        return f"{prefix}{repeated}"
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            inner = _flatten(value, name + ".", out)
            if inner:
                return inner
        else:
            out[name] = _text(value)
    return ""


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
    counter = _CountingReader(path.open("rb"))
    text = io.TextIOWrapper(io.BufferedReader(counter, 1 << 20), encoding=enc, newline="")
    try:
        if is_json:
            return _open_json(path, size, text, counter)
        return _open_csv(path, size, text, counter)
    except BaseException:
        text.close()
        raise


# --- CSV --------------------------------------------------------------------------------------------


def _open_csv(path: Path, size: int, text: io.TextIOWrapper, counter: _CountingReader) -> Source:
    try:
        first_line = text.readline()
    except UnicodeDecodeError as exc:
        raise SourceFileError(f"{path}: line 1 is not UTF-8 text; save the export as CSV UTF-8") from exc
    if not first_line.strip():
        raise SourceFileError(f"{path}: the file is empty (no header line)")
    delimiter = max(",;\t", key=first_line.count)
    header = [h.strip() for h in next(csv.reader([first_line], delimiter=delimiter))]
    _check_header(path, header)
    rows = _csv_rows(path, text, header, delimiter)
    return Source(path, "csv", header, rows, size, lambda: counter.count)


def _check_header(path: Path, header: list[str]) -> None:
    """A header naming one column twice (also when spelt differently, ``Ngày nhận``/``ngay_nhan``) is refused."""
    seen: dict[str, int] = {}
    for number, name in enumerate(header, 1):
        if not fold(name):
            continue
        first = seen.setdefault(fold(name), number)
        if first != number:
            raise SourceFileError(
                f"{path}: line 1, column {number} ({name!r}): the header repeats column {first} "
                f"({header[first - 1]!r}); each column must be named once"
            )


class _Lines:
    """The lines of a text stream, remembering whether the last one ended with a line break."""

    def __init__(self, text: io.TextIOWrapper) -> None:
        self.text = text
        self.terminated = True

    def __iter__(self) -> Iterator[str]:
        for line in self.text:
            self.terminated = line.endswith(("\n", "\r"))
            yield line


def _csv_rows(path: Path, text: io.TextIOWrapper, header: list[str], delimiter: str) -> Iterator[SourceRow]:
    """Rows of the file; a row is held back until the next is read, so the last one can be checked for a cut."""
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    width = len(header)
    folded_header = [fold(h) for h in header]
    done = 0
    held: SourceRow | None = None
    held_terminated = True
    try:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except UnicodeDecodeError as exc:
                raise SourceFileError(f"{path}: near line {done + 2}: not UTF-8 text") from exc
            except csv.Error as exc:
                raise SourceFileError(f"{path}: line {reader.line_num + 1}: {exc}") from exc
            line = done + 2
            done = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if held is not None:
                yield held
            held = _csv_row(line, header, folded_header, cells, width)
            held_terminated = lines.terminated
        if held is not None:
            if not held_terminated and not held.problem:
                held.problem = (
                    "the file ends in the middle of this row (no line break after it): it looks cut off; "
                    "export the file again (a complete export ends every row with a line break)"
                )
                held.column = header[-1]
            yield held
    finally:
        text.close()


def _csv_row(line: int, header: list[str], folded_header: list[str], cells: list[str], width: int) -> SourceRow:
    if len(cells) == width:
        first = cells[0].strip().lstrip("\ufeff")
        if first == header[0] and [fold(c.lstrip("\ufeff")) for c in cells] == folded_header:
            return SourceRow(line, {}, "the header line again (were two exports joined?)", header[0])
        return SourceRow(line, dict(zip(header, cells, strict=True)))
    if len(cells) > width:
        return SourceRow(line, {}, f"{len(cells)} values but the header has {width} columns", f"column {width + 1}")
    problem = f"{len(cells)} values but the header has {width} columns (a cut or broken row?)"
    return SourceRow(line, {}, problem, header[len(cells)])


# --- JSON -------------------------------------------------------------------------------------------

#: Largest single dossier record in a JSON export (a record is decoded whole; the file is streamed).
MAX_JSON_RECORD = 4 * 1024 * 1024
_READ_CHARS = 1 << 20


class _Repeated(dict[str, Any]):
    """A JSON object; ``repeated`` names a key that appeared twice in it (the value kept would be a guess)."""

    repeated = ""


def _pairs(pairs: list[tuple[str, Any]]) -> _Repeated:
    obj = _Repeated(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        obj.repeated = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
    return obj


class _JsonStream:
    """Decodes values one at a time from a text stream, holding only the unread part of one read-ahead block."""

    def __init__(self, path: Path, text: io.TextIOWrapper) -> None:
        self.path = path
        self.text = text
        self.buf = ""
        self.pos = 0
        self.line = 1  # line of self.pos
        self.eof = False
        self.decoder = json.JSONDecoder(object_pairs_hook=_pairs)

    def _more(self) -> bool:
        if self.eof:
            return False
        try:
            block = self.text.read(_READ_CHARS)
        except UnicodeDecodeError as exc:
            raise SourceFileError(f"{self.path}: near line {self.line}: not UTF-8 text") from exc
        if not block:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + block
        self.pos = 0
        return True

    def _advance(self, to: int) -> None:
        self.line += self.buf.count("\n", self.pos, to)
        self.pos = to

    def peek(self) -> str:
        """The next non-space character ('' at the end of the file)."""
        while True:
            end = _WS.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            self._advance(end)
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def take(self, char: str, what: str) -> None:
        if self.peek() != char:
            self.fail(f"expected {what}")
        self._advance(self.pos + 1)

    def fail(self, what: str) -> NoReturn:
        raise SourceFileError(f"{self.path}: line {self.line}: {what}")

    def value(self) -> Any:
        """The next JSON value (reading ahead as needed; one value may not exceed ``MAX_JSON_RECORD``)."""
        self.peek()
        while True:
            try:
                obj, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buf) - self.pos <= MAX_JSON_RECORD and self._more():
                    continue
                line = self.line + self.buf.count("\n", self.pos, exc.pos)
                col = exc.pos - self.buf.rfind("\n", 0, exc.pos)
                if not self.eof and len(self.buf) - self.pos > MAX_JSON_RECORD:
                    self.fail(f"invalid JSON or a record over {MAX_JSON_RECORD // 2**20} MB")
                raise SourceFileError(f"{self.path}: line {line}, column {col}: invalid JSON ({exc.msg})") from exc
            except RecursionError:
                self.fail("JSON nested too deeply")
            if end == len(self.buf) and not self.eof and self._more():
                continue  # a number or literal may go on in the next block
            self._advance(end)
            return obj


def _open_json(path: Path, size: int, text: io.TextIOWrapper, counter: _CountingReader) -> Source:
    stream = _JsonStream(path, text)
    if stream.peek() == "\ufeff":
        stream._advance(stream.pos + 1)
    in_object = _find_list(stream)
    rows = _json_rows(stream, in_object)
    first = next(rows, None)
    header = list(first.values) if first is not None else []
    return Source(path, "json", header, _chain(first, rows), size, lambda: counter.count)


def _chain(first: SourceRow | None, rest: Iterator[SourceRow]) -> Iterator[SourceRow]:
    if first is not None:
        yield first
        yield from rest


def _find_list(stream: _JsonStream) -> bool:
    """Reads up to just after the ``[`` of the dossier list; True when the list is inside an object."""
    char = stream.peek()
    if char == "[":
        stream.take("[", "[")
        return False
    if char != "{":
        stream.fail('expected a JSON list or an object like {"content": [...]}')
    stream.take("{", "{")
    if _skip_members(stream, stop_at_list=True):
        return True
    stream.fail(f"no list of dossiers under any of {', '.join(LIST_KEYS)}")


def _skip_members(stream: _JsonStream, *, stop_at_list: bool) -> bool:
    """Reads the members of an object up to its ``}`` (True: stopped after the ``[`` of the dossier list)."""
    while stream.peek() != "}":
        if stream.peek() == ",":
            stream.take(",", ",")
        key = stream.value()
        stream.take(":", "':'")
        if stop_at_list and key in LIST_KEYS and stream.peek() == "[":
            stream.take("[", "[")
            return True
        stream.value()
        if stream.peek() not in ",}":
            stream.fail("expected ',' or '}'" if stream.peek() else "the file ends inside the JSON object")
    stream.take("}", "}")
    return False


def _finish(stream: _JsonStream, in_object: bool) -> None:
    """After the dossier list: the rest of the wrapping object, then nothing but the end of the file."""
    stream.take("]", "]")
    if in_object:
        _skip_members(stream, stop_at_list=False)
    if stream.peek():
        stream.fail("unexpected text after the end of the JSON document")


def _json_rows(stream: _JsonStream, in_object: bool) -> Iterator[SourceRow]:
    try:
        while True:
            if stream.peek() == "]":
                _finish(stream, in_object)
                return
            line = stream.line
            obj = stream.value()
            if isinstance(obj, dict):
                yield _json_row(line, obj)
            else:
                yield SourceRow(line, {}, "a dossier must be a JSON object")
            char = stream.peek()
            if char == ",":
                stream.take(",", ",")
            elif char != "]":
                stream.fail("expected ',' or ']' in the dossier list" if char else "the file ends inside the list")
    finally:
        stream.text.close()


def _json_row(line: int, obj: dict[str, Any]) -> SourceRow:
    values: dict[str, str] = {}
    repeated = _flatten(obj, "", values)
    if repeated:
        return SourceRow(line, {}, "this key appears twice in the record (which value is right?)", repeated)
    return SourceRow(line, values)
