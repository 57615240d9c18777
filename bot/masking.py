"""Masking personal data: chat ids in logs, phones and ID numbers in text, applicants' names on screen,
and the one logging filter that scrubs every log record (``install_log_filter``)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets

_PHONE_RE = re.compile(r"(?<!\d)(\+?84|0)(\d{2})\d{4,6}(\d{2})(?!\d)")
_ID_RE = re.compile(r"(?<!\d)\d{9,12}(?!\d)")


#: Library loggers the filter is installed on besides the root logger (and the root's handlers).
LIBRARY_LOGGERS = ("httpx", "httpcore", "aiohttp", "telegram", "sqlalchemy", "uvicorn", "uvicorn.error",
                   "uvicorn.access", "apscheduler", "alembic")
_pseudonym_key = [secrets.token_bytes(32)]  # replaced by the server secret at start-up (set_pseudonym_key)


def set_pseudonym_key(key: bytes) -> None:
    """Use ``key`` (the server secret) for chat pseudonyms, so one chat has one tag in every process."""
    _pseudonym_key[0] = key


def mask_id(value: str) -> str:
    """A stable pseudonym for a chat or user id: a keyed HMAC (server secret), same chat → same tag."""
    return "u" + hmac.new(_pseudonym_key[0], value.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def mask_text(text: str) -> str:
    """Hide phone numbers and ID-card numbers in free text."""
    text = _PHONE_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(3)}", text)
    return _ID_RE.sub(lambda m: m.group(0)[:2] + "*" * (len(m.group(0)) - 4) + m.group(0)[-2:], text)


def mask_name(name: str) -> str:
    """``Nguyễn Văn An`` → ``Nguyễn V** A**``: the family name and initials only."""
    words = name.split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0][0] + "**"
    return " ".join([words[0], *(w[0] + "**" for w in words[1:])])


# "text": "…", 'first_name': '…' (JSON and Python reprs of platform updates and API calls)
_QUOTED = r"""(?:'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")"""
_PERSONAL_KEYS = (r"(?:first_name|last_name|username|full_name|display_name|name|text|caption|message|title|"
                  r"phone(?:_number)?|contact|answer|comment|applicant_name|email|address|query|data)")
_FIELD_RE = re.compile(r"""(?P<q>['"])(?P<k>""" + _PERSONAL_KEYS + r""")(?P=q)(?P<sep>\s*:\s*)""" + _QUOTED)
_KWARG_RE = re.compile(r"\b(" + _PERSONAL_KEYS + r")=" + _QUOTED)
_TOKEN_RE = re.compile(r"bot\d+:[\w-]{20,}|\b((?:access|refresh)_token|secret(?:_key)?|code_verifier)=[^&\s\"']+")
_DIGIT_RUN_RE = re.compile(r"(?<!\w)\+?\d(?:[ .\-]?\d){3,}(?!\w)")
_KEEP_RE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}|\d{4}-\d\d-\d\d|\d\d?\.\d+")  # IPv4, ISO date, decimals


def _digits(match: re.Match[str]) -> str:
    run = match.group(0)
    return run if _KEEP_RE.fullmatch(run) else "#" * 4


def scrub(text: str) -> str:
    """A log line without personal data: quoted personal fields emptied, tokens hidden, every run of four or
    more digits (phones, ID numbers, verification answers, chat ids) replaced by ``####``."""
    text = _FIELD_RE.sub(lambda m: f"{m['q']}{m['k']}{m['q']}{m['sep']}'***'", text)
    text = _KWARG_RE.sub(lambda m: f"{m.group(1)}='***'", text)
    text = _TOKEN_RE.sub(lambda m: f"{m.group(1)}=***" if m.group(1) else "bot***", text)
    return _DIGIT_RUN_RE.sub(_digits, text)


class PersonalDataFilter(logging.Filter):
    """Rewrites every record it sees (message, arguments and exception text) through ``scrub``."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template only
            message = str(record.msg)
        if record.name.startswith("sqlalchemy.engine") and message.startswith("Row "):
            message = "Row [result values hidden]"  # rows hold names, complaint texts, contacts
        record.msg, record.args = scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


_FILTER = PersonalDataFilter()


def install_log_filter(key: bytes | None = None) -> PersonalDataFilter:
    """Install the filter on the root logger, its handlers, the library loggers and their handlers.

    Handler filters see every record that propagates to them, whatever logger wrote it; logger filters
    cover loggers with handlers of their own (uvicorn's). Call again after adding handlers (idempotent)."""
    if key is not None:
        set_pseudonym_key(key)
    names = {"", *LIBRARY_LOGGERS}
    names |= {n for n in logging.root.manager.loggerDict if n.split(".")[0] in LIBRARY_LOGGERS}
    for name in sorted(names):
        logger = logging.getLogger(name)
        for target in (logger, *logger.handlers):
            if _FILTER not in target.filters:
                target.addFilter(_FILTER)
    return _FILTER


def remove_log_filter() -> None:
    """Take the filter off every logger and handler again (tests)."""
    for name in ["", *logging.root.manager.loggerDict]:
        logger = logging.getLogger(name)
        for target in (logger, *logger.handlers):
            target.removeFilter(_FILTER)
