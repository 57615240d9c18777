"""Messages that arrive later: a followed dossier's notification and files, through the outbox, fetched by polling."""

from __future__ import annotations

from urllib.parse import quote

import httpx
from sqlalchemy import select

from bot import clock
from bot.app import Assistant
from bot.channels import registry
from bot.channels.webchat.settings import CHANNEL
from bot.contract.messages import Attachment, Reply
from bot.dossiers.models import DossierEvent, StatusChange
from bot.dossiers.notify import notify_status_changes
from bot.outbox.dispatch import Dispatcher
from bot.outbox.models import OutboxMessage
from bot.outbox.store import enqueue
from tests.bot.channels.webchat.conftest import Visitor, button
from tests.handlers.dossier.conftest import CODE, add_dossier

PNG = Attachment("bao-cao-tuan.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "image/png")
CSV = Attachment("hồ sơ trễ hạn.csv", "Mã hồ sơ;Đơn vị\nH1;UBND\n".encode(), "text/csv")


async def _dispatch(assistant: Assistant) -> int:
    async def no_pause(_seconds: float) -> None:
        return None

    channels = registry.outbox_channels(assistant.settings, assistant.db)
    return await Dispatcher(assistant.db, channels, per_chat_interval=0, sleep=no_pause).run_once(clock.now())


async def test_a_followed_dossier_notification_reaches_the_visitor_by_polling(
    web: httpx.AsyncClient, real_assistant: Assistant
) -> None:
    dossier_id = add_dossier(real_assistant.db)
    visitor = await Visitor(web).start()
    (question,) = await visitor.ask(f"/hoso {CODE}")
    assert "Nguyễn" not in question["text"] and "Đang xử lý" not in question["text"]  # nothing before verification
    (status,) = await visitor.ask("5678")
    assert CODE in status["text"] and "Đang xử lý" in status["text"] and "Nguyễn V** A**" in status["text"]
    (following,) = await visitor.press(button(status, "🔔"))
    assert "Đã bật theo dõi" in following["text"]
    with real_assistant.db.session() as s:
        s.add(DossierEvent(dossier_id=dossier_id, old_status="processing", new_status="done"))
        s.commit()
        assert notify_status_changes(s, [StatusChange(dossier_id, CODE, "processing", "done")],
                                     real_assistant.settings) == 1  # fmt: skip
        s.commit()
    assert await visitor.poll() == []  # queued, not yet delivered
    assert await _dispatch(real_assistant) == 1
    (notification,) = await visitor.poll()
    assert CODE in notification["text"] and "Đã có kết quả" in notification["text"]
    assert button(notification, "🔕") == f"du:{dossier_id}"
    with real_assistant.db.session() as s:
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == CHANNEL)).one()
    assert row.status == "sent" and row.chat_id == visitor.token.split(".")[0]


async def test_files_come_as_signed_links_only_their_visitor_can_open(
    web: httpx.AsyncClient, real_assistant: Assistant
) -> None:
    visitor, other = await Visitor(web).start(), await Visitor(web).start()
    await other.ask("/start")
    chat_id = visitor.token.split(".")[0]
    with real_assistant.db.session() as s:
        enqueue(s, dedupe_key="test:chart", channel=CHANNEL, chat_id=chat_id, reply=Reply("Báo cáo tuần", [], [PNG]))
        enqueue(s, dedupe_key="test:csv", channel=CHANNEL, chat_id=chat_id, reply=Reply("", [], [CSV]))
        s.commit()
    assert await _dispatch(real_assistant) == 2
    messages = await visitor.poll()
    by_name = {m["file"]["name"]: m["file"] for m in messages if "file" in m}
    chart, table = by_name[PNG.filename], by_name[CSV.filename]
    assert (chart["image"], chart["size"], table["image"], table["type"]) == (True, len(PNG.content), False, "text/csv")

    picture = await web.get(f"/webchat/{chart['url']}")
    assert (picture.status_code, picture.content, picture.headers["content-type"]) == (200, PNG.content, "image/png")
    assert picture.headers["content-disposition"].startswith("inline")
    download = await web.get(f"/webchat/{table['url']}")
    assert download.status_code == 200 and download.content == CSV.content
    assert download.headers["content-disposition"] == f"attachment; filename*=UTF-8''{quote(CSV.filename)}"
    assert download.headers["x-content-type-options"] == "nosniff"

    message_id, signature, name = chart["url"].split("/")[1:]
    forged = [f"files/{message_id}/{'0' * 32}/{name}", f"files/{int(message_id) + 1}/{signature}/{name}",
              f"files/{message_id}/{signature[:-1]}/{name}", f"files/99999999999999999999/{signature}/{name}",
              f"files/abc/{signature}/{name}"]  # fmt: skip
    for url in forged:
        assert (await web.get(f"/webchat/{url}")).status_code == 404, url
    assert all("file" not in m for m in await other.poll())
