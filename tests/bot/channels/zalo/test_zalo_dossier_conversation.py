"""Checking a dossier over Zalo: code, verification question, status — nothing personal before that."""

from __future__ import annotations

import httpx
import pytest

from bot.app import Assistant
from bot.config import ENV_SECRET_KEY
from tests.bot.channels.zalo.test_zalo_bot_conversation import say
from tests.bot.channels.zalo.test_zalo_oa_conversation import say as oa_say
from tests.fakes.zalo_bot_api import FakeZaloBotAPI
from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.handlers.dossier.conftest import CODE, add_dossier


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed server secret (verification digests), so no key file is written."""
    monkeypatch.setenv(ENV_SECRET_KEY, "test-secret-key-for-zalo-dossier-chats-0123456789")


async def test_dossier_status_after_verification_on_zalo_bot(
    web: httpx.AsyncClient, zalo_api: FakeZaloBotAPI, real_assistant: Assistant
) -> None:
    add_dossier(real_assistant.db)
    (ask_code,) = await say(web, zalo_api, "/hoso")
    assert "mã hồ sơ" in ask_code.text.lower()
    (question,) = await say(web, zalo_api, CODE)
    assert "Nguyễn Văn An" not in question.text and "Đang xử lý" not in question.text
    (refused,) = await say(web, zalo_api, "0000")
    assert "Nguyễn" not in refused.text and "Đang xử lý" not in refused.text
    (_again,) = await say(web, zalo_api, CODE)
    status = (await say(web, zalo_api, "5678"))[0]
    assert CODE in status.text and "Đang xử lý" in status.text
    assert "<" not in status.text


async def test_dossier_status_on_the_oa(web: httpx.AsyncClient, oa_api: FakeZaloOA, real_assistant: Assistant) -> None:
    add_dossier(real_assistant.db)
    await oa_say(web, oa_api, f"/hoso {CODE}")
    status = (await oa_say(web, oa_api, "5678"))[0]
    assert CODE in status and "Đang xử lý" in status
