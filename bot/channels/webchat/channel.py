"""The web chat as a ``Channel``: a reply is rendered like on any platform, then stored in the visitor's
mailbox, where the widget picks it up (at once for an answer, by polling for a notification)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.channels.base import Channel, File, Registration, Responder, Text, render
from bot.channels.webchat.api import WebChatAPI
from bot.channels.webchat.mailbox import Mailbox
from bot.channels.webchat.settings import CHANNEL, WebChatSettings
from bot.channels.webchat.tokens import Signer
from bot.channels.webhook import WebChannels
from bot.config import Settings
from bot.contract.capabilities import Capabilities
from bot.contract.messages import Attachment, Choice, Reply
from bot.security import secret_key
from bot.storage.db import Database

#: Real buttons, the HTML subset, pictures and files; long texts in bubbles of at most 3,000 characters
#: (a phone screen or two). The mailbox holds anything, so the outbox may always write first.
CAPABILITIES = Capabilities(buttons=True, max_text=3000, html=True, photos=True, files=True, proactive=True)


class WebChatChannel(Channel):
    """Stores rendered replies in the mailbox (the browser fetches them)."""

    name = CHANNEL
    platform = "web"
    capabilities = CAPABILITIES

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def send(self, chat_id: str, reply: Reply) -> None:
        """All pieces of ``reply`` in one transaction, so the widget never shows half of it."""
        await asyncio.to_thread(self.mailbox.append, chat_id, render(reply, self.capabilities, self.platform))

    async def send_text(self, chat_id: str, text: str, choices: list[list[Choice]]) -> None:
        """One text bubble with its buttons."""
        await asyncio.to_thread(self.mailbox.append, chat_id, [Text(text, choices)])

    async def send_file(self, chat_id: str, attachment: Attachment, as_photo: bool) -> None:
        """One picture or file, offered by a signed link."""
        await asyncio.to_thread(self.mailbox.append, chat_id, [File(attachment, as_photo)])


def web_chat_settings(settings: Settings) -> WebChatSettings:
    """``[channels.webchat]`` of ``settings``."""
    return settings.channels.section(CHANNEL, WebChatSettings)


def mailbox(settings: Settings, db: Database) -> Mailbox:
    """The mailbox in ``db``, keeping messages for ``retention_days``."""
    return Mailbox(db, timedelta(days=web_chat_settings(settings).retention_days))


def web_chat(responder: Responder, db: Database) -> WebChannels:
    """The widget, its API and file links on the shared ASGI app."""
    settings = responder.settings
    config = web_chat_settings(settings)
    box = mailbox(settings, db)
    signer = Signer(secret_key(settings), timedelta(days=config.session_days))
    api = WebChatAPI(responder, db, WebChatChannel(box), box, signer, config)
    return WebChannels(routes=api.routes(), on_stop=[api.stop])


REGISTRATION = Registration(
    name=CHANNEL,
    capabilities=CAPABILITIES,
    enabled=lambda settings: web_chat_settings(settings).enabled,
    outbox=lambda settings, db: WebChatChannel(mailbox(settings, db)),
    web=lambda responder, db, inbox: web_chat(responder, db),  # the web chat answers in its own mailbox
    web_enabled=lambda settings: web_chat_settings(settings).enabled,
)
