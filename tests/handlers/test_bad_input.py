"""Whatever a user sends gets a clear reply and never an exception."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.contract.callbacks import decode
from bot.contract.messages import Kind
from tests.handlers.conftest import Chat


def test_empty_message(chat):
    [reply] = chat.send("   \u200b\u200d ")
    assert "chưa nhập nội dung" in reply.text


def test_huge_message_is_read_up_to_the_limit(chat):
    replies = chat.send("đăng ký kết hôn " * 700)  # ~11,000 characters
    assert "chỉ đọc phần đầu" in replies[0].text
    assert len(replies) >= 2


def test_html_and_markdown_in_user_text_are_escaped(chat):
    [reply] = chat.send("<b>hack</b> *bold* <script>alert(1)</script> [x](http://evil)")
    assert "<script>" not in reply.text and "<b>hack</b>" not in reply.text
    assert "&lt;b&gt;hack&lt;/b&gt;" in reply.text or "hack" not in reply.text


def test_markup_around_a_greeting_or_a_question_is_not_read_as_words(chat):
    [greeting] = chat.send("<b>xin chào</b>")
    assert "Xin chào" in greeting.text and "chưa tìm thấy" not in greeting.text
    [card] = chat.send("<p>đăng ký <i>kết hôn</i></p>")
    assert "1.000894" in card.text


def test_without_markup_keeps_what_is_not_a_tag():
    from handlers.sanitize import without_markup

    assert without_markup("<b>xin chào</b><br/>") == "xin chào"
    assert without_markup('<a href="x">sổ đỏ</a> < 18 tuổi, 3<5') == "sổ đỏ < 18 tuổi, 3<5"
    assert without_markup("<br>") == "<br>"  # nothing but a tag: left as typed


def test_emoji_and_control_characters(chat):
    [card] = chat.send("🙏 đăng\u0000 ký\u200b kết hôn 💍\x07")
    assert "1.000894" in card.text


def test_forged_and_stale_callbacks(chat):
    for data in ["p:9.999999", "s:1.000894:zzz", "garbage", "p:" + "1" * 80, "", "f:deadbeef:0", "m:admin",
                 "s:1.000894:docs:extra", "l:fr", "fl:-1", "p:1.000894\n"]:
        [reply] = chat.press(data)
        assert "không còn hiệu lực" in reply.text, data


def test_number_out_of_range_after_choices(chat):
    chat.send("chứng thực")
    [reply] = chat.send("9")
    assert "không còn hiệu lực" in reply.text


def test_unknown_command(chat):
    [reply] = chat.send("/xoatatca")
    assert "/help" in reply.text


def test_flood_is_rate_limited_with_one_notice():
    chat_ = Chat(__import__("tests.handlers.conftest", fromlist=["x"]).Knowledge.build([], [], []),
                 settings=Settings.model_validate({"limits": {"messages_per_minute": 3}}))
    outputs = [chat_.send("xin chào") for _ in range(6)]
    assert all(outputs[:3])
    assert "hơi nhanh" in outputs[3][0].text
    assert outputs[4] == [] and outputs[5] == []


texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.text(
    alphabet=string.printable + "đăâêôơưĐ/<>&*_[]()", max_size=300)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, kind=st.sampled_from(list(Kind)))
def test_router_never_crashes(knowledge, text, kind):
    chat_ = Chat(knowledge)
    replies = chat_.send(text=text, kind=kind, choice=text)
    assert replies
    for r in replies:
        assert r.text.strip()
        for c in r.flat_choices():
            assert decode(c.data) is not None


def test_forged_feedback_buttons_get_the_outdated_button_reply(chat):
    """A dossier-kind rating button carrying a procedure code (or an id that does not exist) is not acted on."""
    for data in ["fa:d:1.001193", "fr:d:1.001193:5", "fa:g:1.001193", "fr:p:12:5", "fa:d:999999",
                 "fr:d:999999:5", "fc:999999:9:9", "fk:999999:c", "fr:g:0:9"]:  # fmt: skip
        replies = chat.press(data)
        assert replies and all(r.text.strip() for r in replies), data
        if data != "fr:g:0:9":  # a score out of the scale has its own answer
            assert "không còn hiệu lực" in replies[-1].text, data


_PIECES = ["p", "d", "g", "0", "1", "5", "9", "x", "s", "c", "y", "1.001193", "1.000894", "9.999999", "99999999999",
           "docs", "steps", "all", "tw", "a", "vi", "en", "search", "deadbeef", "-1", "", " ", "1.0001", "١"]
buttons = st.builds(
    lambda action, args: ":".join([action, *args]),
    st.sampled_from(["p", "s", "fl", "f", "m", "l", "h", "ds", "du", "th", "tc", "fa", "fr", "fc", "fk", "rp", "ru",
                     "d", "a", "zz"]),
    st.lists(st.sampled_from(_PIECES) | st.text(max_size=6), max_size=4),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=buttons)
def test_button_data_through_the_real_handlers_never_crashes(knowledge, data):
    """Well-formed-looking button data with arguments of the wrong kind, through the router and every handler."""
    replies = Chat(knowledge).press(data)
    assert replies and all(r.text.strip() for r in replies)
    for r in replies:
        assert all(decode(c.data) is not None for c in r.flat_choices())
