"""Compact, validated button data (Telegram allows 64 bytes).

Format: ``<action>:<arg>[:<arg>]`` with a fixed grammar per action. Anything that does not parse is
treated as forged or stale; the router answers it with a clear message instead of acting on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

MAX_BYTES = 64


class Action(StrEnum):
    """What a button does."""

    OPEN = "p"  # open a procedure card: p:<code>
    SECTION = "s"  # show a section of a procedure: s:<code>:<section>
    FIELDS = "fl"  # list fields, page N: fl:<page>
    FIELD = "f"  # procedures of a field, page N: f:<field id>:<page>
    MENU = "m"  # main menu entry: m:<item>
    LANG = "l"  # switch language: l:<vi|en>


class Section(StrEnum):
    """Sections of a procedure card."""

    DOCUMENTS = "docs"
    STEPS = "steps"
    FEES = "fees"
    TIME = "time"
    CONDITIONS = "cond"
    LEGAL = "legal"
    RESULT = "result"
    ONLINE = "online"
    WHERE = "where"


class MenuItem(StrEnum):
    """Entries of the /start menu."""

    SEARCH = "search"
    DOSSIER = "dossier"
    FEEDBACK = "feedback"
    HELP = "help"


_CODE = r"\d\.\d{6}"
_GRAMMAR: dict[Action, re.Pattern[str]] = {
    Action.OPEN: re.compile(rf"({_CODE})"),
    Action.SECTION: re.compile(rf"({_CODE}):({'|'.join(s.value for s in Section)})"),
    Action.FIELDS: re.compile(r"(\d{1,3})"),
    Action.FIELD: re.compile(r"([0-9a-f]{8}):(\d{1,3})"),
    Action.MENU: re.compile(rf"({'|'.join(m.value for m in MenuItem)})"),
    Action.LANG: re.compile(r"(vi|en)"),
}


@dataclass(frozen=True, slots=True)
class Callback:
    """A parsed button press."""

    action: Action
    args: tuple[str, ...]


def encode(action: Action, *args: str | int) -> str:
    """Build button data; raises ValueError if it would not parse back or exceeds 64 bytes."""
    data = ":".join([action.value, *(str(a) for a in args)])
    if len(data.encode("utf-8")) > MAX_BYTES or decode(data) is None:
        raise ValueError(f"invalid callback data: {data!r}")
    return data


def decode(data: str) -> Callback | None:
    """Parse button data; None when it is malformed, unknown or too long."""
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    action_str, _, rest = data.partition(":")
    try:
        action = Action(action_str)
    except ValueError:
        return None
    m = _GRAMMAR[action].fullmatch(rest)
    if m is None:
        return None
    return Callback(action=action, args=m.groups())
