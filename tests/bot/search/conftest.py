"""A small hand-made catalog for search unit tests."""

from __future__ import annotations

import pytest

from bot.catalog.model import Level, LexiconEntry, Procedure
from bot.search.engine import SearchEngine


def proc(code: str, name: str, levels: list[Level], field: str, result: str = "") -> Procedure:
    return Procedure(code=code, name=name, levels=levels, field=field, result=result)


PROCEDURES = [
    proc("1.001193", "Thủ tục đăng ký khai sinh", [Level.COMMUNE], "Hộ tịch", "Giấy khai sinh"),
    proc("1.003583", "Thủ tục đăng ký khai sinh lưu động", [Level.COMMUNE], "Hộ tịch", "Giấy khai sinh"),
    proc("1.000894", "Thủ tục đăng ký kết hôn", [Level.COMMUNE], "Hộ tịch", "Giấy chứng nhận kết hôn"),
    proc("1.004222", "Đăng ký thường trú", [Level.COMMUNE], "Đăng ký, quản lý cư trú"),
    proc("1.004194", "Đăng ký tạm trú", [Level.COMMUNE], "Đăng ký, quản lý cư trú"),
    proc("1.014061", "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên", [Level.COMMUNE], "Cấp, quản lý căn cước"),
    proc(
        "2.000200",
        "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên (thực hiện tại cấp tỉnh)",
        [Level.PROVINCE],
        "Cấp, quản lý căn cước",
    ),
    proc(
        "1.001247",
        "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên (thực hiện tại cấp trung ương)",
        [Level.MINISTRY],
        "Cấp, quản lý căn cước",
    ),
    proc("1.012786", "Cấp lại Giấy chứng nhận do bị mất", [Level.PROVINCE], "Đất đai"),
    proc(
        "1.012783",
        "Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
        [Level.PROVINCE],
        "Đất đai",
    ),
    proc("3.000347", "Đổi giấy phép lái xe", [Level.MINISTRY], "Sát hạch, cấp giấy phép lái xe"),
    proc(
        "1.001612",
        "Đăng ký thành lập hộ kinh doanh",
        [Level.MINISTRY, Level.COMMUNE],
        "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)",
    ),
]

LEXICON = [
    LexiconEntry(term="sổ đỏ", means=["giấy chứng nhận quyền sử dụng đất", "giấy chứng nhận"]),
    LexiconEntry(term="dk", means=["đăng ký"]),
    LexiconEntry(term="bằng lái", means=["giấy phép lái xe"]),
    LexiconEntry(term="hộ khẩu", means=["thường trú"]),
    LexiconEntry(term="nhập khẩu cho", means=["đăng ký thường trú"]),
    LexiconEntry(term="ko", means=["không"]),
    LexiconEntry(term="cccd", means=["thẻ căn cước"]),
]


@pytest.fixture(scope="session")
def engine() -> SearchEngine:
    return SearchEngine.build(PROCEDURES, LEXICON, [Level.PROVINCE, Level.COMMUNE])
