"""An answerer for the inbox tests: echoes each text with the chat's running count (kept in its state)."""

from __future__ import annotations

import threading

from bot.contract.messages import Incoming, Kind, Reply
from bot.inbox.payload import Arrival
from bot.storage.conversations import ChatState, ConversationStore
from bot.storage.db import Database


class EchoAssistant:
    """``respond``: "<text> #<n>" where n counts the chat's messages (state saved by the worker)."""

    def __init__(self, db: Database, gate: threading.Event | None = None) -> None:
        self.conversations = ConversationStore(db)
        self.gate = gate
        self.started = threading.Event()

    def respond(self, incoming: Incoming) -> tuple[list[Reply], ChatState]:
        """Answer after ``gate`` opens (when given)."""
        self.started.set()
        if self.gate is not None:
            self.gate.wait(30)
        state = self.conversations.load(incoming.channel, incoming.chat_id)
        count = int(state.data.get("n", 0)) + 1
        state.data["n"] = count
        return [Reply(text=f"{incoming.text} #{count}")], state


def arrival(chat: str, update: str, text: str = "", channel: str = "zalo_bot") -> Arrival:
    """A text message ``update`` in ``chat``."""
    incoming = Incoming(channel=channel, chat_id=chat, user_id=chat, kind=Kind.TEXT, text=text or update)
    return Arrival(incoming, update)
