"""Hypothesis: whatever an export contains, the importer answers with a result or its own clear error."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.dossiers.importer import import_dossiers
from bot.dossiers.sources import SourceFileError

from .test_importer import HEADER, row

CELLS = st.sampled_from(["", "Đang xử lý", "Đã trả kết quả", "02/03/2026 09:15:00", "31/02/2026", "1.001193",
                         "A-1", "A-1", '"', '""', "\r", "\n", ";", ",", "\t", "\ufeff", "x" * 300, "1e400", "-1",
                         "1700000000000", "2026-03-02T09:00:00+07:00"]) | st.text(max_size=12)  # fmt: skip
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip


def _import(database, settings_, path: Path) -> None:  # type: ignore[no-untyped-def]
    try:
        result = import_dossiers(database, path, settings=settings_, dry_run=True)
    except SourceFileError:  # ImportFileError is one; the file as a whole was refused with a message
        return
    for rejected in result.rejected:
        assert rejected.line >= 1 and rejected.reason
        assert rejected.describe(path).startswith(f"{path}: line {rejected.line}")


def _maybe_cut(draw: st.DrawFn, data: bytes) -> bytes:
    """The file whole, or truncated at a drawn byte (an export cut off in transfer)."""
    cut = draw(st.integers(0, len(data)))
    return data[:cut] if draw(st.booleans()) else data


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    header = draw(st.sampled_from([HEADER, [*HEADER[:3], "dossierStatusName"], [*HEADER, "dossierNo"]]))
    rows = [row(f"F-{i}") for i in range(draw(st.integers(0, 4)))]
    for cells in rows:
        for _ in range(draw(st.integers(0, 3))):
            index = draw(st.integers(0, len(cells) - 1))
            cells[index] = draw(CELLS)
    sep = draw(st.sampled_from([",", ";", "\t"]))
    end = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    text = end.join(sep.join(c.replace(sep, " ") if draw(st.booleans()) else c for c in cells)
                    for cells in [header, *rows]) + end  # fmt: skip
    data = text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])))
    return _maybe_cut(draw, data)


@FUZZ
@given(data=csv_files())
def test_fuzzed_csv_never_crashes(database, settings, tmp_path, data):
    _import(database, settings, _written(tmp_path / "f.csv", data))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | CELLS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def json_files(draw: st.DrawFn) -> bytes:
    records: list[object] = [
        {"dossierNo": f"J-{i}", "acceptedDate": "02/03/2026", "dossierStatusName": "Đang xử lý"}
        for i in range(draw(st.integers(0, 3)))
    ]
    for i, record in enumerate(records):
        if draw(st.booleans()):
            key = draw(st.sampled_from(["dossierNo", "acceptedDate", "dossierStatusName", "procedure", "x"]))
            records[i] = {**record, key: draw(json_values)} if isinstance(record, dict) else record
    if draw(st.booleans()):
        records.append(draw(json_values))
    shape = draw(st.sampled_from(["list", "content", "other"]))
    document = records if shape == "list" else {"total": len(records), shape: records}
    text = json.dumps(document, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 1])))
    data = text.encode()
    return _maybe_cut(draw, data)


@FUZZ
@given(data=json_files())
def test_fuzzed_json_never_crashes(database, settings, tmp_path, data):
    _import(database, settings, _written(tmp_path / "f.json", data))


def test_a_code_repeated_on_one_line_of_json_is_rejected_as_a_duplicate(database, settings, tmp_path):
    record = {"dossierNo": [], "acceptedDate": "02/03/2026", "dossierStatusName": "Đang xử lý"}
    path = _written(tmp_path / "f.json", json.dumps([record, record], ensure_ascii=False).encode())  # one line
    _import(database, settings, path)
    result = import_dossiers(database, path, settings=settings)
    # the second record is the duplicate, named as such (one rejected row: nothing is applied)
    assert [r.reason for r in result.rejected] == ["duplicate dossier code [] (first on line 1)"]
    assert not result.applied and result.inserted == 0
