"""The mailbox on SQLite and PostgreSQL: numbering per visitor, files, retention, concurrent writers."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

from bot.channels.base import File, Text
from bot.channels.webchat.channel import CAPABILITIES, WebChatChannel
from bot.channels.webchat.mailbox import Mailbox
from bot.clock import ManualClock
from bot.contract.messages import Attachment, Choice, Reply
from bot.storage.db import Database

PNG = Attachment("bieu-do.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image/png")
CSV = Attachment("hồ sơ trễ hạn.csv", "Mã hồ sơ;Đơn vị\n".encode(), "text/csv")


def test_messages_are_numbered_per_visitor_and_read_after_a_number(database: Database) -> None:
    box = Mailbox(database, timedelta(days=30))
    box.append("alice", [Text("một", [[Choice("Có", "h")]]), Text("hai")])
    box.append("bob", [Text("của Bob")])
    box.append("alice", [File(PNG, as_photo=True)])
    alice = box.after("alice", 0)
    assert [(m.seq, m.text, m.is_file) for m in alice] == [(1, "một", False), (2, "hai", False), (3, "", True)]
    assert alice[0].choices == [[Choice("Có", "h")]] and alice[1].choices == []
    assert (alice[2].filename, alice[2].mime_type, alice[2].size) == ("bieu-do.png", "image/png", len(PNG.content))
    assert [m.seq for m in box.after("alice", 2)] == [3] and box.after("alice", 3) == []
    assert [m.text for m in box.after("bob", 0)] == ["của Bob"]
    assert [m.seq for m in box.latest("alice", 2)] == [2, 3]
    assert [m.seq for m in box.after("alice", 0, limit=2)] == [1, 2]


def test_a_file_is_found_by_its_message_with_the_visitor_it_belongs_to(database: Database) -> None:
    box = Mailbox(database, timedelta(days=30))
    box.append("alice", [Text("tệp:"), File(CSV, as_photo=False)])
    shown = box.after("alice", 0)[1]
    stored = box.file(shown.id)
    assert stored is not None
    assert (stored.chat_id, stored.filename, stored.content) == ("alice", CSV.filename, CSV.content)
    assert box.file(box.after("alice", 0)[0].id) is None  # a text has no file
    assert box.file(2**31 - 1) is None


def test_old_messages_are_deleted_and_numbering_starts_again_for_the_visitor(
    database: Database, manual_clock: ManualClock
) -> None:
    box = Mailbox(database, timedelta(days=30))
    box.append("alice", [Text("cũ"), Text("cũ nữa")])
    manual_clock.advance(timedelta(days=29))
    box.append("bob", [Text("mới")])
    manual_clock.advance(timedelta(days=2))
    assert box.prune() == 2
    assert [m.text for m in box.after("bob", 0)] == ["mới"]
    box.append("alice", [Text("sau 31 ngày")])
    assert [(m.seq, m.text) for m in box.after("alice", 2)] == [(1, "sau 31 ngày")]  # the widget's cursor was 2


def test_storing_prunes_at_most_once_an_hour(database: Database, manual_clock: ManualClock) -> None:
    box = Mailbox(database, timedelta(days=1))
    box.append("alice", [Text("a")])  # the first store prunes (nothing to delete yet)
    manual_clock.advance(timedelta(hours=23, minutes=50))
    box.append("alice", [Text("b")])  # prunes again: "a" is not a day old yet
    manual_clock.advance(timedelta(minutes=20))
    box.append("alice", [Text("c")])  # "a" is now older than a day, but the last pruning was 20 minutes ago
    assert [m.text for m in box.after("alice", 0)] == ["a", "b", "c"]
    manual_clock.advance(timedelta(minutes=41))
    box.append("alice", [Text("d")])
    assert [m.text for m in box.after("alice", 0)] == ["b", "c", "d"]


def test_concurrent_writers_for_one_visitor_never_share_or_skip_a_number(database: Database) -> None:
    box = Mailbox(database, timedelta(days=30))
    start = threading.Barrier(4)

    def write(name: str) -> None:
        start.wait()
        for n in range(10):
            box.append("alice", [Text(f"{name}-{n}-a"), Text(f"{name}-{n}-b")])

    threads = [threading.Thread(target=write, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    shown = box.after("alice", 0, limit=1000)
    assert [m.seq for m in shown] == list(range(1, 81))
    for first, second in zip(shown[::2], shown[1::2], strict=True):  # the two parts of one store stay together
        assert first.text.endswith("-a") and second.text == first.text[:-1] + "b"


def test_the_channel_stores_a_long_reply_as_bubbles_with_the_buttons_on_the_last(database: Database) -> None:
    box = Mailbox(database, timedelta(days=30))
    paragraphs = "\n\n".join(f"<b>Bước {n}</b>: " + "nộp hồ sơ tại Bộ phận Một cửa. " * 12 for n in range(1, 30))
    reply = Reply(paragraphs, [[Choice("⬅️ Về menu chính", "h")]], [PNG, CSV])
    asyncio.run(WebChatChannel(box).send("alice", reply))
    shown = box.after("alice", 0)
    texts, files = [m for m in shown if not m.is_file], [m for m in shown if m.is_file]
    assert len(texts) >= 3 and all(len(m.text) <= CAPABILITIES.max_text for m in texts)
    assert [m.choices for m in texts] == [[]] * (len(texts) - 1) + [[[Choice("⬅️ Về menu chính", "h")]]]
    assert " ".join(" ".join(m.text for m in texts).split()) == " ".join(paragraphs.split())  # nothing lost
    assert [(m.filename, m.mime_type) for m in files] == [(PNG.filename, "image/png"), (CSV.filename, "text/csv")]
