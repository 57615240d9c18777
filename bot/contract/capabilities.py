"""What a messaging channel can show: the part of a channel that the rest of the assistant may know.

Features that compose messages on their own initiative (the morning alert, the weekly report) size them to
the recipient's channel through a ``CapabilityLookup`` they are given; they never import a channel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Capabilities:
    """One platform's limits; ``bot.channels.base.render`` adapts every ``Reply`` to them."""

    buttons: bool  # inline buttons; without them the choices become a numbered list answered by number
    max_text: int  # characters in one message (longer texts are split at paragraph, line or word)
    html: bool  # keeps <b>, <i>, <a href>; without it the text is sent plain
    photos: bool  # PNG/JPEG attachments are shown as pictures
    files: bool  # other attachments (CSV) are sent as files
    proactive: bool  # may write to a chat first (outbox: alerts, notifications, reports, answers)


#: What a message composed for the outbox may assume when the channel is not known (Telegram's limits).
DEFAULT = Capabilities(buttons=True, max_text=4096, html=True, photos=True, files=True, proactive=True)

#: The capabilities of the channel with a given name (``bot.channels.registry.capabilities`` in production).
CapabilityLookup = Callable[[str], Capabilities]


def default_lookup(channel: str) -> Capabilities:
    """``DEFAULT`` for every channel (tests, and tools that do not load the channels)."""
    return DEFAULT
