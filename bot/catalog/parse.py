"""Parsers for the flattened tables of the national portal (cách thức, thành phần hồ sơ, căn cứ, …).

Every parser returns a :class:`Parsed` value: the structure it could build, the text it could not
structure (``leftover``, kept by the caller in ``Procedure.raw``) and the names of the fallbacks it had
to take (``fallbacks``, counted in the import report). Parsers never raise on odd input.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.catalog.documents import classify_documents
from bot.catalog.model import Channel, Document, Duration, Fee, FilingWay, LegalBasis, Level, TimeUnit
from bot.catalog.text import LOWER, NO_INFO, UPPER, is_blank, one_line, split_portal_noise, squash

T = TypeVar("T")


@dataclass
class Parsed(Generic[T]):
    """A parser's result: the structured value, unparsed leftover text and fallback names."""

    value: T
    leftover: str = ""
    fallbacks: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- cách thức thực hiện

WAYS_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
_CHANNELS = {"Trực tiếp": Channel.IN_PERSON, "Trực tuyến": Channel.ONLINE, "Dịch vụ bưu chính": Channel.POST}
_UNITS = {
    "ngày làm việc": TimeUnit.WORKING_DAYS,
    "ngày": TimeUnit.DAYS,
    "giờ": TimeUnit.HOURS,
    "tháng": TimeUnit.MONTHS,
}
_CURRENCIES = {"việt nam đồng": "VND", "vnđ": "VND", "đồng": "VND", "usd": "USD", "eur": "EUR"}

# A row starts where a channel name is glued to the time column (a digit or "Không …").
_ROW_START = re.compile(r"(Trực tiếp|Trực tuyến|Dịch vụ bưu chính)(?=\d|Không)")
_TIME_WITH_UNIT = re.compile(r"(\d+(?:[.,]\d+)?) ?(Ngày làm việc|Ngày|Giờ|Tháng)", re.I)
_CURRENCY = r"(Việt Nam Đồng|VNĐ|USD|EUR|Đồng)"
_FEE_AT = re.compile(r"(\d[\d,.]*) ?" + _CURRENCY)
_FEE_START = re.compile(r"Miễn phí|" + NO_INFO + r"|\d[\d,.]* ?" + _CURRENCY)
_FEE_NUMBER = re.compile(r"(?:[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*|0)")
_PER = re.compile(r"^(?:đồng|vnđ|việt nam đồng)?\s*/\s*([^()/]{1,40}?)\s*(?:\((.*))?$", re.I | re.S)


def parse_ways(text: str) -> Parsed[list[FilingWay]]:
    """Parse "cách thức thực hiện" into filing ways (channel, processing time, fees, description)."""
    body = text[len(WAYS_HEADER) :] if text.startswith(WAYS_HEADER) else text
    starts = list(_ROW_START.finditer(body))
    if not starts:
        blank = is_blank(body)
        return Parsed([], "" if blank else squash(text), [] if blank else ["ways"])
    result: Parsed[list[FilingWay]] = Parsed([])
    result.leftover = squash(body[: starts[0].start()])
    if result.leftover:
        result.fallbacks.append("ways")
    for i, start in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        way = _parse_way_row(_CHANNELS[start.group(1)], body[start.end() : end], result.fallbacks)
        result.value.append(way)
    return result


def _parse_way_row(channel: Channel, row: str, fallbacks: list[str]) -> FilingWay:
    time, rest = _split_time(row, fallbacks)
    fees, description = _split_fees(rest, fallbacks)
    return FilingWay(channel=channel, time=time, fees=fees, description=squash(description))


def _split_time(row: str, fallbacks: list[str]) -> tuple[Duration, str]:
    """Read the time column at the start of a row; return it and the rest of the row."""
    if row.startswith(NO_INFO):
        return Duration(text=NO_INFO), row[len(NO_INFO) :]
    with_unit = _TIME_WITH_UNIT.match(row)
    if with_unit:
        amount = float(with_unit.group(1).replace(",", "."))
        unit = _UNITS[with_unit.group(2).lower()]
        return Duration(amount=amount, unit=unit, text=with_unit.group(0)), row[with_unit.end() :]
    digits = re.match(r"\d[\d,.]*", row)
    if digits:
        return _split_unitless_time(row, digits.group(0), fallbacks)
    fee = _FEE_START.search(row)
    if fee and 0 < fee.start() <= 120:  # a free-text time like "Không quy định"
        fallbacks.append("ways.time")
        return Duration(text=one_line(row[: fee.start()])), row[fee.start() :]
    fallbacks.append("ways.time")
    return Duration(), row


def _split_unitless_time(row: str, run: str, fallbacks: list[str]) -> tuple[Duration, str]:
    """A time given as a bare number ("1"); the portal glues it to the fee ("120,000 VNĐ" = 1 + 20,000)."""
    fallbacks.append("ways.time_unit")
    after = row[len(run) :]
    if re.match(r" ?" + _CURRENCY, after):
        for cut in range(1, len(run)):
            if _FEE_NUMBER.fullmatch(run[cut:]) and re.fullmatch(r"\d+", run[:cut]):
                return Duration(amount=float(run[:cut]), text=run[:cut]), row[cut:]
    number = run.rstrip(".,")
    try:
        amount: float | None = float(number.replace(",", "."))
    except ValueError:
        amount = None
    return Duration(amount=amount, text=number), row[len(number) :]


def _split_fees(rest: str, fallbacks: list[str]) -> tuple[list[Fee], str]:
    """Read the fee column (one fee and its note in parentheses); return fees and the description."""
    if rest.startswith("Miễn phí"):
        note, description = _take_note(rest[len("Miễn phí") :])
        return [Fee(free=True, note=note)], description
    if rest.startswith(NO_INFO):
        return [], rest[len(NO_INFO) :]
    match = _FEE_AT.match(rest)
    if not match:
        fallbacks.append("ways.fee")
        return [], rest
    note, description = _take_note(rest[match.end() :])
    per, note = _split_per(note)
    amount = _to_amount(match.group(1))
    if amount is None:
        fallbacks.append("ways.fee")
        note = one_line(f"{match.group(0)} {note}")
    currency = _CURRENCIES[match.group(2).lower()]
    if currency == "VND" and amount is not None and _in_thousands(amount, note):
        amount *= 1000
        fallbacks.append("ways.fee_thousands")
    return [Fee(amount=amount, currency=currency, per=per, note=note)], description


def _in_thousands(amount: float, note: str) -> bool:
    """The portal sometimes gives VND fees in thousands: ``100 VNĐ(… 100.000 đồng/lần)``."""
    if not 0 < amount < 1000 or amount != int(amount):
        return False
    return re.search(rf"(?<![\d.,]){int(amount)}[.,]000(?![\d.,]\d)", note) is not None


def _to_amount(number: str) -> float | None:
    """``150,000`` → 150000.0; ``1.500.000`` → 1500000.0; anything else → None."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", number):
        return float(number.replace(",", ""))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", number):
        return float(number.replace(".", ""))
    return None


def _take_note(text: str) -> tuple[str, str]:
    """Split a parenthesised note off the start of ``text``; return (note without outer parens, rest).

    The portal's parentheses are often unbalanced; the note then ends where the nesting depth first
    reaches its lowest level after the opening parenthesis.
    """
    if not text.startswith("("):
        return "", text
    depth, lowest, lowest_at = 0, None, len(text)
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return _strip_parens(text[: i + 1]), text[i + 1 :]
            if lowest is None or depth < lowest:
                lowest, lowest_at = depth, i + 1
    return _strip_parens(text[:lowest_at]), text[lowest_at:]


def _strip_parens(note: str) -> str:
    note = one_line(note)
    while note.startswith("(") and note.endswith(")") and _balanced(note[1:-1]):
        note = note[1:-1].strip()
    if note.startswith("(") and note.count("(") > note.count(")"):
        note = note[1:].strip()
    note = re.sub(r"^(?:Đồng|VNĐ)\b\s*", "", note)
    return "" if is_blank(note) else note


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _split_per(note: str) -> tuple[str, str]:
    """``/trang`` → ("trang", ""); ``đồng/lần(Lệ phí …)`` → ("lần", "Lệ phí …")."""
    match = _PER.match(note)
    if not match:
        return "", note
    rest = (match.group(2) or "").strip()
    if rest.endswith(")") and rest.count(")") > rest.count("("):
        rest = rest[:-1].strip()
    return match.group(1).strip(), rest


# --------------------------------------------------------------------------- thành phần hồ sơ

DOCS_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
# Quantity column: one digit of originals (the portal glues it to the name: "…ngày 01/01/20261 bản chính"),
# optional copies; it ends a row only when followed by the next row (no space) or the end of the text.
_QUANTITY = re.compile(r"(\d) bản chính(?:,(\d+) bản sao)?(?=$|[^\s;:,.])")
_FORM_EXT = re.compile(r"\.(?:docx|doc|pdf|xlsx|xls|rtf|odt)", re.I)
_FORM_WORD = re.compile(
    rf"(?<=[{LOWER}{UPPER}.;:)])(?=(?:Mẫu|Mau|Phụ lục|PHỤ LỤC|Phu luc|PL|Biểu mẫu|TTHC|TK|Tờ khai|Don|Đơn)\W?)"
)
_STRONG = re.compile(r"[;)](?=\S)")
_GLUED = re.compile(rf"(?<=[{LOWER}.])(?=[{UPPER}0-9])")
_GROUP_NOISE = re.compile(r"^[-\s*]+|[-\s]+$")


def parse_documents(text: str) -> Parsed[list[Document]]:
    """Parse "thành phần hồ sơ" into documents with group, form file, originals and copies, each classified
    by :func:`bot.catalog.documents.classify` (form, submit, show or note; its case)."""
    parts = text.split(DOCS_HEADER)
    if len(parts) == 1:
        blank = is_blank(text)
        return Parsed([], "" if blank else squash(text), [] if blank else ["documents"])
    result: Parsed[list[Document]] = Parsed([])
    group = _group_label(parts[0])
    leftovers: list[str] = []
    for index, part in enumerate(parts[1:], start=1):
        tail = _parse_document_rows(part, group, result)
        if index + 1 < len(parts):
            group = _group_label(tail)
        elif _group_label(tail):
            leftovers.append(squash(tail))
    if leftovers:
        result.leftover = "\n".join(leftovers)
        result.fallbacks.append("documents")
    result.value = classify_documents(result.value)
    return result


def _group_label(text: str) -> str:
    return _GROUP_NOISE.sub("", one_line(text))


def _parse_document_rows(part: str, group: str, result: Parsed[list[Document]]) -> str:
    """Append the rows of one table to ``result``; return the text after the last quantity."""
    position = 0
    for quantity in _QUANTITY.finditer(part):
        cell = part[position : quantity.start()]
        position = quantity.end()
        if not cell.strip() and result.value and result.value[-1].group == group:
            # "…: 01 bản chính1 bản chính": the previous "quantity" was text of the previous name.
            previous = result.value.pop()
            cell = f"{previous.name} {previous.quantity_text}"
            if previous.form:
                cell = f"{cell}{previous.form}"
        result.value.append(_document(cell, quantity, group, result.fallbacks))
    return part[position:]


def _document(cell: str, quantity: re.Match[str], group: str, fallbacks: list[str]) -> Document:
    name, form = _split_form(cell)
    name = one_line(name)
    if not name:
        name, form = (form or quantity.group(0)), ""
        fallbacks.append("documents.name")
    copies = int(quantity.group(2)) if quantity.group(2) is not None else None
    return Document(
        name=name,
        group=group,
        form=form,
        originals=int(quantity.group(1)),
        copies=copies,
        quantity_text=quantity.group(0),
    )


def _split_form(cell: str) -> tuple[str, str]:
    """Split the form file names (middle column) off the end of a document cell."""
    cell = cell.rstrip()
    ends = [m.end() for m in _FORM_EXT.finditer(cell)]
    if not ends or ends[-1] != len(cell):
        return cell, ""
    first_end = ends[0]
    start = _form_start(cell[:first_end])
    if start is None:
        return cell, ""
    forms = [cell[start:first_end]]
    forms += [cell[a:b] for a, b in itertools.pairwise(ends)]
    return cell[:start], "; ".join(one_line(f).lstrip(".;:- ") for f in forms if f.strip())


def _form_start(text: str) -> int | None:
    """Where the first form file name begins in ``text`` (which ends with its extension)."""
    window = max(0, len(text) - 160)
    stem_end = text.rfind(".")
    strong = [m.end() for m in _STRONG.finditer(text, window) if m.end() < stem_end]
    if strong:
        return strong[-1]
    for pattern in (_FORM_WORD, _GLUED):
        found = [m.start() for m in pattern.finditer(text, window) if 0 < m.start() < stem_end]
        if found:
            return found[0]
    return None


# --------------------------------------------------------------------------- căn cứ pháp lý

LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
# Issuer part of a number: "NĐ-CP", "QĐ-TTg", "QH13", "PL-UBTVQH11", "TTLT/BQP-BLĐTBXH-BTC".
_ISSUER = r"(?:TTg|[A-ZĐƯ]*QH\d{2}|[A-ZĐƯ]+)"
_NUMBER = re.compile(
    r"(?:(?P<kind>Luật|Nghị định|Thông tư liên tịch|Thông tư|Nghị quyết|Quyết định|Pháp lệnh|Văn bản hợp nhất)"
    r"(?: số)? ?)?"
    r"(?P<number>\d+(?:\.\d+)?/(?:\d{4}/)?{token}(?:[-/]{token})*(?![{lower}]))".replace("{token}", _ISSUER).replace(
        "{lower}", LOWER
    )
)


def parse_legal_basis(text: str) -> Parsed[list[LegalBasis]]:
    """Parse "căn cứ pháp lý" into (number, title) pairs."""
    body = text[len(LEGAL_HEADER) :] if text.startswith(LEGAL_HEADER) else text
    if is_blank(body):
        return Parsed([])
    result: Parsed[list[LegalBasis]] = Parsed([])
    position = 0
    for match in _NUMBER.finditer(body):
        after = body[match.end() :]
        if after and (after[0].isdigit() or after[0] in ",;" or re.match(rf"\s+[-–:{LOWER}(]", after)):
            continue  # the number is part of a title ("Luật 54/2014/QH13" before its own code column)
        title = one_line(body[position : match.start()]).rstrip(" -:")
        title = title or match.group("kind") or ""  # "Nghị định76/2012/NĐ-CP": the title is the kind
        result.value.append(LegalBasis(number=match.group("number"), title=title))
        position = match.end()
    tail = squash(body[position:])
    if tail:
        result.leftover = tail
        result.fallbacks.append("legal_basis")
    return result


# --------------------------------------------------------------------------- other fields

_RESULT_CODE = re.compile(r"Mã: ?KQ(?:[.A-Z]*\d+)*")


def parse_result(text: str) -> Parsed[str]:
    """The clean result document name(s), without the portal's ``Mã: KQ…`` and page noise."""
    value, keywords, description = split_portal_noise(text)
    names = [one_line(n) for n in _RESULT_CODE.split(value)]
    result = Parsed("; ".join(n for n in names if n and not is_blank(n)))
    result.leftover = "\n".join(x for x in (keywords and f"Từ khóa: {keywords}", description) if x)
    return result


def parse_levels(text: str) -> Parsed[list[Level]]:
    """``"Cấp bộ, Cấp tỉnh"`` → [Level.MINISTRY, Level.PROVINCE]; unknown parts are left over."""
    known = {level.value.casefold(): level for level in Level}
    levels: list[Level] = []
    unknown: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        level = known.get(part.casefold())
        if level is None:
            unknown.append(part)
        elif level not in levels:
            levels.append(level)
    result = Parsed(levels, ", ".join(unknown))
    if unknown or not levels:
        result.fallbacks.append("levels")
    return result


def clean_text(text: str) -> str:
    """Free text with portal noise removed; "" for the "Không có thông tin" placeholder."""
    value, _, _ = split_portal_noise(text)
    value = squash(value)
    return "" if is_blank(value) else value
