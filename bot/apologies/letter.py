"""The letter: Phiếu xin lỗi và hẹn lại ngày trả kết quả as a PDF, from a text template the office edits.

Template lines: ``# …`` comment, ``= …`` bold centred heading, ``> …`` right-aligned, ``<`` a blank line,
anything else a paragraph; placeholders ``{name}`` from :data:`FIELDS`. Problems are reported as
``file:line: message``. Rendered with fpdf2 and a TrueType font that has Vietnamese (DejaVu by default).
"""

from __future__ import annotations

import logging
import string
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.config import Settings
from bot.contract.messages import Attachment
from bot.dossiers.models import Apology, Dossier
from bot.i18n.format import format_date

logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting logs every glyph at INFO

PDF_MIME = "application/pdf"
FIELDS = ("office", "unit", "code", "applicant", "procedure", "received", "due", "new_due", "reason", "today",
          "number")  # fmt: skip
_KINDS = {"=": "heading", ">": "right"}


class LetterError(ValueError):
    """The letter cannot be made: a bad template, a missing font, no apology for the dossier."""


@dataclass(frozen=True, slots=True)
class Line:
    """One template line: its kind (paragraph, heading, right, blank) and text with placeholders."""

    kind: str
    text: str


def parse_template(text: str, source: str = "<template>") -> list[Line]:
    """The template's lines; :class:`LetterError` naming ``source`` and the line for a bad placeholder."""
    lines: list[Line] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip() or line.startswith("#"):
            continue
        if line.strip() == "<":
            lines.append(Line("blank", ""))
            continue
        kind = _KINDS.get(line[0], "paragraph")
        body = line[1:].strip() if kind != "paragraph" else line.strip()
        try:
            names = [name for _lit, name, _spec, _conv in string.Formatter().parse(body) if name is not None]
        except ValueError as exc:
            raise LetterError(f"{source}:{number}: {exc} (write {{{{ and }}}} for a literal brace)") from exc
        for name in names:
            if name not in FIELDS:
                raise LetterError(f"{source}:{number}: unknown placeholder {{{name}}}; known: "
                                  + ", ".join("{" + f + "}" for f in FIELDS))  # fmt: skip
        lines.append(Line(kind, body))
    if not lines:
        raise LetterError(f"{source}: the template has no text")
    return lines


def load_template(settings: Settings) -> list[Line]:
    """The office's template from ``[apologies].template``."""
    path = settings.resolve(settings.apologies.template)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LetterError(f"{path}: cannot read the apology letter template ({exc})") from exc
    return parse_template(text, str(path))


def _font(settings: Settings, value: str) -> Path:
    path = settings.resolve(value)
    if not path.is_file():
        raise LetterError(f"font not found: {path} — install the Debian package fonts-dejavu-core or set "
                          "[apologies].font / font_bold to a TrueType font with Vietnamese")  # fmt: skip
    return path


def render_pdf(lines: list[Line], values: dict[str, str], settings: Settings) -> bytes:
    """The letter as PDF bytes (A4, one page for the usual text)."""
    from fpdf import FPDF  # heavy (fontTools): imported by the commands that write letters, not at start

    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.add_font("letter", "", str(_font(settings, settings.apologies.font)))
    pdf.add_font("letter", "B", str(_font(settings, settings.apologies.font_bold)))
    pdf.add_page()
    for line in lines:
        text = line.text.format(**values)
        if line.kind == "blank":
            pdf.ln(6)
        elif line.kind == "heading":
            pdf.set_font("letter", "B", 13)
            pdf.multi_cell(0, 7, text, align="C", new_x="LMARGIN", new_y="NEXT")
        elif line.kind == "right":
            pdf.set_font("letter", "", 12)
            pdf.multi_cell(0, 7, text, align="R", new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("letter", "", 12)
            pdf.multi_cell(0, 7, text, align="J", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def letter_values(dossier: Dossier, apology: Apology, number: int, settings: Settings, now: datetime) -> dict[str, str]:
    """The placeholders' values for one apology (dates in Vietnamese, the letter's language)."""

    def day(value: datetime | None) -> str:
        return format_date(as_utc(value).astimezone(settings.zone).date(), "vi") if value else "…"

    return {
        "office": settings.office.name,
        "unit": dossier.unit or settings.office.name,
        "code": dossier.code,
        "applicant": dossier.applicant_name or "Ông/Bà",
        "procedure": dossier.procedure_name or "…",
        "received": day(dossier.received_at),
        "due": day(dossier.due_at),
        "new_due": day(apology.new_due_at),
        "reason": apology.reason or "…",
        "today": day(now),
        "number": str(number),
    }


def letter_for(session: Session, code: str, settings: Settings, now: datetime) -> Attachment:
    """The letter for the latest apology of dossier ``code`` as a PDF attachment."""
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None:
        raise LetterError(f"no dossier {code}")
    apologies = list(dossier.apologies)
    if not apologies:
        raise LetterError(f"dossier {code} has no apology recorded (/xinloi {code} or the export's apology columns)")
    latest = max(apologies, key=lambda a: (as_utc(a.sent_at), a.id))
    values = letter_values(dossier, latest, len(apologies), settings, now)
    content = render_pdf(load_template(settings), values, settings)
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in code)
    return Attachment(filename=f"phieu-xin-loi-{safe}.pdf", content=content, mime_type=PDF_MIME)
