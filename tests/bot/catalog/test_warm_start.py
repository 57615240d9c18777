"""A restart over unchanged catalog files serves the last good catalog as kept (no TOML parsed, procedures
unpacked on use) with the stored search index; an edit invalidates both, a reload refreshes both."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.catalog import loader, reload
from bot.catalog.loader import load_catalog
from bot.catalog.model import Level
from bot.catalog.packed import PackedProcedures
from bot.catalog.questions import QUESTIONS_FILE
from bot.catalog.reload import CatalogHolder
from bot.catalog.situations import SITUATIONS_FILE
from bot.catalog.snapshot import INDEX_FILE, SNAPSHOT_FILE, read_index
from bot.knowledge import Knowledge
from bot.search.engine import SearchEngine
from bot.search.stored import SEARCH_FILE

LEVELS = [Level.PROVINCE, Level.COMMUNE]
SITUATIONS = """
[events]
cuoi = ["cưới", "lấy vợ"]

[[situation]]
say = "cưới"
when = ["@cuoi"]
to = ["1.000894"]
"""


def _holder(root: Path, state: Path) -> CatalogHolder:
    return CatalogHolder(root, state / "cache.pickle", state_dir=state)


def _knowledge(holder: CatalogHolder) -> Knowledge:
    return Knowledge.of_catalog(holder.catalog, LEVELS, holder.state_dir, holder.digest)


def _no_toml(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path) -> None:
        raise AssertionError(f"{path} parsed")

    monkeypatch.setattr(loader, "_read_toml", refuse)


def _count_parsed(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    parsed: list[Path] = []
    real = loader._read_toml

    def counted(path: Path) -> object:
        parsed.append(path)
        return real(path)

    monkeypatch.setattr(loader, "_read_toml", counted)
    return parsed


def _no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise AssertionError("search index rebuilt")

    monkeypatch.setattr(SearchEngine, "build", refuse)


def _edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_a_restart_over_unchanged_files_parses_nothing_and_rebuilds_nothing(
    catalog_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "var"
    (catalog_root / SITUATIONS_FILE).write_text(SITUATIONS, encoding="utf-8")
    (catalog_root / QUESTIONS_FILE).write_text("tôi sắp cưới vợ ở xã\t1.000894\n", encoding="utf-8")
    first = _holder(catalog_root, state)
    answer = _knowledge(first).engine.search("tôi sắp cưới")
    assert [e.question for e in first.catalog.questions] == ["tôi sắp cưới vợ ở xã"]
    assert {SNAPSHOT_FILE, INDEX_FILE, SEARCH_FILE} <= {p.name for p in state.iterdir()}

    _no_toml(monkeypatch)
    _no_build(monkeypatch)
    again = _holder(catalog_root, state)
    procedures = again.catalog.procedures
    assert isinstance(procedures, PackedProcedures) and procedures.unpacked == 0
    status = again.status()
    assert not status.fallback and status.digest == first.digest and status.procedures == 10
    assert again.catalog.situations == first.catalog.situations and again.catalog.lexicon == first.catalog.lexicon
    assert again.catalog.questions == first.catalog.questions
    assert _knowledge(again).engine.search("tôi sắp cưới") == answer
    assert _knowledge(again).engine.parse("tôi sắp cưới")[0].recalled  # the kept engine recalls the example
    assert procedures == first.catalog.procedures  # the same records, unpacked on comparison
    assert not again.reload().changed  # the files it stands for: nothing to reload


def test_an_edit_while_stopped_loads_the_files_and_rebuilds_the_index(
    catalog_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "var"
    _knowledge(_holder(catalog_root, state))
    path = next((catalog_root / "procedures").rglob("1.000894.toml"))
    _edit(path, 'name = "Thủ tục đăng ký kết hôn"', 'name = "Thủ tục đăng ký kết hôn hoà giải"')
    parsed = _count_parsed(monkeypatch)
    holder = _holder(catalog_root, state)
    assert path in parsed  # the edited file, parsed
    monkeypatch.undo()
    knowledge = _knowledge(holder)
    assert knowledge.engine.get("1.000894").name.endswith("hoà giải")  # type: ignore[union-attr]
    _no_toml(monkeypatch)
    _no_build(monkeypatch)
    restarted = _knowledge(_holder(catalog_root, state))  # and the edit is what the next start reads
    assert restarted.procedures["1.000894"].name.endswith("hoà giải")
    assert restarted.engine.search("kết hôn hoà giải").results[0].code == "1.000894"


def test_a_situations_edit_changes_the_digest_and_the_index(catalog_root: Path, tmp_path: Path) -> None:
    state = tmp_path / "var"
    before = _holder(catalog_root, state)
    unknown = _knowledge(before).engine.search("tôi sắp cưới")
    assert unknown.confidence == "none" and not unknown.intent.events
    (catalog_root / SITUATIONS_FILE).write_text(SITUATIONS, encoding="utf-8")
    after = _holder(catalog_root, state)
    assert after.digest != before.digest
    found = _knowledge(after).engine.search("tôi sắp cưới")  # the new situation reads "cưới" as marrying
    assert "cuoi" in found.intent.events and found.results[0].code == "1.000894"
    assert found.confidence != "none" and found.probability > unknown.probability


def test_a_reload_refreshes_the_kept_catalog_and_index(
    catalog_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "var"
    holder = _holder(catalog_root, state)
    _knowledge(holder)
    path = next((catalog_root / "procedures").rglob("1.000894.toml"))
    _edit(path, 'name = "Thủ tục đăng ký kết hôn"', 'name = "Thủ tục đăng ký kết hôn lưu động"')
    assert holder.reload().reloaded
    assert _knowledge(holder).procedures["1.000894"].name.endswith("lưu động")
    index = read_index(state)
    assert index is not None and index.digest == holder.digest
    _no_toml(monkeypatch)
    _no_build(monkeypatch)
    assert _knowledge(_holder(catalog_root, state)).procedures["1.000894"].name.endswith("lưu động")


def test_a_damaged_snapshot_under_unchanged_files_is_rewritten(
    catalog_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "var"
    _holder(catalog_root, state)
    snapshot = state / SNAPSHOT_FILE
    snapshot.write_bytes(snapshot.read_bytes()[:-100])
    loads: list[Path] = []
    monkeypatch.setattr(reload, "load_catalog", lambda root, cache: loads.append(root) or load_catalog(root, cache))
    holder = _holder(catalog_root, state)  # the files are loaded instead, and kept again
    assert loads == [catalog_root] and not holder.status().fallback
    _no_toml(monkeypatch)
    assert _holder(catalog_root, state).digest == holder.digest


def test_a_reloaded_catalog_is_served_packed_and_its_index_keeps_no_parsed_copy(
    catalog_root: Path, tmp_path: Path
) -> None:
    state = tmp_path / "var"
    holder = _holder(catalog_root, state)
    path = next((catalog_root / "procedures").rglob("1.000894.toml"))
    _edit(path, 'name = "Thủ tục đăng ký kết hôn"', 'name = "Thủ tục đăng ký kết hôn mới"')
    assert holder.reload().reloaded
    procedures = holder.catalog.procedures
    assert isinstance(procedures, PackedProcedures)
    knowledge = _knowledge(holder)  # a new catalog: the index is built from a copy unpacked for the build
    assert procedures.unpacked == 0 and knowledge.procedures is procedures
    assert knowledge.engine.search("đăng ký kết hôn mới").results[0].code == "1.000894"
