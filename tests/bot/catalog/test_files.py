"""Import → files → load round trip, validation with file and line, cache and hot reload."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

import pytest

from bot.catalog.importer import ImportReport, build_procedures, import_catalog, read_records
from bot.catalog.loader import CatalogError, load_catalog, validate_catalog
from bot.catalog.model import Channel, OnlineMode
from bot.catalog.problems import Problem, print_problems
from bot.catalog.record import build_procedure
from bot.catalog.reload import CatalogHolder


def _file(root: Path, code: str) -> Path:
    return next((root / "procedures").rglob(f"{code}.toml"))


def _line_of(text: str, pattern: str, start: int = 0) -> int:
    """1-based line of the first line matching ``pattern`` at or after line index ``start``."""
    lines = text.splitlines()
    return next(i + 1 for i in range(start, len(lines)) if re.match(pattern, lines[i]))


def _touch_later(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


# ---------------------------------------------------------------- import and round trip


def test_round_trip_import_then_load_gives_the_same_procedures(sample_jsonl: Path, catalog_root: Path) -> None:
    expected = {p.code: p for p in build_procedures(read_records(sample_jsonl), ImportReport())}
    catalog = load_catalog(catalog_root)
    assert catalog.procedures == expected
    assert _file(catalog_root, "1.000894").parent.name == "ho-tich"


def test_reimport_is_byte_identical_and_keeps_admin_edits(sample_jsonl: Path, catalog_root: Path) -> None:
    path = _file(catalog_root, "1.000894")
    before = {p: p.read_bytes() for p in (catalog_root / "procedures").rglob("*.toml")}
    report = import_catalog(sample_jsonl, catalog_root)
    assert report.files_written == 0 and report.files_unchanged == len(before)
    assert {p: p.read_bytes() for p in (catalog_root / "procedures").rglob("*.toml")} == before

    text = path.read_text(encoding="utf-8").replace("aliases = []", 'aliases = ["đăng ký kết hôn", "dk ket hon"]')
    path.write_text(text.replace("online_steps = []", 'online_steps = ["Vào Cổng DVC quốc gia"]'), encoding="utf-8")
    import_catalog(sample_jsonl, catalog_root)
    procedure = load_catalog(catalog_root).procedures["1.000894"]
    assert procedure.aliases == ["đăng ký kết hôn", "dk ket hon"]
    assert procedure.online_steps == ["Vào Cổng DVC quốc gia"]


def test_files_have_comment_header_and_simple_keys_first(catalog_root: Path) -> None:
    text = _file(catalog_root, "1.000894").read_text(encoding="utf-8")
    assert text.startswith("# Thủ tục hành chính 1.000894")
    body = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert body[0] == 'code = "1.000894"'
    assert "aliases = []" in text
    assert text.index("aliases = []") < text.index("[[ways]]") < text.index("[[documents]]")


def test_import_report_counts_and_flags(sample_jsonl: Path, tmp_path: Path) -> None:
    report = import_catalog(sample_jsonl, tmp_path / "c")
    assert report.records_read == 10 and report.files_written == 10
    assert report.fallbacks["ways"] == 1  # 1.009824
    assert report.fallbacks["ways.time_unit"] == 2  # 1.000014 and 1.000894 give a bare "1"
    flagged = {(code, flag) for code, _, flag in report.flagged}
    assert {("3.000226", "suspicious_name"), ("2.001428", "suspicious_name")} <= flagged
    assert ("3.000226", "duplicate_name") in flagged
    assert not any(code == "1.000894" for code, _ in flagged)
    from rich.console import Console

    console = Console(file=io.StringIO(), width=120)
    report.render(console)
    assert "3.000226" in console.file.getvalue()  # type: ignore[attr-defined]


def test_build_procedure_from_real_record(records: dict[str, dict[str, Any]]) -> None:
    assert records["1.001695"]["co_quan_thuc_hien"] == "Không có thông tin"
    assert build_procedure(records["1.001695"]).procedure.agency == ""
    assert build_procedure(records["1.000894"]).procedure.online_mode == OnlineMode.PARTIAL
    full = build_procedure(records["1.002099"]).procedure  # "…dịch vụ công trực tuyến toàn trình"
    assert full.online_mode == OnlineMode.FULL
    no_online = build_procedure(records["1.007908"]).procedure  # only "Dịch vụ bưu chính"
    assert no_online.channels == {Channel.POST} and no_online.online_mode == OnlineMode.NONE
    wrong = build_procedure(records["3.000226"]).procedure
    assert "suspicious_name" in wrong.flags and "\n" not in wrong.name
    assert wrong.result == "Quyết định về việc giải quyết chế độ trợ cấp hàng tháng đối với thanh niên xung phong"


# ---------------------------------------------------------------- validation


def test_valid_catalog_has_no_problems(catalog_root: Path) -> None:
    assert validate_catalog(catalog_root) == []


def test_toml_syntax_error_reports_its_line(catalog_root: Path) -> None:
    path = _file(catalog_root, "1.000894")
    lines = path.read_text(encoding="utf-8").splitlines()
    target = _line_of("\n".join(lines), r"^field = ")
    lines[target - 1] = 'field = "Hộ tịch'  # unterminated string
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = validate_catalog(catalog_root)
    assert [(p.path, p.line) for p in problems] == [(path, target)]
    assert "TOML" in problems[0].message


def test_wrong_type_in_nested_fee_points_at_its_line(catalog_root: Path) -> None:
    path = _file(catalog_root, "1.000894")
    text = path.read_text(encoding="utf-8")
    second_way = [m.start() for m in re.finditer(r"^\[\[ways\]\]$", text, re.M)][1]
    head, tail = text[:second_way], text[second_way:]
    tail = tail.replace("free = true", 'amount = "hai trăm"\nfree = true', 1)
    path.write_text(head + tail, encoding="utf-8")
    expected_line = _line_of(head + tail, r'^amount = "hai trăm"')
    problems = validate_catalog(catalog_root)
    assert len(problems) == 1
    assert (problems[0].field, problems[0].line) == ("ways[1].fees[0].amount", expected_line)
    assert problems[0].message == "phải là một con số"


def test_unknown_key_and_bad_code(catalog_root: Path) -> None:
    path = _file(catalog_root, "1.000894")
    text = path.read_text(encoding="utf-8").replace('field = "Hộ tịch"', 'field = "Hộ tịch"\nfeild = "x"')
    path.write_text(text, encoding="utf-8")
    (problem,) = validate_catalog(catalog_root)
    assert (problem.field, problem.line) == ("feild", _line_of(text, r"^feild = "))
    assert "không có trong mẫu" in problem.message


def test_file_name_must_match_code(catalog_root: Path) -> None:
    path = _file(catalog_root, "1.000894")
    path.rename(path.with_name("1.000899.toml"))
    (problem,) = validate_catalog(catalog_root)
    assert problem.path.name == "1.000899.toml" and problem.field == "code"
    assert problem.line == _line_of(problem.path.read_text(encoding="utf-8"), r"^code = ")


def test_duplicate_codes_across_files(catalog_root: Path) -> None:
    path = _file(catalog_root, "1.000894")
    copy = catalog_root / "procedures" / "khac" / "1.000894.toml"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(path.read_bytes())
    problems = validate_catalog(catalog_root)
    assert len(problems) == 1 and problems[0].field == "code" and "đã có" in problems[0].message
    with pytest.raises(CatalogError) as error:
        load_catalog(catalog_root)
    assert error.value.problems == problems


def test_duplicate_alias_in_one_file(catalog_root: Path) -> None:
    path = _file(catalog_root, "1.000894")
    text = path.read_text(encoding="utf-8").replace("aliases = []", 'aliases = ["Kết hôn", "ket hon"]')
    path.write_text(text, encoding="utf-8")
    (problem,) = validate_catalog(catalog_root)
    assert problem.field == "aliases[1]" and problem.line == _line_of(text, r"^aliases = ")


def test_lexicon_loaded_and_checked(catalog_root: Path) -> None:
    lexicon = catalog_root / "lexicon.toml"
    lexicon.write_text('[[term]]\nterm = "sổ đỏ"\nmeans = ["giấy chứng nhận quyền sử dụng đất"]\n', encoding="utf-8")
    assert [e.term for e in load_catalog(catalog_root).lexicon] == ["sổ đỏ"]
    lexicon.write_text('[[term]]\nterm = "a"\nmeans = ["b"]\n\n[[term]]\nterm = "hộ khẩu"\nmeans = []\n')
    (problem,) = validate_catalog(catalog_root)
    assert (problem.field, problem.line) == ("term[1].means", 7)


def test_print_problems_format(tmp_path: Path) -> None:
    out = io.StringIO()
    count = print_problems(
        [Problem(tmp_path / "b.toml", 3, "name", "thiếu"), Problem(tmp_path / "a.toml", 9, "", "x")], out
    )
    assert count == 2
    assert out.getvalue().splitlines() == [f"{tmp_path}/a.toml:9: -: x", f"{tmp_path}/b.toml:3: name: thiếu"]


# ---------------------------------------------------------------- cache and reload


def test_cache_gives_the_same_catalog_and_sees_edits(catalog_root: Path, tmp_path: Path) -> None:
    cache = tmp_path / "var" / "catalog.pickle"
    cold = load_catalog(catalog_root, cache)
    assert cache.exists()
    assert load_catalog(catalog_root, cache).procedures == cold.procedures
    path = _file(catalog_root, "1.000894")
    path.write_text(path.read_text(encoding="utf-8").replace("aliases = []", 'aliases = ["kết hôn"]'))
    _touch_later(path)
    assert load_catalog(catalog_root, cache).procedures["1.000894"].aliases == ["kết hôn"]


def test_holder_keeps_last_good_catalog_then_picks_up_a_fix(catalog_root: Path, tmp_path: Path) -> None:
    holder = CatalogHolder(catalog_root, tmp_path / "cache.pickle")
    assert holder.reload_if_changed().changed is False
    path = _file(catalog_root, "1.000894")
    good = path.read_text(encoding="utf-8")

    path.write_text(good.replace('name = "Thủ tục đăng ký kết hôn"', 'name = "Đăng ký kết hôn'))
    _touch_later(path)
    result = holder.reload_if_changed()
    assert result.changed and not result.reloaded and result.problems[0].path == path
    assert holder.catalog.procedures["1.000894"].name == "Thủ tục đăng ký kết hôn"

    path.write_text(good.replace('name = "Thủ tục đăng ký kết hôn"', 'name = "Đăng ký kết hôn"'))
    _touch_later(path)
    _touch_later(path)
    result = holder.reload_if_changed()
    assert result.reloaded and result.problems == []
    assert holder.catalog.procedures["1.000894"].name == "Đăng ký kết hôn"


def test_holder_refuses_a_broken_catalog_at_start(catalog_root: Path) -> None:
    path = _file(catalog_root, "1.000894")
    path.write_text("code = ", encoding="utf-8")
    with pytest.raises(CatalogError):
        CatalogHolder(catalog_root)
