"""Greetings and thanks: answered kindly instead of searched."""

from __future__ import annotations

from enum import StrEnum

from bot.search.normalize import tokenize


class SmallTalk(StrEnum):
    """Kinds of small talk the assistant recognises."""

    GREETING = "greeting"
    THANKS = "thanks"


_GREETINGS = {"xin chao", "chao", "chao ban", "hello", "hi", "alo", "a lo", "chao em", "chao anh", "chao chi",
              "hey", "good morning", "xin chao ban", "chao ad", "chao admin", "ad oi", "admin oi", "oi"}
_THANKS = {"cam on", "cam on ban", "cam on nhieu", "thanks", "thank you", "tks", "thank", "ok cam on",
           "cam on a", "da cam on", "ok", "oke", "okay", "vang", "da"}


def detect_small_talk(text: str) -> SmallTalk | None:
    """GREETING / THANKS for short messages that are only that, else None."""
    folded = " ".join(tokenize(text))
    if folded in _GREETINGS:
        return SmallTalk.GREETING
    if folded in _THANKS:
        return SmallTalk.THANKS
    return None
