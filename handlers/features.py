"""Which function answers which command, button and ongoing step.

To add a feature: write its handlers in a module of their own, add its button grammar to
``bot/contract/callbacks.py`` and its entries to the tables below.

- ``COMMANDS``: "/name arg" → ``fn(ctx, arg) -> list[Reply]``
- ``ACTIONS``: button action → ``fn(ctx, args) -> list[Reply] | None`` (None = stale/forged button)
- ``FLOWS``: a multi-step exchange in progress (``ctx.state.data["flow"]``) → ``fn(ctx, text)``
  returning the replies, or None to let the text be handled as a normal question.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.contract.callbacks import Action
from bot.contract.messages import Reply
from bot.conversation import Context
from handlers import (
    apology,
    browse,
    catalog_admin,
    dossier,
    feedback,
    handoff,
    lookup,
    menu,
    officers,
    reports,
    scorecard,
    section_actions,
)

CommandFn = Callable[[Context, str], list[Reply]]
ActionFn = Callable[[Context, tuple[str, ...]], list[Reply] | None]
FlowFn = Callable[[Context, str], list[Reply] | None]

COMMANDS: dict[str, CommandFn] = {
    "start": menu.cmd_start,
    "menu": menu.cmd_start,
    "batdau": menu.cmd_start,
    "help": menu.cmd_help,
    "huongdan": menu.cmd_help,
    "trogiup": menu.cmd_help,
    "lang": menu.cmd_lang,
    "language": menu.cmd_lang,
    "ngonngu": menu.cmd_lang,
    "linhvuc": browse.cmd_fields,
    "fields": browse.cmd_fields,
    "tim": lookup.cmd_search,
    "search": lookup.cmd_search,
    "reload": catalog_admin.cmd_reload,
    "hoso": dossier.cmd_dossier,
    "dossier": dossier.cmd_dossier,
    "huytheodoi": dossier.cmd_unsubscribe,
    "unsubscribe": dossier.cmd_unsubscribe,
    "dangky": officers.cmd_register,
    "register": officers.cmd_register,
    "trehan": officers.cmd_late,
    "late": officers.cmd_late,
    "trehan_csv": officers.cmd_late_csv,
    "late_csv": officers.cmd_late_csv,
    "loigui": officers.cmd_failures,
    "failures": officers.cmd_failures,
    "danhgia": feedback.cmd_rate,
    "gopy": feedback.cmd_rate,
    "feedback": feedback.cmd_rate,
    "phananh": feedback.cmd_complaints,
    "complaints": feedback.cmd_complaints,
    "traloi": handoff.cmd_answer,
    "answer": handoff.cmd_answer,
    "hoi": handoff.cmd_ask,
    "ask": handoff.cmd_ask,
    "huyhoi": handoff.cmd_cancel,
    "cancelquestion": handoff.cmd_cancel,
    "cauhoi": handoff.cmd_pending,
    "questions": handoff.cmd_pending,
    "dexuat": handoff.cmd_propose,
    "propose": handoff.cmd_propose,
    "duyet": handoff.cmd_approve,
    "approve": handoff.cmd_approve,
    "hoidap": handoff.cmd_gaps,
    "gaps": handoff.cmd_gaps,
    "xinloi": apology.cmd_apology,
    "apology": apology.cmd_apology,
    "baocao": reports.cmd_report,
    "report": reports.cmd_report,
    "bangdiem": scorecard.cmd_scorecard,
    "scorecard": scorecard.cmd_scorecard,
}

ACTIONS: dict[Action, ActionFn] = {
    Action.OPEN: lookup.on_open,
    Action.SECTION: lookup.on_section,
    Action.DETAIL: section_actions.on_detail,
    Action.AREA: section_actions.on_area,
    Action.FIELDS: browse.on_fields,
    Action.FIELD: browse.on_field,
    Action.LANG: menu.on_lang,
    Action.MENU: menu.on_menu,
    Action.HOME: lambda ctx, _args: menu.cmd_start(ctx, ""),
    Action.DOSSIER_SUBSCRIBE: dossier.on_subscribe,
    Action.DOSSIER_UNSUBSCRIBE: dossier.on_unsubscribe,
    Action.LATE: officers.on_late_page,
    Action.LATE_CSV: officers.on_late_csv,
    Action.FEEDBACK_ASK: feedback.on_ask,
    Action.RATE: feedback.on_rate,
    Action.CRITERION: feedback.on_criterion,
    Action.FEEDBACK_STEP: feedback.on_step,
    Action.REPORT_PERIOD: reports.on_period,
    Action.REPORT_UNIT: reports.on_unit,
    Action.CATALOG_CONFIRM: catalog_admin.on_confirm,
    Action.HANDOFF_ASK: handoff.on_ask,
    Action.HANDOFF_CANCEL: handoff.on_cancel,
    Action.HANDOFF_RATE: handoff.on_rate,
    Action.SCORECARD: scorecard.on_period,
    Action.APOLOGY_DATE: apology.on_date,
    Action.APOLOGY_REASON: apology.on_reason,
}

FLOWS: dict[str, FlowFn] = {
    dossier.FLOW: dossier.on_text,
    feedback.FLOW_COMMENT: feedback.flow_comment,
    feedback.FLOW_CONTACT: feedback.flow_contact,
    handoff.FLOW: handoff.flow_question,
    apology.FLOW: apology.on_text,
}
