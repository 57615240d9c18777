"""Generate SAMPLE DATA: fake dossier exports for the demo, the tests and the benchmarks.

Every name, phone and ID number is invented. Dates are relative to ``REFERENCE_DATE`` (so tests are
deterministic); ``--today`` shifts them so the demo looks current.

    .venv/bin/python samples/generate.py                 # writes samples/dossiers-sample.{json,csv}
    .venv/bin/python samples/generate.py --today 2026-11-23
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.dossiers.calendar import WorkCalendar

HERE = Path(__file__).resolve().parent
REFERENCE_DATE = date(2026, 3, 9)  # a Monday, three weeks after Tết 2026
SEED = 20260309
LABEL = "DỮ LIỆU MẪU / SAMPLE DATA - không phải hồ sơ thật"

UNITS = (
    "UBND phường An Bình",
    "UBND phường Hòa Minh",
    "UBND xã Tân Lập",
    "UBND xã Phú Thịnh",
    "UBND đặc khu Hòn Ngọc",
    "Trung tâm Phục vụ hành chính công tỉnh",
)
# (code, name, field, working days or None when the export leaves the appointment to the catalog)
PROCEDURES = (
    ("1.001193", "Thủ tục đăng ký khai sinh", "Hộ tịch", 1),
    ("1.000894", "Thủ tục đăng ký kết hôn", "Hộ tịch", 1),
    ("1.004222", "Đăng ký thường trú", "Đăng ký, quản lý cư trú", 7),
    ("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "Chứng thực", 1),
    ("1.012786", "Cấp lại Giấy chứng nhận do bị mất", "Đất đai", 10),
    ("1.001612", "Đăng ký thành lập hộ kinh doanh", "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)", 3),
)
OPEN_STATUSES = ("Đã tiếp nhận", "Đang xử lý", "Đang giải quyết", "Chờ bổ sung", "Yêu cầu bổ sung hồ sơ", "Chờ ký số")
CLOSED_STATUSES = ("Đã có kết quả", "Chờ trả kết quả", "Đã trả kết quả", "Từ chối giải quyết", "Dừng xử lý")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ")
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu", "Quang", "Hải")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Mai", "Nam", "Phúc", "Quỳnh", "Sơn", "Trang")
OFFICERS = ("CB Mẫu Một", "CB Mẫu Hai", "CB Mẫu Ba", "CB Mẫu Bốn")
REASONS = ("Cần xác minh thêm thông tin", "Hệ thống gián đoạn", "Chờ ý kiến cơ quan liên quan")

#: JSON (iGate-like) field → Vietnamese CSV header; samples/mapping-example.toml maps the headers back.
CSV_HEADERS = {
    "dossierNo": "Số biên nhận",
    "procedureCode": "Mã TTHC",
    "procedureName": "Tên thủ tục hành chính",
    "sectorName": "Lĩnh vực",
    "agencyName": "Đơn vị tiếp nhận",
    "officerName": "Cán bộ thụ lý",
    "applicantName": "Người nộp hồ sơ",
    "applicantPhone": "Điện thoại",
    "identityNumber": "Số định danh",
    "applicantBirthYear": "Năm sinh",
    "acceptedDate": "Ngày nhận hồ sơ",
    "appointmentDate": "Ngày hẹn trả kết quả",
    "completedDate": "Ngày hoàn thành",
    "returnedDate": "Ngày trả",
    "dossierStatusName": "Tình trạng hồ sơ",
    "currentTaskName": "Bước hiện tại",
    "apologySentDate": "Ngày gửi phiếu xin lỗi",
    "newAppointmentDate": "Ngày hẹn lại",
    "apologyReason": "Lý do trễ hạn",
    "applyMethod": "Hình thức nộp",
    "paymentMethod": "Hình thức thanh toán",
    "supplementCount": "Số lần yêu cầu bổ sung",
    "digitized": "Đã số hóa",
    "note": "Ghi chú",
}
APPLY_METHODS = ("Trực tuyến toàn trình", "Trực tuyến một phần", "Trực tiếp", "Bưu chính công ích")
PAYMENTS = ("Trực tuyến", "Tiền mặt", "Miễn phí")


def _fmt(value: datetime | None) -> str:
    return value.strftime("%d/%m/%Y %H:%M:%S") if value else ""


def iter_records(
    n: int,
    reference: date = REFERENCE_DATE,
    *,
    seed: int = SEED,
    units: Sequence[str] = UNITS,
    open_only: bool = False,
    calendar: WorkCalendar | None = None,
) -> Iterator[dict[str, str]]:
    """``n`` fake dossiers in the iGate JSON field names, received up to 40 days before ``reference``."""
    rng = random.Random(seed)
    extra = random.Random(seed + 1)  # the 766 columns: a second stream keeps the older columns as they were
    cal = calendar or WorkCalendar()
    tz = cal.tz
    for i in range(1, n + 1):
        unit_no = rng.randrange(len(units))
        code, name, sector, days = PROCEDURES[rng.randrange(len(PROCEDURES))]
        day = reference - timedelta(days=rng.randrange(0, 40))
        while not cal.is_working_day(day):
            day -= timedelta(days=1)
        received = datetime.combine(day, time(rng.randrange(7, 17), rng.randrange(60), rng.randrange(60)), tz)
        due = cal.add_working_days(received, days + rng.choice((0, 0, 0, 2, 5)))
        is_open = open_only or rng.random() < 0.55
        status = rng.choice(OPEN_STATUSES if is_open else CLOSED_STATUSES)
        finished = returned = None
        if not is_open:
            finished = min(due, received + timedelta(hours=rng.randrange(2, 24 * 12)))
            if status == "Đã trả kết quả":
                returned = finished + timedelta(hours=rng.randrange(1, 48))
        record = {
            "dossierNo": f"000.00.{unit_no + 10:02d}.H{unit_no + 40:02d}-{received:%y%m%d}-{i:06d}",
            "procedureCode": code,
            "procedureName": name,
            "sectorName": sector,
            "agencyName": units[unit_no],
            "officerName": rng.choice(OFFICERS),
            "applicantName": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            "applicantPhone": f"09{rng.randrange(10**8):08d}",
            "identityNumber": f"0{rng.randrange(10**11):011d}",
            "acceptedDate": _fmt(received),
            "appointmentDate": _fmt(due),
            "completedDate": _fmt(finished),
            "returnedDate": _fmt(returned),
            "dossierStatusName": status,
            "currentTaskName": "Thẩm định hồ sơ" if is_open else "Hoàn thành",
            "apologySentDate": "",
            "newAppointmentDate": "",
            "apologyReason": "",
            "note": LABEL,
        }
        # year of birth (the stronger verification answer "phone_birth_year"), from the ID digits: no extra
        # random draw, so every other value stays as it was
        record["applicantBirthYear"] = str(1950 + int(record["identityNumber"][-2:]) % 55)
        if code in ("1.004222", "1.012786") and rng.random() < 0.1:
            record["appointmentDate"] = ""  # the importer computes it from the catalog
        elif is_open and due.date() < reference and rng.random() < 0.5:
            sent = datetime.combine(due.date(), time(16, 0), tz)
            record["apologySentDate"] = _fmt(sent)
            record["newAppointmentDate"] = _fmt(cal.add_working_days(sent + timedelta(days=1), 3))
            record["apologyReason"] = rng.choice(REASONS)
        record.update(_scorecard_columns(extra))
        yield record


def _scorecard_columns(rng: random.Random) -> dict[str, str]:
    """Filing channel, payment, supplement requests and digitisation (the optional columns of the 766 scorecard)."""
    return {
        "applyMethod": rng.choices(APPLY_METHODS, weights=(35, 20, 40, 5))[0],
        "paymentMethod": rng.choices(PAYMENTS, weights=(40, 25, 35))[0],
        "supplementCount": str(rng.choices((0, 1, 2), weights=(85, 11, 4))[0]),
        "digitized": rng.choice(("Có", "Có", "Có", "Không")),
    }


def write_json(records: Iterator[dict[str, str]], path: Path) -> None:
    """The iGate-like ``{"content": [...]}`` shape, one dossier per line."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write(f'{{\n"_comment": "{LABEL}",\n"content": [\n')
        for i, rec in enumerate(records):
            fh.write(("," if i else "") + json.dumps(rec, ensure_ascii=False) + "\n")
        fh.write("]\n}\n")


def write_csv(records: Iterator[dict[str, str]], path: Path, headers: dict[str, str] | None = None) -> None:
    """CSV (UTF-8 with BOM, for Excel); ``headers`` renames the columns (default: the Vietnamese ones)."""
    headers = CSV_HEADERS if headers is None else headers
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers.values())
        for rec in records:
            writer.writerow(rec.get(k, "") for k in headers)


def main(argv: list[str] | None = None) -> int:
    """Write the sample exports."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--today", type=date.fromisoformat, default=REFERENCE_DATE, help="reference date (YYYY-MM-DD)")
    p.add_argument("--count", type=int, default=300)
    p.add_argument("--out", type=Path, default=HERE)
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(iter_records(args.count, args.today), args.out / "dossiers-sample.json")
    write_csv(iter_records(args.count, args.today), args.out / "dossiers-sample.csv")
    print(f"wrote {args.count} sample dossiers (reference date {args.today}) to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
