"""What the index records about each procedure: special-case markers and who files it."""

from __future__ import annotations

from bot.catalog.model import Level, Procedure
from bot.search.engine import SearchEngine
from bot.search.index import InvertedIndex


def _index(*procs: Procedure) -> InvertedIndex:
    return InvertedIndex(list(procs), list(range(len(procs))))


def test_markers_are_found_in_names_as_tokenised():
    # names are tokenised with the canonical spelling ("ký" → "ki"): the marker must be too
    idx = _index(
        Procedure(code="1.004746", name="Thủ tục đăng ký lại kết hôn", levels=[Level.COMMUNE], field="Hộ tịch")
    )
    assert idx.docs[0].markers == (("dang", "ki", "lai"),)


def test_the_police_policy_field_is_for_its_own_staff():
    staff = Procedure(
        code="2.000639",
        name="Cấp thẻ bảo hiểm y tế (thực hiện tại cấp tỉnh)",
        levels=[Level.PROVINCE],
        field="Chính sách",
        ministry="bo-cong-an",
        applicants="Công dân Việt Nam, Cán bộ, công chức, viên chức",
    )
    citizens = Procedure(
        code="1.002759",
        name="Cấp lại, đổi, điều chỉnh thông tin trên sổ BHXH, thẻ BHYT",
        levels=[Level.PROVINCE],
        field="Cấp sổ BHXH, thẻ BHYT",
        ministry="bo-tai-chinh",
        applicants="Công dân Việt Nam",
    )
    assert [d.audience for d in _index(staff, citizens).docs] == ["staff", "citizen"]


def test_what_citizens_file_about_the_police_is_for_citizens():
    complaint = Procedure(
        code="1.004335",
        name="Giải quyết khiếu nại về quyết định hành chính, hành vi hành chính của công dân đối với lực lượng "
        "Công an nhân dân thực hiện tại cấp xã",
        levels=[Level.COMMUNE],
        field="Khiếu nại, tố cáo",
        applicants="Công dân Việt Nam",
    )
    staff = Procedure(
        code="1.003799",
        name="Xét hưởng trợ cấp một lần đối với sĩ quan Công an nhân dân",
        levels=[Level.PROVINCE],
        field="Chế độ chính sách",
        applicants="Công dân Việt Nam",
    )
    assert [d.audience for d in _index(complaint, staff).docs] == ["citizen", "staff"]


def test_a_stated_special_case_picks_its_family_member():
    procs = [
        Procedure(code="1.000894", name="Thủ tục đăng ký kết hôn", levels=[Level.COMMUNE], field="Hộ tịch"),
        Procedure(code="1.004746", name="Thủ tục đăng ký lại kết hôn", levels=[Level.COMMUNE], field="Hộ tịch"),
    ]
    engine = SearchEngine.build(procs, [], [Level.COMMUNE])
    assert engine.search("đăng ký kết hôn").results[0].code == "1.000894"
    assert engine.search("dang ky lai ket hon").results[0].code == "1.004746"


def test_the_reduced_procedure_indexes_like_the_full_one() -> None:
    """An index built from :func:`indexed_part` (what a packed catalog's build reads) is the index of the full
    records: every field indexing reads is kept (the police ministry's own procedures among them)."""
    from pathlib import Path

    from bot.catalog.loader import load_catalog
    from bot.search.index import indexed_part

    catalog = load_catalog(Path(__file__).resolve().parents[3] / "procedures_catalog")
    procs = sorted(catalog.procedures.values(), key=lambda p: p.code)
    sample = [p for i, p in enumerate(procs) if i % 7 == 0 or p.ministry.startswith("Bộ Công an")]
    full = InvertedIndex(sample, list(range(len(sample))))
    reduced = InvertedIndex([indexed_part(p) for p in sample], list(range(len(sample))))
    assert reduced.docs == full.docs
    assert dict(reduced.postings.items()) == dict(full.postings.items())
    assert {d.audience for d in full.docs} >= {"staff", "citizen"}
