"""The buttons and the title line shared by every section of a procedure (documents, steps, fees, …)."""

from __future__ import annotations

from bot.catalog.model import Procedure
from bot.contract.callbacks import Action, Section, encode
from bot.contract.html import bold, esc, shorten
from bot.contract.messages import Choice
from bot.conversation import Context

NAME_CHARS = 160


def section_buttons(ctx: Context, p: Procedure, without: Section | None = None) -> list[list[Choice]]:
    """Buttons for the sections of ``p``, two per row (leaving out ``without``, the one on screen)."""
    _ = ctx._
    labels = [
        (Section.DOCUMENTS, _("📄 Giấy tờ cần mang")),
        (Section.STEPS, _("🪜 Các bước")),
        (Section.FEES, _("💰 Phí, lệ phí")),
        (Section.TIME, _("⏱ Thời gian")),
        (Section.ONLINE, _("🌐 Nộp trực tuyến")),
        (Section.WHERE, _("📍 Nộp ở đâu")),
        (Section.CONDITIONS, _("✅ Điều kiện")),
        (Section.LEGAL, _("⚖️ Căn cứ pháp lý")),
        (Section.RESULT, _("🧾 Kết quả")),
    ]
    buttons = [Choice(label, encode(Action.SECTION, p.code, s.value)) for s, label in labels if s is not without]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def section_header(title: str, p: Procedure) -> str:
    """"<b>Title</b> — Procedure name (code)", the first line of every section."""
    return f"{bold(title)} — {esc(shorten(p.name, NAME_CHARS))} ({esc(p.code)})"
