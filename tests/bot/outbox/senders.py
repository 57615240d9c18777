"""Test senders: one that records, one that fails as scripted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.contract.messages import Reply


@dataclass
class RecordingSender:
    """Records every delivery; ``script`` may raise for a given (chat, attempt number) to simulate failures."""

    channel: str = "telegram"
    clock: Callable[[], float] | None = None
    script: Callable[[str, int], None] | None = None
    sent: list[tuple[str, str]] = field(default_factory=list)
    times: dict[str, list[float]] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)

    async def start(self) -> None:
        """Nothing to open."""

    async def stop(self) -> None:
        """Nothing to close."""

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Deliver (or fail as scripted)."""
        self.calls[chat_id] = self.calls.get(chat_id, 0) + 1
        if self.script is not None:
            self.script(chat_id, self.calls[chat_id])
        self.sent.append((chat_id, reply.text))
        if self.clock is not None:
            self.times.setdefault(chat_id, []).append(self.clock())
