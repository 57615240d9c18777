"""The documents answer: what most applicants bring in the order they prepare it, cases one tap away.

First message (fits one Zalo message): forms, documents to submit, documents to show, then the cases
("Nếu bạn thuộc trường hợp…") as numbered buttons. "Xem đầy đủ" shows every item of the source, notes
included; a case button shows what that case adds.
"""

from __future__ import annotations

from bot.catalog.checklist import Checklist, build_checklist
from bot.catalog.model import Document, Procedure
from bot.catalog.text import fold
from bot.contract.callbacks import Action, Section, encode
from bot.contract.html import bold, esc, italic, link, shorten
from bot.contract.messages import Choice, Reply
from bot.conversation import Context
from bot.i18n import Translator
from handlers.digest import UNLIMITED, Shape, fit
from handlers.section_menu import section_buttons, section_header

CASE_BUTTON_CHARS = 40
CASE_LINE_CHARS = 100
FULL = Shape(UNLIMITED, UNLIMITED)


def quantity_words(d: Document, t: Translator) -> str:
    """"1 bản chính", "2 bản sao", "1 bản chính và 1 bản sao"; "" when the source gives no number."""
    originals = t.ngettext("{n} bản chính", "{n} bản chính", d.originals or 0).format(n=d.originals)
    copies = t.ngettext("{n} bản sao", "{n} bản sao", d.copies or 0).format(n=d.copies)
    if d.originals and d.copies:
        return t.gettext("{originals} và {copies}").format(originals=originals, copies=copies)
    return originals if d.originals else copies if d.copies else ""


def case_title(label: str, p: Procedure) -> str:
    """A case as a short title: the procedure's own name left off its start, first letter capitalised."""
    words, name = label.split(), fold(p.name).split()
    if len(words) > len(name) + 2 and [fold(w) for w in words[: len(name)]] == name:
        words = words[len(name) :]
    title = " ".join(words)
    return title[:1].upper() + title[1:]


def _item(ctx: Context, d: Document, shape: Shape) -> str:
    line = "• " + esc(shape.item(d.name))
    quantity = quantity_words(d, ctx.t)
    if quantity:
        line += " — " + esc(quantity)
    if d.form:
        line += " (" + esc(ctx._("mẫu: {form}").format(form=shape.item(d.form))) + ")"
    if d.form_url:
        line += " " + link(ctx._("tải mẫu"), d.form_url)
    return line


def _common_lines(ctx: Context, p: Procedure, checklist: Checklist, shape: Shape) -> tuple[list[str], int]:
    """Forms, documents to submit and documents to show; and how many items the shape left out."""
    _ = ctx._
    blocks = [
        (checklist.forms, "📝 " + _("Tờ khai, đơn (điền rồi nộp):")),
        (checklist.submit, "📄 " + _("Giấy tờ nộp:")),
        (checklist.show, "🪪 " + _("Mang bản chính để xuất trình (cán bộ xem rồi trả lại):")),
    ]
    lines: list[str] = []
    hidden = 0
    for documents, heading in blocks:
        if documents:
            lines.append(bold(heading))
            lines += [_item(ctx, d, shape) for d in documents[: shape.count]]
            hidden += max(len(documents) - shape.count, 0)
    if p.portal_url and any(d.form and not d.form_url for d in checklist.forms):
        lines.append("⬇️ " + link(_("Tải mẫu đơn, tờ khai trên Cổng Dịch vụ công"), p.portal_url))
    return lines, hidden


def _buttons(ctx: Context, p: Procedure, case_choices: list[Choice], more: bool) -> list[list[Choice]]:
    everything = [[Choice(ctx._("📋 Xem đầy đủ"), encode(Action.DETAIL, p.code, "docs", "all"))]] if more else []
    return [*([c] for c in case_choices), *everything, *section_buttons(ctx, p, Section.DOCUMENTS)]


def _complete(p: Procedure, checklist: Checklist, shape: Shape) -> bool:
    """Whether the first message already says everything the source says (no notes, cases or cuts)."""
    items = checklist.common
    return (not checklist.notes and not checklist.cases and not p.raw.get("thanh_phan_ho_so")
            and len(items) <= shape.count and all(shape.item(d.name) == d.name for d in items)
            and all(shape.item(d.form) == d.form for d in items))


def _first(ctx: Context, p: Procedure, checklist: Checklist, shape: Shape) -> Reply:
    _ = ctx._
    lines = [section_header(_("Giấy tờ cần mang"), p)]
    common, hidden = _common_lines(ctx, p, checklist, shape)
    lines += common or [esc(_("Giấy tờ cần nộp tùy trường hợp của bạn."))]
    choices: list[Choice] = []
    if checklist.cases:
        lines += ["", "📌 " + esc(_("Nếu bạn thuộc một trong các trường hợp sau, chọn số để xem giấy tờ thêm:"))]
        for index, case in enumerate(checklist.cases[: shape.count]):
            title = case_title(case.label, p)
            lines.append(f"{index + 1}. {esc(shorten(title, min(shape.chars, CASE_LINE_CHARS)))}")
            choices.append(Choice(shorten(title, CASE_BUTTON_CHARS), encode(Action.DETAIL, p.code, "docs", index)))
        hidden += max(len(checklist.cases) - shape.count, 0)
    more = not _complete(p, checklist, shape)
    if hidden:
        lines += ["", "ℹ️ " + esc(_("Còn {n} mục chưa hiện ở đây.").format(n=hidden))]
    if more and checklist.notes:
        hint = _("Bấm “Xem đầy đủ” để đọc nguyên văn tất cả {n} mục của Cổng Dịch vụ công, kể cả {notes} lưu ý.")
        lines += ["", italic(hint.format(n=len(p.documents), notes=len(checklist.notes)))]
    elif more:
        lines += ["", italic(_("Bấm “Xem đầy đủ” để đọc nguyên văn tất cả {n} mục của Cổng Dịch vụ công.").format(
            n=len(p.documents)))]
    return Reply(text="\n".join(lines), choices=_buttons(ctx, p, choices, more))


def _unparsed(ctx: Context, p: Procedure) -> list[str]:
    raw = p.raw.get("thanh_phan_ho_so", "")
    return ["", bold(ctx._("Phần Cổng Dịch vụ công ghi chưa tách được thành từng giấy tờ:")), esc(raw)] if raw else []


def documents_reply(ctx: Context, p: Procedure) -> Reply:
    """The first documents message: what most applicants need, fitted into one phone message."""
    if not p.documents:
        return fit(lambda shape: _unparsed_first(ctx, p, shape))
    checklist = build_checklist(p)
    return fit(lambda shape: _first(ctx, p, checklist, shape))


def _unparsed_first(ctx: Context, p: Procedure, shape: Shape) -> Reply:
    """The source's documents text as it is, shortened, when it has no table to parse."""
    text = p.raw.get("thanh_phan_ho_so", "")
    missing = ctx._("Cổng Dịch vụ công chưa công bố thành phần hồ sơ.")
    body = esc(shorten(text, shape.chars * 4)) if text else esc(missing)
    choices = section_buttons(ctx, p, Section.DOCUMENTS)
    if text and shorten(text, shape.chars * 4) != " ".join(text.split()):
        choices = [[Choice(ctx._("📋 Xem đầy đủ"), encode(Action.DETAIL, p.code, "docs", "all"))], *choices]
    return Reply(text=section_header(ctx._("Giấy tờ cần mang"), p) + "\n\n" + body, choices=choices)


def documents_in_full(ctx: Context, p: Procedure) -> Reply:
    """Every row of the documents table where the source put it, grouped; long answers are split by the channel."""
    _ = ctx._
    checklist = build_checklist(p, lift_shared=False)
    lines = [section_header(_("Giấy tờ cần mang — đầy đủ"), p)]
    common, _hidden = _common_lines(ctx, p, checklist, FULL)
    lines += common
    for case in checklist.cases:
        heading = _("Trường hợp: {case}").format(case=case_title(case.label, p))
        lines += ["", "📌 " + bold(heading), *(_item(ctx, d, FULL) for d in case.documents)]
    if checklist.notes:
        lines += ["", "ℹ️ " + bold(_("Lưu ý của Cổng Dịch vụ công:"))]
        lines += ["• " + esc(d.name) for d in checklist.notes]
    lines += _unparsed(ctx, p)
    back = Choice(_("⬅️ Giấy tờ cần mang"), encode(Action.SECTION, p.code, Section.DOCUMENTS.value))
    return Reply(text="\n".join(lines), choices=[[back], *section_buttons(ctx, p, Section.DOCUMENTS)])


def documents_for_case(ctx: Context, p: Procedure, index: int) -> Reply | None:
    """What one case adds to the common documents; None when there is no such case (a stale button)."""
    _ = ctx._
    cases = build_checklist(p).cases
    if not 0 <= index < len(cases):
        return None
    case = cases[index]
    lines = [
        section_header(_("Trường hợp: {case}").format(case=case_title(case.label, p)), p),
        esc(_("Ngoài các giấy tờ chung, trường hợp này cần:")),
        *(_item(ctx, d, FULL) for d in case.documents),
    ]
    back = Choice(_("⬅️ Giấy tờ cần mang"), encode(Action.SECTION, p.code, Section.DOCUMENTS.value))
    everything = Choice(_("📋 Xem đầy đủ"), encode(Action.DETAIL, p.code, "docs", "all"))
    return Reply(text="\n".join(lines), choices=[[back, everything], *section_buttons(ctx, p, Section.DOCUMENTS)])
