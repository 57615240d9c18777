"""Recognising dossier codes, and the flow never failing whatever a user types."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.contract.messages import Kind
from handlers.dossier import find_code, mask_name, parse_code
from tests.handlers.dossier.conftest import CODE


@pytest.mark.parametrize(("text", "code"), [
    ("000.00.12.H12-250101-0001", "000.00.12.H12-250101-0001"),
    ("h12.22-250101-0001", "H12.22-250101-0001"),
    ("tra cứu hồ sơ G22.28-241203-0001 giúp tôi", "G22.28-241203-0001"),
    ("mã hồ sơ: 000.00.30.H56 – 230101 – 0001.", "000.00.30.H56-230101-0001"),
])
def test_codes_are_found_in_free_text(text, code):
    assert find_code(text) == code


@pytest.mark.parametrize("text", [
    "1.001193", "thủ tục 1.001193", "2.000815 phí bao nhiêu", "0912-345-678", "0912345678", "15/01/2025",
    "2024-01-01", "dk ket hon 2024-01-01", "làm căn cước cho con", "cấp lại sổ đỏ", "https://dichvucong.gov.vn/p/1-2",
    "abc-def-ghi", "", "   ",
])
def test_questions_dates_phones_and_procedure_codes_are_not_codes(text):
    assert find_code(text) is None


def test_parse_code_is_lenient_but_bounded():
    assert parse_code(" hs 2024 - 000123 ") == "HS2024-000123"
    assert parse_code("1.001193") is None
    assert parse_code("kết hôn") is None
    assert parse_code("abcd") is None
    assert parse_code("A1" * 40) is None  # longer than 64 characters


def test_mask_name():
    assert mask_name("Nguyễn Văn An") == "Nguyễn V** A**"
    assert mask_name("  Lê   Thị  Bích Ngọc ") == "Lê T** B** N**"
    assert mask_name("Hoa") == "H**"
    assert mask_name("") == ""


_chat_ids = itertools.count()
_messages = st.one_of(
    st.text(max_size=120),
    st.sampled_from([CODE, CODE.lower(), "5678", "0000", "001090012345", "/hoso", f"/hoso {CODE}", "/hoso ???",
                     "/huytheodoi", "/huytheodoi x", "1.001193", "1", "2", "đăng ký kết hôn"]),
)
_buttons = st.one_of(st.text(max_size=70), st.sampled_from(["ds:1", "du:1", "ds:999999999999", "h", "m:dossier"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.one_of(st.tuples(st.just(Kind.TEXT), _messages),
                                st.tuples(st.just(Kind.CHOICE), _buttons)), min_size=1, max_size=6))
def test_the_flow_never_raises(new_chat, dossier_id, steps):
    chat = new_chat(chat_id=f"fuzz{next(_chat_ids)}")
    chat.press("m:dossier")
    for kind, value in steps:
        replies = chat.press(value) if kind is Kind.CHOICE else chat.send(value)
        assert all(isinstance(r.text, str) for r in replies)
        assert all("Nguyễn Văn" not in r.text for r in replies)
