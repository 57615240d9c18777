"""Fees that do not contradict themselves: read the amounts a fee note names, and settle "Miễn phí".

The portal's fee column says "Miễn phí" for about one procedure in twenty whose note then names an
amount ("Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần") or says the fee is set elsewhere ("Mức lệ phí
cụ thể do Hội đồng nhân dân tỉnh quyết định"). :func:`settle_way` turns such a line into a paid one —
with the amounts when the note names them (resolved), without when it does not (unresolved) — and
reports each contradiction so the import report can list it by code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.catalog.model import Fee, FilingWay

_MONEY = re.compile(
    r"(?<![\d.,/])(?P<number>\d{1,3}(?:[.,]\d{3})+|\d{1,12})\s*"
    r"(?:việt nam đồng|đồng|vnđ|vnd|đ)(?!\w)"
    r"(?:\s*/\s*(?:0?1\s+)?(?P<per>[^\s\d,.;:()/][^,.;:()/\n]{0,30}))?",
    re.I,
)
_FREE_FIRST = re.compile(r"^\W*(?:miễn|không thu|không phải nộp|không mất)", re.I)
_LEVY = re.compile(
    r"mức (?:thu|phí|lệ phí)|thu (?:lệ )?phí|giá dịch vụ|"
    r"(?:lệ )?phí\b[^.;]{0,120}?\b(?:theo|tại|do)\s+(?:quy định|thông tư|nghị định|nghị quyết|quyết định|"
    r"hội đồng|biểu|mục)",
    re.I,
)
_EXEMPTION = re.compile(
    r"\b(?:miễn|không thu)\s+(?:(?:nộp\s+)?(?:lệ phí|phí|thu(?:\s+lệ phí|\s+phí)?)\s+)?(?:cho|đối với)\s+"
    r"(?P<who>[^.]{3,200})",
    re.I,
)


@dataclass(frozen=True)
class FeeContradiction:
    """A fee line whose parts disagree: resolved (the amount is known now) or not."""

    resolved: bool
    detail: str


@dataclass(frozen=True)
class FeeReading:
    """What a fee text says: amounts with their unit, who is exempted, whether it says a fee is charged."""

    amounts: tuple[tuple[float, str], ...]
    exemption: str
    levied: bool
    starts_free: bool


def to_vnd(number: str) -> float:
    """``"135.000"`` / ``"135,000"`` → 135000.0; ``"5000"`` → 5000.0."""
    return float(re.sub(r"[.,]", "", number))


def _per(raw: str | None) -> str:
    words = (raw or "").strip().split()
    return " ".join(words[:3])


def read_fee_text(text: str) -> FeeReading:
    """Amounts named in ``text`` (in order, duplicates dropped), its exemption and whether it charges."""
    amounts = tuple(dict.fromkeys((to_vnd(m.group("number")), _per(m.group("per"))) for m in _MONEY.finditer(text)))
    exemption = _EXEMPTION.search(text)
    return FeeReading(
        amounts=tuple(a for a in amounts if a[0] > 0),
        exemption=" ".join(exemption.group("who").split()).rstrip(" ;,") if exemption else "",
        levied=bool(_LEVY.search(text)),
        starts_free=bool(_FREE_FIRST.match(text)),
    )


def money_words(amount: float, per: str) -> str:
    """``135000, "lần"`` → ``"135.000 đồng/lần"`` (for the import report, always Vietnamese)."""
    text = f"{int(amount):,}".replace(",", ".") + " đồng"
    return f"{text}/{per}" if per else text


def _named(reading: FeeReading) -> str:
    return "; ".join(money_words(a, p) for a, p in reading.amounts[:4])


def _paid(reading: FeeReading, note: str, portal_said_free: bool) -> Fee:
    values = [amount for amount, _ in reading.amounts]
    pers = [per for _, per in reading.amounts]
    same_unit = all(pers) and len({per.split()[0].casefold() for per in pers}) == 1  # "lần", "lần cấp"
    return Fee(
        amount=min(values) if values else None,
        max_amount=max(values) if len(set(values)) > 1 else None,
        per=min(pers, key=len) if pers and same_unit else "",
        note=note,
        exemption=reading.exemption,
        portal_said_free=portal_said_free,
    )


def settle_fee(fee: Fee, description: str = "") -> tuple[Fee, FeeContradiction | None]:
    """A "Miễn phí" line whose note (or the filing way's description) names an amount or a charge becomes
    paid; other lines are unchanged."""
    if not fee.free or not (fee.note or description):
        return fee, None
    reading = read_fee_text(f"{fee.note} {description}".strip())
    if reading.amounts:
        return _paid(reading, fee.note or description, True), FeeContradiction(
            True, f"Cổng ghi “Miễn phí”, ghi chú nêu mức thu {_named(reading)}: hiển thị mức thu"
        )
    if reading.levied and not reading.starts_free:
        return _paid(reading, fee.note, True), FeeContradiction(
            False, "Cổng ghi “Miễn phí”, ghi chú nói có thu phí nhưng không nêu số tiền: hiển thị “có thu phí”"
        )
    return fee, None


def settle_way(way: FilingWay) -> tuple[FilingWay, list[FeeContradiction]]:
    """The filing way with its fees settled; an empty fee column whose description names an amount
    gets that amount."""
    found: list[FeeContradiction] = []
    fees: list[Fee] = []
    for fee in way.fees:
        settled, contradiction = settle_fee(fee, way.description)
        fees.append(settled)
        if contradiction:
            found.append(contradiction)
    if not way.fees:
        reading = read_fee_text(way.description)
        if reading.amounts:
            fees.append(_paid(reading, way.description, False))
            found.append(FeeContradiction(
                True, f"Cột phí để trống, phần mô tả nêu mức thu {_named(reading)}: hiển thị mức thu"))
    return way.model_copy(update={"fees": fees}), found
