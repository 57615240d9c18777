"""The same procedure published at several levels (or offices) is one result."""

from __future__ import annotations

import pytest

from bot.catalog.model import Level, Procedure
from bot.search.grouping import group_key, pick_at_commune, pick_for_organisations, pick_representative
from bot.search.index import files_for_people


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Cấp lại thẻ căn cước (thực hiện tại cấp tỉnh)", "Cấp lại thẻ căn cước"),
        ("Thủ tục đăng ký khai sinh", "Đăng ký khai sinh (cấp xã)"),
        ("Cấp thẻ tạm trú cho người nước ngoài tại Việt Nam tại Công an cấp tỉnh",
         "Cấp thẻ tạm trú cho người nước ngoài tại Cục Quản lý xuất nhập cảnh, Bộ Công an"),
        ("Gia hạn tạm trú cho người đã được cấp giấy miễn thị thực tại Phòng Quản lý xuất nhập cảnh Công an tỉnh, "
         "thành phố trực thuộc Trung ương",
         "Gia hạn tạm trú cho người đã được cấp giấy miễn thị thực tại Cục Quản lý xuất nhập cảnh Bộ Công an"),
        ("Cấp giấy phép môi trường (cấp Bộ) (1.010719)", "Cấp giấy phép môi trường (cấp Tỉnh) ( 1.010727 )"),
    ],
)
def test_variants_of_one_procedure_share_a_key(a, b):
    assert group_key(a) == group_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Cấp lại thẻ căn cước", "Cấp đổi thẻ căn cước"),
        ("Đầu tư tại Việt Nam", "Đầu tư"),  # "tại Việt Nam" alone is part of the name
        ("Xác nhận tại Phòng Quản lý xuất nhập cảnh (danh sách)", "Xác nhận"),  # an office before more detail stays
    ],
)
def test_different_procedures_keep_their_own_key(a, b):
    assert group_key(a) != group_key(b)


LAND = "Giao đất, cho thuê đất, chuyển mục đích sử dụng đất"


def _variant(code: str, level: Level, applicants: str) -> Procedure:
    return Procedure(code=code, name=LAND, levels=[level], field="Đất đai", applicants=applicants)


def test_the_variant_people_file_is_presented_before_an_organisations_only_one_at_a_preferred_level():
    province = _variant("1.013823", Level.PROVINCE, "Doanh nghiệp, Tổ chức (không bao gồm doanh nghiệp, HTX)")
    commune = _variant("1.013949", Level.COMMUNE, "Tổ chức (không bao gồm doanh nghiệp, HTX), Công dân Việt Nam")
    chosen = pick_representative([province, commune], [Level.PROVINCE, Level.COMMUNE], files_for_people)
    assert chosen.code == "1.013949"


def test_among_variants_people_file_the_preferred_level_is_presented():
    province = _variant("2.000001", Level.PROVINCE, "Công dân Việt Nam")
    commune = _variant("1.000001", Level.COMMUNE, "Công dân Việt Nam")
    chosen = pick_representative([commune, province], [Level.PROVINCE, Level.COMMUNE], files_for_people)
    assert chosen.code == "2.000001"


def test_an_organisation_is_presented_the_variant_organisations_file_at_a_level_served():
    province = _variant("1.013823", Level.PROVINCE, "Doanh nghiệp, Tổ chức (không bao gồm doanh nghiệp, HTX)")
    commune = _variant("1.013949", Level.COMMUNE, "Tổ chức (không bao gồm doanh nghiệp, HTX), Công dân Việt Nam")
    ministry = _variant("1.013800", Level.MINISTRY, "Doanh nghiệp")
    levels = [Level.PROVINCE, Level.COMMUNE]
    assert pick_for_organisations([commune, province, ministry], levels, files_for_people).code == "1.013823"
    # only the ministry's member is theirs alone: the one filed here is presented
    assert pick_for_organisations([commune, ministry], levels, files_for_people).code == "1.013949"


def test_the_communes_variant_is_presented_when_the_message_names_the_communes_authorities():
    province = _variant("2.002192", Level.PROVINCE, "Công dân Việt Nam")
    commune = _variant("2.002165", Level.COMMUNE, "Công dân Việt Nam")
    assert pick_at_commune([province, commune], province, files_for_people).code == "2.002165"
    assert pick_at_commune([province], province, files_for_people).code == "2.002192"  # none filed there
    both = Procedure(code="1.000001", name=LAND, levels=[Level.PROVINCE, Level.COMMUNE], field="Đất đai",
                     applicants="Công dân Việt Nam")
    assert pick_at_commune([both, commune], both, files_for_people).code == "1.000001"  # already filed there
