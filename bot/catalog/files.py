"""Catalog layout on disk and the TOML form of one procedure (writing and listing files)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import tomli_w

from bot.catalog.model import Procedure
from bot.catalog.text import slugify

PROCEDURES_DIR = "procedures"
LEXICON_FILE = "lexicon.toml"
# Keys an administrator edits by hand; a re-import keeps them.
ADMIN_KEYS = ("aliases", "online_steps")

HEADER = """\
# Thủ tục hành chính {code} — tệp do công cụ nhập dữ liệu tạo ra, cán bộ có thể sửa trực tiếp.
# Cách sửa:
#   - Thêm tên thường gọi vào aliases, ví dụ: aliases = ["sổ đỏ", "làm sổ đỏ"].
#   - Không đổi code: mã thủ tục phải trùng với tên tệp ({code}.toml).
#   - Văn bản nhiều dòng đặt giữa ba dấu nháy \"\"\" ... \"\"\".
#   - Sửa xong, kiểm tra bằng lệnh: python -m bot catalog validate (báo lỗi kèm số dòng).
#   - Khi nhập lại dữ liệu từ Cổng DVC, aliases và online_steps đã sửa được giữ nguyên.
"""


def procedure_path(root: Path, procedure: Procedure) -> Path:
    """Where a procedure's file lives: ``<root>/procedures/<field-slug>/<code>.toml``."""
    return root / PROCEDURES_DIR / slugify(procedure.field) / f"{procedure.code}.toml"


def iter_procedure_files(root: Path) -> Iterator[os.DirEntry[str]]:
    """Every ``*.toml`` file under ``<root>/procedures``, sorted by path (missing folder → nothing)."""
    base = root / PROCEDURES_DIR
    if not base.is_dir():
        return
    stack = [str(base)]
    found: list[os.DirEntry[str]] = []
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.name.endswith(".toml") and entry.is_file():
                    found.append(entry)
    yield from sorted(found, key=lambda e: e.path)


def _prune(value: Any) -> Any:
    """Drop None and empty strings from nested tables (TOML has no null; empty text is noise)."""
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def procedure_document(procedure: Procedure) -> dict[str, Any]:
    """The procedure as a TOML-ready mapping: simple keys first, then tables, in a fixed order."""
    data = procedure.model_dump(mode="json")
    simple = {k: v for k, v in data.items() if not isinstance(v, dict | list) or k in ("levels", *ADMIN_KEYS)}
    simple = {k: v for k, v in simple.items() if v is not None}
    for key in ("steps", "step_notes", "time_notes", "flags"):
        simple[key] = data[key]
    tables = {k: _prune(data[k]) for k in ("ways", "documents", "legal_basis") if data[k]}
    raw = {"raw": data["raw"]} if data["raw"] else {}
    return {**simple, **raw, **tables}


def render_procedure(procedure: Procedure) -> str:
    """The full text of a procedure file: the Vietnamese comment header, then TOML."""
    body = tomli_w.dumps(procedure_document(procedure), multiline_strings=True)
    return HEADER.format(code=procedure.code) + "\n" + body


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless it already holds exactly that; True when written."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True
