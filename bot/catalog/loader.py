"""Load and validate the catalog folder: procedure files, the lexicon, a stat signature and a parse cache."""

from __future__ import annotations

import os
import pickle
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import rtoml
from pydantic import ValidationError

from bot.catalog.english import ENGLISH_FILE, EnglishTerm, parse_english
from bot.catalog.files import LEXICON_FILE, iter_procedure_files
from bot.catalog.locate import locate
from bot.catalog.model import LexiconEntry, Procedure
from bot.catalog.problems import Problem, from_toml_error, from_validation_error
from bot.catalog.questions import QUESTIONS_FILE, Example, parse_questions
from bot.catalog.situations import SITUATIONS_FILE, SituationBook, check_targets, parse_situations
from bot.catalog.text import fold

_T = TypeVar("_T")

Signature = tuple[tuple[str, int, int], ...]
EXTRA_FILES = (LEXICON_FILE, SITUATIONS_FILE, ENGLISH_FILE, QUESTIONS_FILE)  # the catalog's files beside procedures
CACHE_VERSION = 2  # bump when the Procedure model changes shape


class CatalogError(Exception):
    """The catalog has problems; ``problems`` lists them with file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        first = f": {self.problems[0]}" if self.problems else ""
        super().__init__(f"{len(self.problems)} problem(s) in the catalog{first}")


@dataclass(frozen=True)
class Catalog:
    """A loaded, valid catalog."""

    procedures: Mapping[str, Procedure]
    lexicon: list[LexiconEntry]
    signature: Signature
    root: Path = field(default=Path("."))
    situations: SituationBook = field(default_factory=SituationBook)
    english: list[EnglishTerm] = field(default_factory=list)
    questions: tuple[Example, ...] = ()


@dataclass
class _FileResult:
    """What one file yielded: a procedure (when valid) and its own problems."""

    procedure: Procedure | None
    problems: list[Problem]


def _stat_key(entry: os.DirEntry[str] | Path) -> tuple[str, int, int]:
    st = entry.stat()
    return (str(entry.path if isinstance(entry, os.DirEntry) else entry), st.st_mtime_ns, st.st_size)


def catalog_signature(root: Path) -> Signature:
    """(path, mtime_ns, size) of every catalog file: cheap (stat only) and changes on any edit."""
    root = root.resolve()
    keys = [_stat_key(entry) for entry in iter_procedure_files(root)]
    for extra in EXTRA_FILES:
        if (root / extra).is_file():
            keys.append(_stat_key(root / extra))
    return tuple(keys)


def _read_toml(path: Path) -> tuple[str, dict[str, Any] | None, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return "", None, [Problem(path, 1, "", f"không đọc được tệp: {error}")]
    try:
        return text, rtoml.loads(text), []  # fast path (Rust parser, ~7x faster than tomllib)
    except Exception:  # rtoml's errors carry no usable position: let tomllib explain
        pass
    try:
        return text, tomllib.loads(text), []
    except tomllib.TOMLDecodeError as error:
        return text, None, [from_toml_error(path, error)]


def check_procedure_file(path: Path) -> _FileResult:
    """Parse and validate one procedure file (syntax, schema, file name, aliases)."""
    text, data, problems = _read_toml(path)
    if data is None:
        return _FileResult(None, problems)
    try:
        procedure = Procedure.model_validate(data)
    except ValidationError as error:
        return _FileResult(None, from_validation_error(path, text, error))
    if procedure.code != path.stem:
        line = locate(text, ("code",))
        message = f"mã thủ tục {procedure.code} khác tên tệp; đổi tên tệp thành {procedure.code}.toml"
        problems.append(Problem(path, line, "code", message))
    seen: dict[str, int] = {}
    for index, alias in enumerate(procedure.aliases):
        key = fold(" ".join(alias.split()))
        if key in seen:
            message = f"tên gọi khác {alias!r} bị trùng với aliases[{seen[key]}]"
            problems.append(Problem(path, locate(text, ("aliases",)), f"aliases[{index}]", message))
        seen.setdefault(key, index)
    return _FileResult(None if problems else procedure, problems)


def load_lexicon(root: Path) -> tuple[list[LexiconEntry], list[Problem]]:
    """The ``[[term]]`` entries of ``lexicon.toml`` (missing file → empty list) and their problems."""
    path = root / LEXICON_FILE
    if not path.is_file():
        return [], []
    text, data, problems = _read_toml(path)
    if data is None:
        return [], problems
    entries: list[LexiconEntry] = []
    terms = data.get("term", [])
    if not isinstance(terms, list):
        return [], [Problem(path, locate(text, ("term",)), "term", "phải là các bảng [[term]]")]
    for index, item in enumerate(terms):
        try:
            entries.append(LexiconEntry.model_validate(item))
        except ValidationError as error:
            problems += from_validation_error(path, text, error, prefix=("term", index))
    unknown = sorted(set(data) - {"term"})
    problems += [
        Problem(path, locate(text, (k,)), k, "mục này không có trong mẫu (chỉ dùng [[term]])") for k in unknown
    ]
    return entries, problems


def _load_file(
    path: Path, empty: _T, parse: Callable[[Path, str, dict[str, Any]], tuple[_T, list[Problem]]]
) -> tuple[_T, list[Problem]]:
    """One optional TOML file of the catalog folder: ``empty`` when missing, else what ``parse`` makes of it."""
    if not path.is_file():
        return empty, []
    text, data, problems = _read_toml(path)
    if data is None:
        return empty, problems
    return parse(path, text, data)


def load_situations(root: Path, procedures: Mapping[str, Procedure]) -> tuple[SituationBook, list[Problem]]:
    """The situations of ``situations.toml`` (missing file → none), checked against ``procedures``."""
    path = root / SITUATIONS_FILE
    book, problems = _load_file(path, SituationBook(), parse_situations)
    return book, problems + check_targets(path, book.situations, procedures.values())


def load_english(root: Path) -> tuple[list[EnglishTerm], list[Problem]]:
    """The terms of ``lexicon_en.toml`` (missing file → none) and their problems."""
    return _load_file(root / ENGLISH_FILE, [], parse_english)


def load_questions(root: Path) -> tuple[tuple[Example, ...], list[Problem]]:
    """The example questions of ``questions.tsv`` (missing file → none) and the problems of its lines."""
    path = root / QUESTIONS_FILE
    if not path.is_file():
        return (), []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return (), [Problem(path, 1, "", f"không đọc được tệp: {error}")]
    return parse_questions(path, text)


class _Cache:
    """Per-file parse results keyed by (path, mtime_ns, size), kept in a pickle file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, tuple[int, int, _FileResult]] = {}
        self.dirty = False
        if path is not None and path.is_file():
            try:
                with path.open("rb") as fh:  # streamed: no second copy of the file in memory
                    version, entries = pickle.load(fh)
                if version == CACHE_VERSION:
                    self.entries = entries
            except Exception:  # a broken cache is only a slower load
                self.entries = {}

    def result(self, key: tuple[str, int, int]) -> _FileResult:
        name, mtime, size = key
        hit = self.entries.get(name)
        if hit is not None and hit[0] == mtime and hit[1] == size:
            return hit[2]
        result = check_procedure_file(Path(name))
        self.entries[name] = (mtime, size, result)
        self.dirty = True
        return result

    def save(self, live: set[str]) -> None:
        if self.path is None:
            return
        stale = set(self.entries) - live
        if not self.dirty and not stale:
            return
        for name in stale:
            del self.entries[name]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickler = pickle.Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.fast = True  # no memo of every object written (30 MB at a cold start): the entries are trees
            pickler.dump((CACHE_VERSION, self.entries))
        tmp.replace(self.path)


def _scan(root: Path, cache_path: Path | None) -> tuple[Catalog | None, list[Problem]]:
    root = root.resolve()  # cache keys and signatures are absolute paths however the root was given
    cache = _Cache(cache_path)
    signature = catalog_signature(root)
    procedures: dict[str, Procedure] = {}
    where: dict[str, Path] = {}
    problems: list[Problem] = []
    extra_names = {str(root / name) for name in EXTRA_FILES}
    for key in signature:
        if key[0] in extra_names:
            continue
        result = cache.result(key)
        problems += result.problems
        procedure = result.procedure
        if procedure is None:
            continue
        path = Path(key[0])
        if procedure.code in procedures:
            message = f"mã thủ tục {procedure.code} đã có ở tệp {where[procedure.code]}"
            problems.append(Problem(path, locate(path.read_text(encoding="utf-8"), ("code",)), "code", message))
            continue
        procedures[procedure.code] = procedure
        where[procedure.code] = path
    cache.save({key[0] for key in signature})
    lexicon, lexicon_problems = load_lexicon(root)
    problems += lexicon_problems
    situations, situation_problems = load_situations(root, procedures)
    problems += situation_problems
    english, english_problems = load_english(root)
    problems += english_problems
    questions, question_problems = load_questions(root)
    problems += question_problems
    if problems:
        return None, sorted(problems)
    return Catalog(procedures, lexicon, signature, root, situations, english, questions), []


def validate_catalog(root: Path, cache_path: Path | None = None) -> list[Problem]:
    """Every problem in the catalog under ``root`` (empty list when it is valid)."""
    return _scan(root, cache_path)[1]


def load_catalog(root: Path, cache_path: Path | None = None) -> Catalog:
    """Load the catalog under ``root``; raise :class:`CatalogError` listing problems if anything is invalid.

    With ``cache_path``, parsed files are cached by (path, mtime_ns, size) and only changed files are
    parsed and validated again.
    """
    catalog, problems = _scan(root, cache_path)
    if catalog is None:
        raise CatalogError(problems)
    return catalog
