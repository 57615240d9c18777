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
    HOME = "h"  # back to the main menu: h
    DOSSIER_SUBSCRIBE = "ds"  # follow a verified dossier: ds:<dossier id>
    DOSSIER_UNSUBSCRIBE = "du"  # stop following a dossier: du:<dossier id>
    LATE = "th"  # officers: page N of the urgent-dossier list: th:<page>
    LATE_CSV = "tc"  # officers: the whole urgent-dossier list as CSV: tc
    FEEDBACK_ASK = "fa"  # show the rating scale: fa:<p|d|g>:<procedure code | dossier id | 0>
    RATE = "fr"  # a score: fr:<p|d|g>:<ref>:<score> (any digit parses; 1–5 is checked by the handler)
    CRITERION = "fc"  # a dossier criterion: fc:<rating id>:<criterion index>:<score | x = skip>
    FEEDBACK_STEP = "fk"  # fk:<rating id>:<s skip comment | c complaint | r recommendation | g remark | y/n contact>
    REPORT_PERIOD = "rp"  # officers' report, period chosen: rp:<tw|lw|tm|lm|tq>
    REPORT_UNIT = "ru"  # officers' report for a period and unit: ru:<period>:<a = all | unit index>
    SCORECARD = "sc"  # the 766 scorecard of one's units: sc:<tm|lm|tq|lq> (this/last month, this/last quarter)
    DETAIL = "d"  # more of a section: d:<code>:<docs|steps>:<all | case index>
    AREA = "a"  # the commune/ward a citizen files in, then where to go: a:<code>:<receiving point index>
    CATALOG_CONFIRM = "cc"  # administrators: accept the catalog edit awaiting confirmation: cc:<12 hex token>
    HANDOFF_ASK = "ha"  # ask an officer, about a procedure or in general: ha:<code | 0>
    HANDOFF_CANCEL = "hx"  # withdraw a pending question: hx:<question id>
    HANDOFF_RATE = "hr"  # rate an officer's answer: hr:<question id>:<score>
    APOLOGY_DATE = "ad"  # officers' /xinloi flow: the new appointment date: ad:<yyyymmdd>
    APOLOGY_REASON = "ar"  # officers' /xinloi flow: a usual reason: ar:<reason index>


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
    DUE = "due"  # "khi nào có kết quả nếu tôi nộp hôm nay?"


class MenuItem(StrEnum):
    """Entries of the /start menu."""

    SEARCH = "search"
    DOSSIER = "dossier"
    FEEDBACK = "feedback"
    HELP = "help"


_CODE = r"\d\.\d{6}"
_FEEDBACK_REF = rf"(?<=p:){_CODE}|(?<=d:)[1-9]\d{{0,11}}|(?<=g:)0"
_GRAMMAR: dict[Action, re.Pattern[str]] = {
    Action.OPEN: re.compile(rf"({_CODE})"),
    Action.SECTION: re.compile(rf"({_CODE}):({'|'.join(s.value for s in Section)})"),
    Action.FIELDS: re.compile(r"(\d{1,3})"),
    Action.FIELD: re.compile(r"([0-9a-f]{8}):(\d{1,3})"),
    Action.MENU: re.compile(rf"({'|'.join(m.value for m in MenuItem)})"),
    Action.LANG: re.compile(r"(vi|en)"),
    Action.HOME: re.compile(r""),
    Action.DOSSIER_SUBSCRIBE: re.compile(r"([1-9]\d{0,11})"),
    Action.DOSSIER_UNSUBSCRIBE: re.compile(r"([1-9]\d{0,11})"),
    Action.LATE: re.compile(r"([1-9]\d{0,2})"),
    Action.LATE_CSV: re.compile(r""),
    # the reference must fit the kind: a procedure code after p, a dossier id after d, 0 after g
    Action.FEEDBACK_ASK: re.compile(rf"(p|d|g):({_FEEDBACK_REF})"),
    Action.RATE: re.compile(rf"(p|d|g):({_FEEDBACK_REF}):(\d)"),
    Action.CRITERION: re.compile(r"([1-9]\d{0,11}):(\d):(\d|x)"),
    Action.FEEDBACK_STEP: re.compile(r"([1-9]\d{0,11}):(s|c|r|g|y|n)"),
    Action.REPORT_PERIOD: re.compile(r"(tw|lw|tm|lm|tq)"),
    Action.REPORT_UNIT: re.compile(r"(tw|lw|tm|lm|tq):(a|\d{1,2})"),
    Action.SCORECARD: re.compile(r"(tm|lm|tq|lq)"),
    Action.DETAIL: re.compile(rf"({_CODE}):(docs|steps):(all|\d{{1,2}})"),
    Action.AREA: re.compile(rf"({_CODE}):(\d{{1,2}})"),
    Action.CATALOG_CONFIRM: re.compile(r"([0-9a-f]{12})"),
    Action.HANDOFF_ASK: re.compile(rf"({_CODE}|0)"),
    Action.HANDOFF_CANCEL: re.compile(r"([1-9]\d{0,11})"),
    Action.HANDOFF_RATE: re.compile(r"([1-9]\d{0,11}):([1-5])"),
    Action.APOLOGY_DATE: re.compile(r"(\d{8})"),
    Action.APOLOGY_REASON: re.compile(r"(\d)"),
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
