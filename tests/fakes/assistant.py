"""A scripted stand-in for ``bot.app.Assistant``, for adapter tests."""

from __future__ import annotations

from collections.abc import Callable

from bot.config import Settings
from bot.contract.messages import Incoming, Reply
from bot.storage.conversations import UpdateLog


class ScriptedAssistant:
    """Records every ``Incoming`` and answers with ``script`` (by default "got <kind>")."""

    def __init__(self, updates: UpdateLog, script: Callable[[Incoming], list[Reply]] | None = None) -> None:
        self.updates = updates
        self.settings = Settings()
        self.seen: list[Incoming] = []
        self.script = script or (lambda incoming: [Reply(text=f"got {incoming.kind}")])

    def handle(self, incoming: Incoming) -> list[Reply]:
        """Record and answer."""
        self.seen.append(incoming)
        return self.script(incoming)
