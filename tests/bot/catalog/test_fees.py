"""Fees that never contradict themselves, on real portal records; the import report lists what it settled."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from bot.catalog.fees import read_fee_text, settle_fee
from bot.catalog.importer import import_catalog
from bot.catalog.model import Fee
from tests.records import portal_procedure, portal_records


def test_amounts_with_their_unit_are_read():
    reading = read_fee_text("- Lệ phí cấp mới 40.000đồng/lần; cấp lại 20.000 đồng/lần. Phí 1,500,000 VNĐ/01 Giấy phép")
    assert reading.amounts == ((40000.0, "lần"), (20000.0, "lần"), (1500000.0, "Giấy phép"))
    assert read_fee_text("Thông tư số 85/2019/TT-BTC ngày 29/11/2019").amounts == ()


def test_driving_licence_exchange_is_not_free():  # 3.000347: "Miễn phí" beside "135.000 đồng/lần"
    p = portal_procedure("3.000347")
    for way in p.ways:
        [fee] = way.fees
        assert not fee.free and fee.portal_said_free
        assert (fee.amount, fee.max_amount, fee.per) == (115000, 135000, "lần")
        assert "135.000 đồng/lần" in fee.note


def test_a_fee_set_by_the_province_is_charged_without_an_amount():  # 1.001695
    [fee] = portal_procedure("1.001695").ways[0].fees
    assert not fee.free and fee.portal_said_free and fee.amount is None
    assert fee.exemption.startswith("người thuộc gia đình có công với cách mạng")


def test_free_with_an_explaining_note_stays_free():  # 1.000894: "Miễn lệ phí. Phí cấp bản sao … theo Thông tư"
    [fee] = portal_procedure("1.000894").ways[0].fees
    assert fee.free and not fee.portal_said_free


def test_amounts_in_the_description_count_too():  # 3.000380: "Miễn phí(a)" then the amounts in the description
    fees = [f for w in portal_procedure("3.000380").ways for f in w.fees]
    assert fees and all(not f.free and f.amount is not None for f in fees)


def test_settling_leaves_clear_lines_alone():
    paid = Fee(amount=50000, per="lần")
    assert settle_fee(paid) == (paid, None)
    assert settle_fee(Fee(free=True)) == (Fee(free=True), None)


def test_the_import_report_lists_contradictions_by_code(tmp_path: Path):
    source = tmp_path / "fees.jsonl"
    codes = ("3.000347", "1.001695", "1.000894", "3.000380")
    source.write_text("\n".join(json.dumps(portal_records()[c], ensure_ascii=False) for c in codes) + "\n")
    report = import_catalog(source, tmp_path / "catalog")
    assert report.contradiction_codes(resolved=True) == {"3.000347", "3.000380"}
    assert report.contradiction_codes(resolved=False) == {"1.001695"}
    out = io.StringIO()
    report.render(Console(file=out, width=200))
    printed = out.getvalue()
    assert "Mâu thuẫn về phí" in printed and "3.000347" in printed and "135.000 đồng/lần" in printed
    assert "chưa xử lý" in printed and "1.001695" in printed
