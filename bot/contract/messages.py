"""The platform-free conversation contract: an ``Incoming`` message in, a list of ``Reply`` out.

Channel adapters (console, Telegram, Zalo) translate platform updates into ``Incoming`` and render each
``Reply``: choices become an inline keyboard on Telegram, a numbered list in the console and on Zalo.
``Reply.text`` is a small subset of HTML (``<b>``, ``<i>``, ``<a href>``); every piece of user or catalog
text in it is escaped by the handlers, so adapters may send it as HTML or strip the tags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """What the user sent."""

    TEXT = "text"
    CHOICE = "choice"  # a button press (callback data) or a numbered answer resolved by the adapter
    UNSUPPORTED = "unsupported"  # sticker, photo, voice, file…


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message from a user, independent of the platform."""

    channel: str
    chat_id: str
    user_id: str
    kind: Kind = Kind.TEXT
    text: str = ""
    choice: str = ""
    display_name: str = ""
    language_hint: str = ""
    reply_to: str = ""  # text of the assistant's own message this one replies to (Telegram replies)


@dataclass(frozen=True, slots=True)
class Choice:
    """A button: the label shown and the compact data sent back when pressed (≤ 64 bytes)."""

    label: str
    data: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to send with a reply (a CSV list, a PNG chart)."""

    filename: str
    content: bytes
    mime_type: str


@dataclass(slots=True)
class Reply:
    """One message to send back."""

    text: str
    choices: list[list[Choice]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)

    def flat_choices(self) -> list[Choice]:
        """All choices in display order, row by row."""
        return [c for row in self.choices for c in row]
