"""Turn one portal record (all string fields) into a :class:`Procedure`, keeping unparsed text in ``raw``."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.catalog.fees import FeeContradiction, settle_way
from bot.catalog.model import Channel, FilingWay, Level, OnlineMode, Procedure
from bot.catalog.parse import (
    clean_text,
    parse_documents,
    parse_legal_basis,
    parse_levels,
    parse_result,
    parse_ways,
)
from bot.catalog.steps import parse_steps_text
from bot.catalog.text import fold, is_blank, one_line, split_portal_noise
from bot.catalog.timing import time_notes

_FULL_ONLINE = re.compile(r"(?<!không )(?<!chưa )(?<!chưa đủ điều kiện )toàn trình", re.I)


@dataclass
class Built:
    """A procedure built from a record, with the fallbacks taken while parsing it and the fee
    contradictions found (and, where possible, resolved) in its filing ways."""

    procedure: Procedure
    fallbacks: list[str] = field(default_factory=list)
    contradictions: list[FeeContradiction] = field(default_factory=list)


def agency(text: str) -> str:
    """Agency text, with "Không có thông tin" and empty values as ""."""
    return "" if is_blank(text) else " ".join(text.split())


def online_mode(ways: list[FilingWay], parsed: bool, *texts: str) -> OnlineMode | None:
    """FULL when the record says "toàn trình", PARTIAL when online filing is offered, NONE when not."""
    if not parsed:
        return None
    if not any(w.channel == Channel.ONLINE for w in ways):
        return OnlineMode.NONE
    if any(_FULL_ONLINE.search(t) for t in texts):
        return OnlineMode.FULL
    return OnlineMode.PARTIAL


def build_procedure(record: Mapping[str, str]) -> Built:
    """Build the procedure for one record; every source value ends up structured or in ``raw``."""

    def get(key: str) -> str:
        return str(record.get(key) or "")

    raw: dict[str, str] = {}
    fallbacks: list[str] = []

    def keep(key: str, parsed_leftover: str, parsed_fallbacks: Iterable[str]) -> None:
        fallbacks.extend(parsed_fallbacks)
        if parsed_leftover:
            raw[key] = parsed_leftover

    ways = parse_ways(get("cach_thuc_thuc_hien"))
    keep("cach_thuc_thuc_hien", ways.leftover, ways.fallbacks)
    settled = [settle_way(way) for way in ways.value]
    contradictions = list(dict.fromkeys(c for _, found in settled for c in found))
    documents = parse_documents(get("thanh_phan_ho_so"))
    keep("thanh_phan_ho_so", documents.leftover, documents.fallbacks)
    legal = parse_legal_basis(get("can_cu_phap_ly"))
    keep("can_cu_phap_ly", legal.leftover, legal.fallbacks)
    steps = parse_steps_text(get("trinh_tu_thuc_hien"))
    result = parse_result(get("ket_qua_xu_ly"))
    keep("ket_qua_xu_ly", result.leftover, result.fallbacks)
    levels = parse_levels(get("cap_thuc_hien"))
    keep("cap_thuc_hien", levels.leftover, levels.fallbacks)

    _, keywords, description = split_portal_noise(get("yeu_cau_dieu_kien"))
    if keywords or description:
        raw["yeu_cau_dieu_kien.portal"] = "\n".join(x for x in (keywords, description) if x)
    for key in ("co_quan_duoc_uy_quyen", "co_quan_phoi_hop", "formality_id"):
        if not is_blank(get(key)):
            raw[key] = one_line(get(key))

    name = clean_name(get("ten_thu_tuc"))
    field_name = one_line(get("linh_vuc"))
    if not field_name:
        fallbacks.append("field")
    mode = online_mode(ways.value, bool(ways.value), get("cach_thuc_thuc_hien"), get("trinh_tu_thuc_hien"))
    procedure = Procedure(
        code=get("ma_thu_tuc").strip(),
        name=name if len(name) >= 3 else f"{name or '?'} (tên chưa rõ)",
        levels=levels.value or [Level("Cơ quan khác")],
        field=field_name or "Khác",
        applicants=clean_text(get("doi_tuong_thuc_hien")),
        agency=agency(get("co_quan_thuc_hien")),
        competent_agency=agency(get("co_quan_co_tham_quyen")),
        address=clean_text(get("dia_chi_tiep_nhan")),
        ways=[way for way, _ in settled],
        online_mode=mode,
        documents=documents.value,
        steps=steps.steps,
        step_notes=steps.notes,
        time_notes=time_notes(ways.value, get("trinh_tu_thuc_hien")),
        legal_basis=legal.value,
        conditions=clean_text(get("yeu_cau_dieu_kien")),
        result=result.value,
        related=clean_text(get("thu_tuc_lien_quan")),
        decision=one_line(get("so_quyet_dinh")),
        kind=one_line(get("loai_thu_tuc")),
        portal_url=get("detail_url").strip(),
        ministry=one_line(get("source_ministry")),
        flags=name_flags(get("ten_thu_tuc"), field_name),
        raw=raw,
    )
    return Built(procedure, fallbacks, contradictions)


def clean_name(name: str) -> str:
    """The name on one line; a name whose lines repeat ("A\nA") keeps each line once."""
    lines = [one_line(x) for x in name.split("\n") if x.strip()]
    return " ".join(dict.fromkeys(lines))


_WRONG_NAMES = ("công bố danh mục và quy trình nội bộ", "quy trình nội bộ thủ tục hành chính")


def name_flags(name: str, field_name: str) -> list[str]:
    """Flags for a name that looks wrong at the source (judged on this record alone)."""
    flags: list[str] = []
    folded = fold(one_line(name))
    if any(fold(w) in folded for w in _WRONG_NAMES):
        flags.append("suspicious_name")
    if "\n" in name.strip():
        flags.append("name_has_newlines")
    if len(one_line(name)) < 12:
        flags.append("short_name")
    lines = [one_line(x) for x in name.split("\n") if x.strip()]
    if len(lines) > 1 and len(set(lines)) < len(lines):
        flags.append("repeated_name")
    return flags


def duplicate_name_codes(procedures: Iterable[Procedure]) -> dict[str, list[str]]:
    """Names used by more than one code, mapped to their codes (sorted)."""
    by_name: dict[str, list[str]] = {}
    for p in procedures:
        by_name.setdefault(fold(p.name), []).append(p.code)
    counts = Counter({k: len(v) for k, v in by_name.items()})
    return {k: sorted(by_name[k]) for k, n in counts.items() if n > 1}
