"""Import the portal dataset (.jsonl or .jsonl.gz) into catalog files, with a report of what was messy."""

from __future__ import annotations

import gzip
import json
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from bot.catalog.files import ADMIN_KEYS, iter_procedure_files, procedure_path, render_procedure, write_if_changed
from bot.catalog.model import Procedure
from bot.catalog.record import build_procedure, duplicate_name_codes

FLAG_REASONS = {
    "suspicious_name": "tên không khớp lĩnh vực (tên của một quyết định công bố, không phải thủ tục)",
    "name_has_newlines": "tên có xuống dòng ở nguồn",
    "short_name": "tên rất ngắn",
    "repeated_name": "tên bị lặp lại hai lần ở nguồn",
    "duplicate_name": "cùng tên với thủ tục khác",
}


@dataclass
class ImportReport:
    """What an import did and what in the source could not be structured."""

    records_read: int = 0
    files_written: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    fallbacks: Counter[str] = field(default_factory=Counter)  # records per fallback kind
    flagged: list[tuple[str, str, str]] = field(default_factory=list)  # (code, name, flag)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (code, reason) not written
    contradictions: list[tuple[str, bool, str]] = field(default_factory=list)  # (code, resolved, what was done)

    def render(self, console: Console) -> None:
        """Print the report as rich tables."""
        summary = Table(title="Nhập danh mục thủ tục", show_header=False)
        for label, value in (
            ("Bản ghi đã đọc", self.records_read),
            ("Tệp đã ghi", self.files_written),
            ("Tệp không đổi", self.files_unchanged),
            ("Tệp cũ đã xóa", self.files_removed),
            ("Bản ghi bị loại", len(self.rejected)),
            ("Tên bị gắn cờ", len({code for code, _, _ in self.flagged})),
            ("Thủ tục có mâu thuẫn về phí đã xử lý", len(self.contradiction_codes(resolved=True))),
            ("Thủ tục có mâu thuẫn về phí chưa xử lý được", len(self.contradiction_codes(resolved=False))),
        ):
            summary.add_row(label, str(value))
        console.print(summary)
        if self.fallbacks:
            table = Table(title="Giá trị giữ dạng văn bản (số bản ghi)")
            table.add_column("Trường")
            table.add_column("Bản ghi", justify="right")
            table.add_column("Tỷ lệ", justify="right")
            for name, count in sorted(self.fallbacks.items()):
                share = f"{count / self.records_read:.1%}" if self.records_read else "-"
                table.add_row(name, str(count), share)
            console.print(table)
        if self.flagged:
            table = Table(title="Tên thủ tục cần kiểm tra")
            for column in ("Mã", "Tên", "Lý do"):
                table.add_column(column)
            for code, name, flag in sorted(self.flagged):
                table.add_row(code, name[:90], FLAG_REASONS.get(flag, flag))
            console.print(table)
        if self.contradictions:
            table = Table(title="Mâu thuẫn về phí, lệ phí (theo mã thủ tục)")
            for column in ("Mã", "Trạng thái", "Nội dung"):
                table.add_column(column)
            for code, resolved, detail in sorted(self.contradictions):
                table.add_row(code, "đã xử lý" if resolved else "chưa xử lý", detail)
            console.print(table)
        for code, reason in self.rejected:
            console.print(f"[red]Bỏ qua {code}: {reason}[/red]")

    def contradiction_codes(self, resolved: bool) -> set[str]:
        """Codes with at least one fee contradiction of that kind."""
        return {code for code, done, _ in self.contradictions if done is resolved}


def read_records(src: Path) -> Iterator[dict[str, Any]]:
    """Records of a ``.jsonl`` or ``.jsonl.gz`` file, skipping blank lines."""
    opener = gzip.open if src.suffix == ".gz" else open
    with opener(src, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _existing_files(dest: Path) -> dict[str, Path]:
    return {Path(entry.path).stem: Path(entry.path) for entry in iter_procedure_files(dest)}


def _admin_edits(path: Path | None) -> dict[str, Any]:
    """``aliases`` / ``online_steps`` from an existing file (unreadable file → nothing kept)."""
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    return {key: data[key] for key in ADMIN_KEYS if isinstance(data.get(key), list) and data[key]}


def build_procedures(records: Iterator[dict[str, Any]], report: ImportReport) -> list[Procedure]:
    """Build procedures from records, counting fallbacks and flags into ``report``."""
    procedures: dict[str, Procedure] = {}
    for record in records:
        report.records_read += 1
        code = str(record.get("ma_thu_tuc", "")).strip()
        try:
            built = build_procedure(record)
        except ValidationError as error:
            report.rejected.append((code or "?", str(error.errors()[0]["msg"])))
            continue
        if built.procedure.code in procedures:
            report.rejected.append((code, "mã thủ tục bị trùng trong dữ liệu nguồn"))
            continue
        report.fallbacks.update(set(built.fallbacks))
        report.contradictions += [(built.procedure.code, c.resolved, c.detail) for c in built.contradictions]
        procedures[built.procedure.code] = built.procedure
    duplicates = {code for codes in duplicate_name_codes(procedures.values()).values() for code in codes}
    result = []
    for code, procedure in procedures.items():
        flags = procedure.flags + (["duplicate_name"] if code in duplicates else [])
        report.flagged += [(code, procedure.name, flag) for flag in flags]
        result.append(procedure.model_copy(update={"flags": flags}))
    return result


def import_catalog(src: Path, dest: Path, prune: bool = False) -> ImportReport:
    """Import ``src`` into the catalog folder ``dest`` (``dest/procedures/<field>/<code>.toml``).

    Files are only rewritten when their content changes; ``aliases`` and ``online_steps`` edited by
    administrators in an existing file for the same code are kept. With ``prune``, files for codes
    no longer in the source are removed.
    """
    report = ImportReport()
    procedures = build_procedures(read_records(src), report)
    existing = _existing_files(dest)
    for procedure in procedures:
        old = existing.pop(procedure.code, None)
        edits = _admin_edits(old)
        if edits:
            procedure = procedure.model_copy(update=edits)
        path = procedure_path(dest, procedure)
        if write_if_changed(path, render_procedure(procedure)):
            report.files_written += 1
        else:
            report.files_unchanged += 1
        if old is not None and old != path:
            old.unlink(missing_ok=True)  # the field changed: the file moved to another folder
            report.files_removed += 1
    if prune:
        for path in existing.values():
            path.unlink(missing_ok=True)
            report.files_removed += 1
    return report
