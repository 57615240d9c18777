"""Which function answers which command, button and ongoing step.

To add a feature: write its handlers in a module of their own, add its button grammar to
``handlers/callbacks.py`` and its entries to the tables below.

- ``COMMANDS``: "/name arg" → ``fn(ctx, arg) -> list[Reply]``
- ``ACTIONS``: button action → ``fn(ctx, args) -> list[Reply] | None`` (None = stale/forged button)
- ``FLOWS``: a multi-step exchange in progress (``ctx.state.data["flow"]``) → ``fn(ctx, text)``
  returning the replies, or None to let the text be handled as a normal question.
"""

from __future__ import annotations

from collections.abc import Callable

from handlers import browse, lookup, menu
from handlers.callbacks import Action
from handlers.context import Context
from handlers.messages import Reply

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
    "reload": menu.cmd_reload,
}

ACTIONS: dict[Action, ActionFn] = {
    Action.OPEN: lookup.on_open,
    Action.SECTION: lookup.on_section,
    Action.FIELDS: browse.on_fields,
    Action.FIELD: browse.on_field,
    Action.LANG: menu.on_lang,
    Action.MENU: menu.on_menu,
}

FLOWS: dict[str, FlowFn] = {}
