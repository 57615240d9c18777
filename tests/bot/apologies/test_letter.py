"""The apology letter: the template's validation (file and line), the PDF's Vietnamese text, a missing font."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bot.apologies.letter import LetterError, letter_for, load_template, parse_template
from bot.apologies.record import record_apology
from bot.config import Settings
from bot.dossiers.models import Dossier
from bot.storage.db import Database
from tests.bot.late.factory import MONDAY_0730, add_dossier, settings


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def _with(office: Settings, **apologies: str) -> Settings:
    return office.model_copy(update={"apologies": office.apologies.model_copy(update=apologies)})


def test_the_shipped_template_is_valid() -> None:
    lines = load_template(settings())
    assert any("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in line.text for line in lines)


@pytest.mark.parametrize(("text", "problem"), [
    ("= Tiêu đề\nKính gửi {applicant}\nHẹn lại {new_date}", "office.txt:3: unknown placeholder {new_date}"),
    ("Mã {code", "office.txt:1: "),
    ("# only a comment\n", "office.txt: the template has no text"),
])  # fmt: skip
def test_template_problems_name_the_file_and_line(text: str, problem: str) -> None:
    with pytest.raises(LetterError) as error:
        parse_template(text, "office.txt")
    assert str(error.value).startswith(problem)


def test_the_letter_pdf_holds_the_dossier_and_the_new_date_in_vietnamese(database: Database) -> None:
    add_dossier(database, "H12-0001", MONDAY_0730 - timedelta(days=3), procedure="Đăng ký khai sinh")
    office = settings()
    with database.session() as s:
        dossier = s.scalar(select(Dossier).where(Dossier.code == "H12-0001"))
        assert dossier is not None
        dossier.applicant_name = "Nguyễn Thị Hường"
        record_apology(s, dossier, new_date=MONDAY_0730.date() + timedelta(days=3), reason="Chờ xác minh hộ tịch",
                       now=MONDAY_0730, settings=office)  # fmt: skip
        s.commit()
        letter = letter_for(s, "H12-0001", office, MONDAY_0730)
    assert letter.filename == "phieu-xin-loi-H12-0001.pdf" and letter.mime_type == "application/pdf"
    text = _text(letter.content)
    for expected in ("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "Kính gửi: Nguyễn Thị Hường", "H12-0001",
                     "Đăng ký khai sinh", "20/11/2026", "26/11/2026", "Chờ xác minh hộ tịch", "118/2025/NĐ-CP"):
        assert expected in text, expected


def test_no_apology_and_a_missing_font_are_clear_errors(database: Database, tmp_path: Path) -> None:
    add_dossier(database, "H12-0002", MONDAY_0730)
    with database.session() as s, pytest.raises(LetterError, match="has no apology recorded"):
        letter_for(s, "H12-0002", settings(), MONDAY_0730)
    add_dossier(database, "H12-0003", MONDAY_0730, apology=True)
    office = _with(settings(), font=str(tmp_path / "none.ttf"))
    with database.session() as s, pytest.raises(LetterError, match="fonts-dejavu-core"):
        letter_for(s, "H12-0003", office, MONDAY_0730)
