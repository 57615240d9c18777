"""Column and status mapping, and reading export dates."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.dossiers.mapping import ColumnMapping, MappingError, fold, load_mapping
from bot.dossiers.models import DossierStatus as S
from bot.dossiers.values import normalise_code, parse_export_datetime

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Đã tiếp nhận", S.RECEIVED),
        ("da tiep nhan", S.RECEIVED),
        ("Mới tiếp nhận", S.RECEIVED),
        ("Đang xử lý", S.PROCESSING),
        ("ĐANG GIẢI QUYẾT", S.PROCESSING),
        ("Chờ phê duyệt", S.PROCESSING),
        ("Chuyển xử lý", S.PROCESSING),
        ("Chờ bổ sung", S.SUPPLEMENT),
        ("Yêu cầu bổ sung hồ sơ", S.SUPPLEMENT),
        ("Đã có kết quả", S.DONE),
        ("Chờ trả kết quả", S.DONE),
        ("Hoàn thành", S.DONE),
        ("Đã trả kết quả", S.RETURNED),
        ("Đã trả KQ", S.RETURNED),
        ("Từ chối giải quyết", S.REJECTED),
        ("Trả lại hồ sơ", S.REJECTED),
        ("Không đủ điều kiện giải quyết", S.REJECTED),
        ("Dừng xử lý", S.CANCELLED),
        ("Công dân rút hồ sơ", S.CANCELLED),
        ("Đã hủy", S.CANCELLED),
        ("processing", S.PROCESSING),
        ("", S.UNKNOWN),
        ("Chờ ký số", S.UNKNOWN),
    ],
)
def test_status_wording(text, status):
    assert ColumnMapping().status_of(text) is status


def test_mapping_file_adds_columns_and_statuses(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text('[columns]\ncode = "Số biên nhận"\nunit = ["Nơi nhận", "Đơn vị"]\n'
                    '[statuses]\n"Chờ ký số" = "processing"\n', encoding="utf-8")  # fmt: skip
    m = load_mapping(path)
    assert m.resolve(["SO_BIEN_NHAN", "noi nhan", "acceptedDate"]) == {
        "code": "SO_BIEN_NHAN",
        "unit": "noi nhan",
        "received_at": "acceptedDate",
    }
    assert m.status_of("chờ ký số") is S.PROCESSING


@pytest.mark.parametrize(
    "content",
    ['[columns]\nnot_a_field = "x"\n', "[columns]\ncode = 5\n", '[statuses]\n"x" = "maybe"\n', "[columns\n"],
)
def test_bad_mapping_files(tmp_path, content):
    path = tmp_path / "m.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MappingError):
        load_mapping(path)


def test_fold():
    assert fold("Ngày hẹn trả") == fold("ngay_hen_tra") == fold("NgayHenTra") == "ngayhentra"
    assert fold("Đơn vị") == "donvi"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/03/2026 17:00:00", datetime(2026, 3, 5, 10, 0, tzinfo=UTC)),
        ("5/3/2026 17:00", datetime(2026, 3, 5, 10, 0, tzinfo=UTC)),
        ("05-03-2026", datetime(2026, 3, 4, 17, 0, tzinfo=UTC)),
        ("2026-03-05T17:00:00", datetime(2026, 3, 5, 10, 0, tzinfo=UTC)),
        ("2026-03-05T10:00:00Z", datetime(2026, 3, 5, 10, 0, tzinfo=UTC)),
        ("2026-03-05 17:00:00+07:00", datetime(2026, 3, 5, 10, 0, tzinfo=UTC)),
        ("1772704800000", datetime(2026, 3, 5, 10, 0, tzinfo=UTC)),
        ("  ", None),
    ],
)
def test_export_dates(text, expected):
    assert parse_export_datetime(text, VN) == expected


@pytest.mark.parametrize("text", ["31/02/2026", "2026/13/01", "hôm qua", "05/03/2026 25:00"])
def test_bad_export_dates(text):
    with pytest.raises(ValueError):
        parse_export_datetime(text, VN)


def test_normalise_code():
    assert normalise_code(" 000.00.12.h12 - 250101-0001 ") == "000.00.12.H12-250101-0001"
