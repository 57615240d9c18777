"""The steps answer: "Bước 1: …" with each step's first sentence, the details and notes one tap away."""

from __future__ import annotations

import re

from bot.catalog.model import Procedure
from bot.contract.callbacks import Action, Section, encode
from bot.contract.html import bold, esc, italic
from bot.contract.messages import Choice, Reply
from bot.conversation import Context
from handlers.digest import Shape, fit
from handlers.section_menu import section_buttons, section_header

_FIRST_SENTENCE = re.compile(r"^(.+?[.;:])(?:\s|$)", re.S)


def _headline(step: str) -> str:
    """A step's main line up to its first sentence end."""
    main = step.split("\n", 1)[0]
    match = _FIRST_SENTENCE.match(main)
    return match.group(1) if match and len(match.group(1)) >= 40 else main


def _step_label(ctx: Context, number: int) -> str:
    return ctx._("Bước {n}:").format(n=number)


def _first(ctx: Context, p: Procedure, shape: Shape) -> Reply:
    _ = ctx._
    lines = [section_header(_("Các bước thực hiện"), p), ""]
    shown = p.steps[: shape.count]
    lines += [f"{bold(_step_label(ctx, i))} {esc(shape.item(_headline(s)))}" for i, s in enumerate(shown, 1)]
    hidden = len(p.steps) - len(shown)
    lines.append("")
    if hidden:
        lines.append("ℹ️ " + esc(_("Còn {n} bước nữa.").format(n=hidden)))
    details = any("\n" in s or _headline(s) != s for s in p.steps)
    if details or p.step_notes or hidden:
        more = _("Bấm “Xem đầy đủ” để đọc chi tiết từng bước và {notes} lưu ý.").format(notes=len(p.step_notes))
        lines.append(italic(more))
    everything = Choice(_("📋 Xem đầy đủ"), encode(Action.DETAIL, p.code, "steps", "all"))
    return Reply(text="\n".join(lines), choices=[[everything], *section_buttons(ctx, p, Section.STEPS)])


def steps_reply(ctx: Context, p: Procedure) -> Reply:
    """The first steps message, fitted into one phone message."""
    if not p.steps:
        text = ctx._("Cổng Dịch vụ công chưa công bố trình tự thực hiện.")
        return Reply(text=section_header(ctx._("Các bước thực hiện"), p) + "\n\n" + esc(text),
                     choices=section_buttons(ctx, p, Section.STEPS))
    return fit(lambda shape: _first(ctx, p, shape))


def steps_in_full(ctx: Context, p: Procedure) -> Reply:
    """Every step with its details, then the notes; long answers are split by the channel."""
    _ = ctx._
    lines = [section_header(_("Các bước thực hiện — đầy đủ"), p)]
    for number, step in enumerate(p.steps, 1):
        main, _sep, details = step.partition("\n")
        lines += ["", f"{bold(_step_label(ctx, number))} {esc(main)}"]
        lines += ["   " + esc(line) for line in details.split("\n") if line]
    if p.step_notes:
        lines += ["", "ℹ️ " + bold(_("Lưu ý của Cổng Dịch vụ công:"))]
        lines += ["• " + esc(note) for note in p.step_notes]
    back = Choice(_("⬅️ Các bước"), encode(Action.SECTION, p.code, Section.STEPS.value))
    return Reply(text="\n".join(lines), choices=[[back], *section_buttons(ctx, p, Section.STEPS)])


