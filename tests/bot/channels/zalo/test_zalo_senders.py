"""The Zalo senders on their own and through the outbox Dispatcher: errors mapped, retries, rendering."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot import clock
from bot.app import Assistant
from bot.channels.base import text_pieces
from bot.channels.zalo_bot import CAPABILITIES, MediaPublisher, ZaloBotChannel, ZaloBotClient
from bot.channels.zalo_oa import ZaloOAChannel
from bot.contract.messages import Attachment, Choice, Reply
from bot.outbox.dispatch import Dispatcher
from bot.outbox.models import OutboxMessage
from bot.outbox.sender import PermanentFailure, RetryLater
from bot.outbox.store import enqueue
from tests.fakes.zalo_bot_api import FakeZaloBotAPI
from tests.fakes.zalo_oa_api import FakeZaloOA

CHAT = "zc-77"
PNG = Attachment("chart.png", b"\x89PNG fake chart", "image/png")


async def test_429_carries_retry_after(bot_sender: ZaloBotChannel, zalo_api: FakeZaloBotAPI) -> None:
    zalo_api.fail_next("sendMessage", status=429, retry_after=12)
    with pytest.raises(RetryLater) as caught:
        await bot_sender.send(CHAT, Reply(text="xin chào"))
    assert caught.value.retry_after == 12
    assert zalo_api.token not in str(caught.value)


async def test_5xx_and_network_errors_are_transient(bot_sender: ZaloBotChannel, zalo_api: FakeZaloBotAPI) -> None:
    zalo_api.fail_next("sendMessage", status=502)
    with pytest.raises(RetryLater):
        await bot_sender.send(CHAT, Reply(text="xin chào"))
    unreachable = ZaloBotClient(zalo_api.token, "http://127.0.0.1:9", timeout=2.0)
    with pytest.raises(RetryLater) as caught:
        await ZaloBotChannel(unreachable).send(CHAT, Reply(text="xin chào"))
    await unreachable.aclose()
    assert zalo_api.token not in str(caught.value)


async def test_refusals_are_permanent(zalo_api: FakeZaloBotAPI) -> None:
    wrong_token = ZaloBotClient("999:not-the-token", zalo_api.base_url)
    with pytest.raises(PermanentFailure) as caught:
        await ZaloBotChannel(wrong_token).send(CHAT, Reply(text="xin chào"))
    await wrong_token.aclose()
    assert "999:not-the-token" not in str(caught.value)


async def test_chart_as_photo_url_or_text_note(
    bot_sender: ZaloBotChannel, zalo_api: FakeZaloBotAPI, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    await bot_sender.send(CHAT, Reply(text="Báo cáo", attachments=[PNG]))
    assert "chart.png" in zalo_api.take(CHAT)[-1].text  # no public URL configured: a note
    published = ZaloBotChannel(bot_sender.client, MediaPublisher(tmp_path / "media", "https://x.gov.vn/media"))
    await published.send(CHAT, Reply(text="Báo cáo", attachments=[PNG]))
    photo = zalo_api.take(CHAT)[-1]
    assert photo.method == "sendPhoto" and photo.photo.startswith("https://x.gov.vn/media/")
    assert (tmp_path / "media" / photo.photo.rsplit("/", 1)[1]).read_bytes() == PNG.content


async def _no_sleep(seconds: float) -> None:
    """The dispatcher's rate-limit pauses, skipped (its clock is not what these tests check)."""


def _enqueue(assistant: Assistant, channel: str, chat: str, text: str) -> None:
    with assistant.db.session() as s:
        enqueue(s, dedupe_key=f"test:{channel}:{chat}", channel=channel, chat_id=chat, reply=Reply(text=text))
        s.commit()


def _rows(assistant: Assistant) -> list[OutboxMessage]:
    with assistant.db.session() as s:
        return list(s.scalars(select(OutboxMessage)))


async def test_dispatcher_retries_zalo_bot_after_429_and_500(
    real_assistant: Assistant, bot_sender: ZaloBotChannel, zalo_api: FakeZaloBotAPI
) -> None:
    _enqueue(real_assistant, "zalo_bot", CHAT, "Hồ sơ của bạn đã có kết quả.")
    zalo_api.fail_next("sendMessage", 1, status=429, retry_after=30)
    zalo_api.fail_next("sendMessage", 1, status=500)
    dispatcher = Dispatcher(real_assistant.db, {"zalo_bot": bot_sender}, per_chat_interval=0, sleep=_no_sleep)
    now = clock.now()
    assert await dispatcher.run_once(now) == 0
    (row,) = _rows(real_assistant)
    assert row.status == "pending" and row.attempts == 1 and "429" in row.last_error
    assert await dispatcher.run_once(now + timedelta(minutes=1)) == 0
    assert await dispatcher.run_once(now + timedelta(hours=2)) == 1
    (row,) = _rows(real_assistant)
    assert row.status == "sent" and row.attempts == 3
    assert [m.text for m in zalo_api.messages(CHAT)] == ["Hồ sơ của bạn đã có kết quả."]


async def test_dispatcher_retries_oa_after_429(
    real_assistant: Assistant, oa_sender: ZaloOAChannel, oa_api: FakeZaloOA
) -> None:
    _enqueue(real_assistant, "zalo_oa", "u-5", "Nhắc lịch hẹn.")
    oa_api.fail_next(1, status=429)
    dispatcher = Dispatcher(real_assistant.db, {"zalo_oa": oa_sender}, per_chat_interval=0, sleep=_no_sleep)
    now = clock.now()
    assert await dispatcher.run_once(now) == 0
    assert await dispatcher.run_once(now + timedelta(hours=2)) == 1
    assert oa_api.texts_to("u-5") == ["Nhắc lịch hẹn."]


_words = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáạảã", min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(words=st.lists(_words, min_size=1, max_size=900), labels=st.lists(_words, max_size=8),
       breaks=st.sampled_from([" ", "\n", "\n\n"]))  # fmt: skip
def test_pieces_fit_and_never_cut_words(words: list[str], labels: list[str], breaks: str) -> None:
    reply = Reply(text=breaks.join(words), choices=[[Choice(label, f"d{i}")] for i, label in enumerate(labels)])
    pieces = [piece.text for piece in text_pieces(reply, CAPABILITIES)]  # 2,000 characters
    assert all(0 < len(p) <= 2000 for p in pieces)
    assert " ".join(pieces).split() == " ".join(words).split() + [
        t for i, label in enumerate(labels, 1) for t in (f"{i}.", label)
    ]
    if labels and len(reply.text) < 1000:
        assert pieces[-1].endswith(f"{len(labels)}. {labels[-1]}") and "1. " in pieces[-1]
