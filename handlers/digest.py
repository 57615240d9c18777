"""Fitting a section's first message into one phone message, with the rest one tap away.

A first message must fit one Zalo message (2,000 characters, the numbered choices included; Telegram
allows 4,096). :func:`fit` renders a section with ever shorter items, then fewer of them, until it fits;
what is shortened or left out is always in the "Xem đầy đủ" answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.contract.html import shorten, strip_tags
from bot.contract.messages import Choice, Reply

#: One Zalo message; the first message of a section must fit in it.
FIRST_MESSAGE_CHARS = 2000
_ITEM_CHARS = (320, 220, 160, 110, 80)
_ITEM_COUNTS = (12, 8, 5, 3, 2, 1)
UNLIMITED = 10_000


@dataclass(frozen=True)
class Shape:
    """How much of each item to show: at most ``chars`` characters and ``count`` items per list."""

    chars: int
    count: int

    def item(self, text: str) -> str:
        """``text`` shortened to this shape."""
        return shorten(text, self.chars)


def plain_length(html_text: str) -> int:
    """Characters of ``html_text`` as sent to a plain-text channel (tags dropped, links spelled out)."""
    return len(strip_tags(html_text).strip())


def choices_length(choices: list[list[Choice]]) -> int:
    """Characters the choices add as a numbered list under the text (Zalo, console)."""
    flat = [c for row in choices for c in row]
    return sum(len(f"{n}. {c.label}") + 1 for n, c in enumerate(flat, 1)) + 2


def fits(reply: Reply, limit: int = FIRST_MESSAGE_CHARS) -> bool:
    """Whether ``reply``'s text and its choices as a numbered list fit in one message of ``limit``."""
    return plain_length(reply.text) + choices_length(reply.choices) <= limit


def fit(render: Callable[[Shape], Reply], limit: int = FIRST_MESSAGE_CHARS) -> Reply:
    """The first rendering of ``render``, from the fullest shape down, that fits in one message."""
    shapes = [Shape(chars, UNLIMITED) for chars in _ITEM_CHARS]
    shapes += [Shape(_ITEM_CHARS[-1], count) for count in _ITEM_COUNTS]
    reply = render(shapes[0])
    for shape in shapes[1:]:
        if fits(reply, limit):
            break
        reply = render(shape)
    return reply
