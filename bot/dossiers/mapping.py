"""Which export column feeds which dossier field, and how export status wording maps to ``DossierStatus``.

Column names are compared folded (no diacritics, case, spaces, ``_``, ``-`` or ``.``), so ``Ngày hẹn trả``,
``ngay_hen_tra`` and ``NgayHenTra`` are the same column. A mapping file (TOML) adds names::

    [columns]
    code = "Số hồ sơ"                 # our field = the export's column (or a list of candidates)
    received_at = ["Ngày nhận", "Ngày tiếp nhận"]

    [statuses]
    "Chờ ký duyệt" = "processing"     # the export's wording = one of DossierStatus values
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.dossiers.models import DossierStatus

#: Default column names per field (already folded where it matters; folding is applied anyway).
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("dossierNo", "dossierCode", "code", "nationCode", "maHoSo", "soHoSo", "Mã hồ sơ", "Số hồ sơ"),
    "procedure_code": ("procedureCode", "procedure.code", "maThuTuc", "maTTHC", "Mã thủ tục", "Mã TTHC"),
    "procedure_name": ("procedureName", "procedure.name", "tenThuTuc", "tenTTHC", "Tên thủ tục", "Thủ tục"),
    "field": ("sectorName", "sector.name", "fieldName", "linhVuc", "Lĩnh vực"),
    "unit": ("agencyName", "agency.name", "unitName", "unit", "donVi", "coQuan", "Đơn vị", "Đơn vị xử lý"),
    "officer": ("officerName", "assigneeName", "processingOfficer", "canBoXuLy", "Cán bộ xử lý"),
    "applicant_name": ("applicantName", "applicant.fullname", "ownerFullname", "chuHoSo", "Người nộp", "Chủ hồ sơ"),
    "phone": ("applicantPhone", "applicant.phoneNumber", "phone", "phoneNumber", "soDienThoai", "Số điện thoại"),
    "id_number": ("identityNumber", "applicant.identityNumber", "cccd", "cmnd", "soGiayTo", "Số CCCD"),
    "birth_year": ("applicantBirthYear", "applicant.birthYear", "birthYear", "birthDate", "applicant.birthDate",
                   "namSinh", "ngaySinh", "Năm sinh", "Ngày sinh"),
    "received_at": ("acceptedDate", "receivedDate", "ngayTiepNhan", "ngayNhan", "Ngày tiếp nhận"),
    "due_at": ("appointmentDate", "dueDate", "ngayHenTra", "hanXuLy", "Ngày hẹn trả"),
    "finished_at": ("completedDate", "finishedDate", "ngayCoKetQua", "ngayHoanThanh", "Ngày có kết quả"),
    "returned_at": ("returnedDate", "ngayTraKetQua", "Ngày trả kết quả"),
    "status": ("dossierStatusName", "dossierStatus.name", "statusName", "status", "trangThai", "Trạng thái"),
    "current_step": ("currentTaskName", "currentStep", "buocXuLy", "Bước xử lý"),
    "apology_sent_at": ("apologySentDate", "apologyDate", "ngayXinLoi", "Ngày xin lỗi"),
    "apology_new_due_at": ("newAppointmentDate", "ngayHenMoi", "Ngày hẹn mới"),
    "apology_reason": ("apologyReason", "lyDoXinLoi", "lyDoTreHan", "Lý do xin lỗi"),
    # optional, for the 766 scorecard (bot.dossiers.export_flags reads the values)
    "online": ("onlineType", "applyMethod", "hinhThucNop", "Hình thức nộp", "Nộp trực tuyến"),
    "paid_online": ("paymentMethod", "onlinePayment", "hinhThucThanhToan", "Hình thức thanh toán",
                    "Thanh toán trực tuyến"),
    "supplements": ("supplementCount", "soLanBoSung", "Số lần yêu cầu bổ sung", "Số lần bổ sung"),
    "digitised": ("digitized", "digitised", "daSoHoa", "Số hóa", "Đã số hóa"),
}

#: Fields without which a file cannot be imported.
REQUIRED = ("code", "received_at", "status")

_FOLD_DROP = re.compile(r"[\s_.\-/]+")


def fold(text: str) -> str:
    """Lower case, no diacritics (đ → d), no separators: for comparing column names."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return _FOLD_DROP.sub("", text.lower())


def fold_words(text: str) -> str:
    """Lower case, no diacritics, single spaces: for comparing status wording."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


# Checked in order, as whole words within the folded text; earlier patterns win.
_STATUS_PATTERNS: tuple[tuple[str, DossierStatus], ...] = (
    ("cho tra ket qua", DossierStatus.DONE),
    ("cho tra", DossierStatus.DONE),
    ("chua tra ket qua", DossierStatus.DONE),
    ("tu choi", DossierStatus.REJECTED),
    ("tra lai", DossierStatus.REJECTED),
    ("khong giai quyet", DossierStatus.REJECTED),
    ("khong du dieu kien", DossierStatus.REJECTED),
    ("khong tiep nhan", DossierStatus.REJECTED),
    ("rejected", DossierStatus.REJECTED),
    ("da tra ket qua", DossierStatus.RETURNED),
    ("tra ket qua", DossierStatus.RETURNED),
    ("da tra", DossierStatus.RETURNED),
    ("da nhan ket qua", DossierStatus.RETURNED),
    ("returned", DossierStatus.RETURNED),
    ("delivered", DossierStatus.RETURNED),
    ("dung xu ly", DossierStatus.CANCELLED),
    ("tam dung", DossierStatus.CANCELLED),
    ("rut", DossierStatus.CANCELLED),
    ("huy", DossierStatus.CANCELLED),
    ("cancelled", DossierStatus.CANCELLED),
    ("canceled", DossierStatus.CANCELLED),
    ("withdrawn", DossierStatus.CANCELLED),
    ("bo sung", DossierStatus.SUPPLEMENT),
    ("supplement", DossierStatus.SUPPLEMENT),
    ("co ket qua", DossierStatus.DONE),
    ("hoan thanh", DossierStatus.DONE),
    ("hoan tat", DossierStatus.DONE),
    ("xong", DossierStatus.DONE),
    ("done", DossierStatus.DONE),
    ("completed", DossierStatus.DONE),
    ("dang xu ly", DossierStatus.PROCESSING),
    ("dang giai quyet", DossierStatus.PROCESSING),
    ("dang thu ly", DossierStatus.PROCESSING),
    ("cho xu ly", DossierStatus.PROCESSING),
    ("xu ly", DossierStatus.PROCESSING),
    ("tham dinh", DossierStatus.PROCESSING),
    ("phe duyet", DossierStatus.PROCESSING),
    ("ky duyet", DossierStatus.PROCESSING),
    ("chuyen", DossierStatus.PROCESSING),
    ("processing", DossierStatus.PROCESSING),
    ("in progress", DossierStatus.PROCESSING),
    ("tiep nhan", DossierStatus.RECEIVED),
    ("moi nhan", DossierStatus.RECEIVED),
    ("received", DossierStatus.RECEIVED),
    ("new", DossierStatus.RECEIVED),
)
_STATUS_RES = tuple((re.compile(rf"\b{p}\b"), s) for p, s in _STATUS_PATTERNS)


@dataclass
class ColumnMapping:
    """Candidate column names per field, plus the office's own status wording."""

    columns: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_COLUMNS))
    statuses: dict[str, DossierStatus] = field(default_factory=dict)
    _status_cache: dict[str, DossierStatus] = field(default_factory=dict, repr=False)

    def resolve(self, header: Iterable[str]) -> dict[str, str]:
        """Our field → the header's column name, for the fields this header has (file's spelling)."""
        by_folded: dict[str, str] = {}
        for name in header:
            by_folded.setdefault(fold(name), name)
        found: dict[str, str] = {}
        for ours, candidates in self.columns.items():
            for cand in candidates:
                hit = by_folded.get(fold(cand))
                if hit is not None:
                    found[ours] = hit
                    break
        return found

    def status_of(self, text: str) -> DossierStatus:
        """The normalised status of the export's wording; ``UNKNOWN`` when nothing fits."""
        cached = self._status_cache.get(text)
        if cached is not None:
            return cached
        folded = fold_words(text)
        result = self.statuses.get(folded)
        if result is None:
            try:
                result = DossierStatus(folded)
            except ValueError:
                result = next((s for rx, s in _STATUS_RES if rx.search(folded)), DossierStatus.UNKNOWN)
        if len(self._status_cache) < 10_000:
            self._status_cache[text] = result
        return result


class MappingError(ValueError):
    """The mapping file is unreadable or names an unknown field or status."""


def load_mapping(path: Path | None) -> ColumnMapping:
    """The default mapping, extended by the TOML file at ``path`` (its names are tried first)."""
    mapping = ColumnMapping()
    if path is None:
        return mapping
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(f"{path}: {exc}") from exc
    columns: Mapping[str, object] = data.get("columns", {})
    for ours, given in columns.items():
        if ours not in DEFAULT_COLUMNS:
            raise MappingError(f"{path}: [columns] {ours!r} is not a dossier field ({', '.join(DEFAULT_COLUMNS)})")
        names = [given] if isinstance(given, str) else list(given) if isinstance(given, list) else None
        if not names or not all(isinstance(n, str) and n for n in names):
            raise MappingError(f"{path}: [columns] {ours} must be a column name or a list of names")
        mapping.columns[ours] = (*names, *DEFAULT_COLUMNS[ours])
    for wording, status in data.get("statuses", {}).items():
        try:
            mapping.statuses[fold_words(wording)] = DossierStatus(status)
        except ValueError as exc:
            allowed = ", ".join(s.value for s in DossierStatus)
            raise MappingError(f"{path}: [statuses] {wording!r} = {status!r}: use one of {allowed}") from exc
    return mapping
