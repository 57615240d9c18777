"""Published answers (câu hỏi thường gặp): one TOML file each, written when an administrator approves an
officer's answer, validated with file and line like the catalog, reloaded when the files change, and
matched against citizens' questions before the assistant gives up.

A file::

    question = "Làm sổ đỏ cho đất vườn ở đâu?"
    answer = "Nộp tại Bộ phận Một cửa của UBND cấp xã nơi có đất …"
    aliases = ["cấp sổ đỏ đất vườn"]      # other wordings (optional)
    unit = "Phòng Tài nguyên và Môi trường"
    source = "H12"                        # the question it came from (optional)
"""

from __future__ import annotations

import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rapidfuzz import fuzz, process

from bot.catalog.problems import Problem, from_toml_error, from_validation_error
from bot.handoff.gaps import group_key

#: An FAQ answers a question when their keys share most words (token-set similarity, 0–100) and are alike
#: as wholes (token-sort similarity), so a short "kết hôn" is not taken for a long published question.
SET_SCORE = 90.0
SORT_SCORE = 70.0
MIN_WORDS = 2


class FaqEntry(BaseModel):
    """One published question and its answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str = Field(min_length=5, max_length=500)
    answer: str = Field(min_length=5, max_length=2000)
    aliases: list[str] = Field(default_factory=list)
    unit: str = ""
    source: str = ""


@dataclass(frozen=True)
class FaqBook:
    """The loaded FAQ files and their search keys."""

    entries: tuple[FaqEntry, ...]
    keys: tuple[str, ...]  # one per wording
    owners: tuple[int, ...]  # entry index of each key
    problems: tuple[Problem, ...] = ()

    def match(self, text: str) -> FaqEntry | None:
        """The FAQ that answers ``text``, if one is close enough."""
        key = group_key(text)
        if len(key.split()) < MIN_WORDS or not self.keys:
            return None
        for _key, _score, index in process.extract(key, self.keys, scorer=fuzz.token_set_ratio,
                                                   score_cutoff=SET_SCORE, limit=5):  # fmt: skip
            if fuzz.token_sort_ratio(key, self.keys[index]) >= SORT_SCORE:
                return self.entries[self.owners[index]]
        return None


def load_faq(folder: Path) -> FaqBook:
    """Every ``*.toml`` in ``folder``; a broken file is left out and reported as ``path:line: …``."""
    entries: list[FaqEntry] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            problems.append(from_toml_error(path, exc))
            continue
        try:
            entries.append(FaqEntry.model_validate(data))
        except ValidationError as exc:
            problems += from_validation_error(path, text, exc)
    keys: list[str] = []
    owners: list[int] = []
    for i, entry in enumerate(entries):
        for wording in (entry.question, *entry.aliases):
            keys.append(group_key(wording))
            owners.append(i)
    return FaqBook(tuple(entries), tuple(keys), tuple(owners), tuple(problems))


def _signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    if not folder.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.glob("*.toml")))


_CACHE: dict[Path, tuple[tuple[tuple[str, int, int], ...], FaqBook]] = {}
_LOCK = threading.Lock()


def faq_book(folder: Path) -> FaqBook:
    """The FAQ of ``folder``, read again only when a file was added, removed or edited."""
    signature = _signature(folder)
    with _LOCK:
        cached = _CACHE.get(folder)
        if cached is not None and cached[0] == signature:
            return cached[1]
    book = load_faq(folder)
    with _LOCK:
        _CACHE[folder] = (signature, book)
    return book


def write_faq(folder: Path, name: str, entry: FaqEntry) -> Path:
    """Write ``entry`` as ``folder/name.toml`` (validated first) and return the path."""
    FaqEntry.model_validate(entry.model_dump())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    header = "# Câu hỏi thường gặp — đã được quản trị viên duyệt. Sửa nội dung trực tiếp trong tệp này.\n"
    path.write_text(header + tomli_w.dumps(entry.model_dump(exclude_defaults=True), multiline_strings=True),
                    encoding="utf-8")  # fmt: skip
    return path
