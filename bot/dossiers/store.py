"""Looking up a dossier by code and checking a citizen's verification answer (short or stronger)."""

from __future__ import annotations

import re

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session, joinedload

from bot.dossiers.models import Dossier, Subscription
from bot.dossiers.values import normalise_code
from bot.security import digest, matches, normalise_id, normalise_phone

METHODS = ("phone_last4", "id_number", "either")
STRONG_METHODS = ("id_number", "phone_birth_year")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_NON_DIGIT = re.compile(r"\D+")


def find_by_code(session: Session, code: str) -> Dossier | None:
    """The dossier with this code (spaces and letter case in the citizen's text do not matter)."""
    wanted = normalise_code(code)
    if not wanted:
        return None
    return session.execute(select(Dossier).where(Dossier.code == wanted)).scalar_one_or_none()


def find_for_chat(session: Session, code: str, channel: str, chat_id: str) -> tuple[Dossier, bool] | None:
    """The dossier with this code, its apologies and whether this chat follows it — in one query."""
    wanted = normalise_code(code)
    if not wanted:
        return None
    row = session.execute(_FOR_CHAT, {"code": wanted, "channel": channel, "chat_id": chat_id}).unique().one_or_none()
    return None if row is None else (row[0], bool(row[1]))


# built once: a chat turn should not pay for assembling the same expression again
_FOR_CHAT = (
    select(Dossier, exists().where(Subscription.dossier_id == Dossier.id, Subscription.active.is_(True),
                                   Subscription.channel == bindparam("channel"),
                                   Subscription.chat_id == bindparam("chat_id")))
    .options(joinedload(Dossier.apologies))
    .where(Dossier.code == bindparam("code"))
)  # fmt: skip


def _phone_answer(answer: str, key: bytes) -> str:
    digits = normalise_phone(answer)
    return digest(digits[-4:], "phone_last4", key) if len(digits) >= 4 else ""


def _id_answer(answer: str, key: bytes) -> str:
    value = normalise_id(answer)
    return digest(value, "id_number", key) if value else ""


def verify(dossier: Dossier, answer: str, method: str, key: bytes) -> bool:
    """Whether ``answer`` proves the citizen owns ``dossier``; constant-time comparison of digests.

    ``method`` is ``phone_last4`` (the last 4 digits; a whole phone number also works), ``id_number``
    or ``either``."""
    if method not in METHODS:
        raise ValueError(f"unknown verification method {method!r}")
    ok = False
    if method in ("phone_last4", "either"):
        ok |= matches(dossier.phone_digest, _phone_answer(answer, key))
    if method in ("id_number", "either"):
        ok |= matches(dossier.id_number_digest, _id_answer(answer, key))
    return ok


def birth_year(text: str) -> str:
    """The year of birth in an export's value (``1985``, ``12/03/1985``, ``1985-03-12``), or ''."""
    found = _YEAR.findall(text or "")
    return found[-1] if found else ""


def phone_year_digest(phone: str, year: str, key: bytes) -> str:
    """Keyed hash of the full phone number and the year of birth together ('' if either is missing)."""
    digits, year = normalise_phone(phone), birth_year(year)
    return digest(f"{digits}|{year}", "phone_birth_year", key) if len(digits) >= 9 and year else ""


def _split_phone_year(answer: str) -> tuple[str, str] | None:
    """``0912 345 678 1985`` or ``1985 0912345678`` → (phone, year); None when it is not that shape."""
    digits = _NON_DIGIT.sub("", answer)
    if not 13 <= len(digits) <= 16:
        return None
    for phone, year in ((digits[:-4], digits[-4:]), (digits[4:], digits[:4])):
        if _YEAR.fullmatch(year) and 9 <= len(normalise_phone(phone)) <= 11:
            return phone, year
    return None


def is_strong(answer: str, method: str) -> bool:
    """Whether ``answer`` has the shape of the stronger answer (a 9- or 12-digit ID; phone + year)."""
    if method == "id_number":
        value = normalise_id(answer)
        return value.isdigit() and len(value) in (9, 12)
    return _split_phone_year(answer) is not None


def verify_strong(dossier: Dossier, answer: str, method: str, key: bytes) -> bool:
    """Whether the stronger ``answer`` proves the citizen owns ``dossier`` (constant-time comparison)."""
    if method not in STRONG_METHODS:
        raise ValueError(f"unknown stronger verification {method!r}")
    if method == "id_number":
        return matches(dossier.id_number_digest, _id_answer(answer, key))
    parts = _split_phone_year(answer)
    candidate = phone_year_digest(*parts, key) if parts is not None else ""
    return matches(dossier.phone_year_digest, candidate)
