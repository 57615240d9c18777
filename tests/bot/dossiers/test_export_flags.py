"""The optional scorecard columns of an export: read, stored, left empty when absent, refused when unreadable."""

from __future__ import annotations

import pytest

from bot.dossiers.export_flags import read_online, read_paid_online, read_supplements
from bot.dossiers.importer import import_dossiers

from .conftest import write_csv
from .test_importer import get

HEADER = ["Số hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái", "Hình thức nộp", "Hình thức thanh toán",
          "Số lần yêu cầu bổ sung", "Đã số hóa"]


@pytest.mark.parametrize(("text", "kind"), [
    ("Trực tuyến toàn trình", "full"), ("DVC một phần", "partial"), ("trực tuyến", "partial"),
    ("Trực tiếp", "no"), ("Bưu chính công ích", "no"), ("Không trực tuyến", "no"), ("", ""),
])
def test_filing_channel(text, kind):
    assert read_online(text) == kind


def test_payment_and_supplements():
    assert [read_paid_online(t) for t in ("Trực tuyến", "Tiền mặt", "Miễn phí", "", "x")] == [
        True, False, None, None, True]
    assert (read_supplements(" 2 "), read_supplements("")) == (2, None)
    with pytest.raises(ValueError, match="supplement"):
        read_supplements("hai lần")
    with pytest.raises(ValueError, match="filing channel"):
        read_online("qua Zalo")


def test_import_stores_the_columns_and_rejects_unreadable_rows(database, settings, tmp_path):
    rows = [
        ["S-1", "02/03/2026 09:00", "05/03/2026 17:00", "Đang xử lý", "Trực tuyến toàn trình", "Trực tuyến", "2",
         "Có"],
        ["S-2", "02/03/2026 09:00", "05/03/2026 17:00", "Đang xử lý", "", "", "", ""],
    ]
    result = import_dossiers(database, write_csv(tmp_path / "e.csv", HEADER, rows), settings=settings)
    assert result.inserted == 2 and result.rejected == []
    bad = [*rows, ["S-3", "02/03/2026 09:00", "05/03/2026 17:00", "Đang xử lý", "", "", "ba", ""]]
    refused = import_dossiers(database, write_csv(tmp_path / "bad.csv", HEADER, bad), settings=settings)
    assert [r.line for r in refused.rejected] == [4] and "supplement requests 'ba'" in refused.rejected[0].reason
    full, empty = get(database, "S-1"), get(database, "S-2")
    assert (full.online, full.paid_online, full.supplements, full.digitised) == ("full", True, 2, True)
    assert (empty.online, empty.paid_online, empty.supplements, empty.digitised) == ("", None, None, None)
