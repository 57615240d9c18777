"""Grouping the same procedure published at several levels into one result."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.catalog.model import Level, Procedure
from bot.search.normalize import clean, fold

_LEVEL = r"(?:tinh|xa|bo|huyen|trung uong|tw)"
_QUALIFIERS = re.compile(
    rf"\(\s*(?:thuc hien\s+(?:tai|o)\s+)?cap\s+{_LEVEL}(?:\s*,\s*cap\s+{_LEVEL})*\s*\)"
    rf"|\bthuc hien\s+tai\s+cap\s+{_LEVEL}(?:\s*,\s*cap\s+{_LEVEL})*"
    r"|(?:\btai\s+viet\s+nam\s+)?\btai\s+cong an\s+cap\s+tinh\b"
    # the immigration office that files it at each level: "tại Cục Quản lý xuất nhập cảnh, Bộ Công an" / "tại Phòng
    # Quản lý xuất nhập cảnh Công an tỉnh, thành phố trực thuộc trung ương" ("tại Việt Nam" before it: where it holds)
    r"|(?:\btai\s+viet\s+nam\s+)?\btai\s+(?:cuc|phong)\s+quan ly\s+xuat nhap canh\b[^()]*$"
    # the procedure's own code the portal left in a few names: "Cấp giấy phép môi trường (cấp Bộ) (1.010719)"
    r"|\(\s*\d\.\d{6}\s*\)"
)
_PREFIX = re.compile(r"^\s*thu tuc\s+")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def strip_levels(name: str) -> str:
    """The name (cleaned, lowercase, diacritics kept) without qualifiers like "(thực hiện tại cấp tỉnh)"."""
    cleaned = clean(name)
    folded = fold(cleaned)
    if len(folded) != len(cleaned):  # rare: a character without a one-letter folded form
        folded = "".join(f if len(f := fold(c)) == 1 else c for c in cleaned)
    out, last = [], 0
    for m in _QUALIFIERS.finditer(folded):
        out.append(cleaned[last : m.start()])
        last = m.end()
    out.append(cleaned[last:])
    return " ".join("".join(out).split())


def group_key(name: str) -> str:
    """The procedure name folded, without level qualifiers and a leading "Thủ tục"."""
    text = _PREFIX.sub("", fold(strip_levels(name)))
    return _NON_WORD.sub(" ", text).strip()


def level_rank(levels: Sequence[Level], preferred: Sequence[Level]) -> int:
    """0 for the first preferred level, 1 for the next…, len(preferred) when none is preferred."""
    ranks = [preferred.index(lv) for lv in levels if lv in preferred]
    return min(ranks) if ranks else len(preferred)


def pick_representative(
    variants: Sequence[Procedure], preferred: Sequence[Level], for_people: Callable[[Procedure], bool]
) -> Procedure:
    """The variant an office serving ``preferred`` levels would present to a citizen: one that people file
    (``for_people``) before one only organisations file — the same land procedure is filed by households at the
    commune and by companies at the province — then by level (ties: shortest name, code)."""
    return min(variants, key=lambda p: (not for_people(p), level_rank(p.levels, preferred), len(p.name), p.code))


def pick_for_organisations(
    variants: Sequence[Procedure], preferred: Sequence[Level], for_people: Callable[[Procedure], bool]
) -> Procedure:
    """The variant presented when the message says an organisation asks: at a level served here, one only
    organisations file before one people file too (the company's land allocation at the province rather than the
    household's at the commune), then by level as :func:`pick_representative`."""
    served = len(preferred)
    return min(variants, key=lambda p: (level_rank(p.levels, preferred) == served, for_people(p),
                                        level_rank(p.levels, preferred), len(p.name), p.code))


def pick_at_commune(
    variants: Sequence[Procedure], representative: Procedure, for_people: Callable[[Procedure], bool]
) -> Procedure:
    """The variant presented when the message names the commune's own authorities ("UBND xã ra quyết định"): the
    representative when it is filed at the commune, else a variant filed there (people's first), else the
    representative."""
    if Level.COMMUNE in representative.levels:
        return representative
    at_commune = [p for p in variants if Level.COMMUNE in p.levels]
    return min(at_commune, key=lambda p: (not for_people(p), len(p.name), p.code)) if at_commune else representative
