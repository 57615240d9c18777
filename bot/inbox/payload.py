"""An ``Incoming`` as the JSON stored in an inbox row, and back (the platform's body is parsed only once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.contract.messages import Incoming, Kind

_FIELDS = ("user_id", "text", "choice", "display_name", "language_hint", "reply_to")


@dataclass(frozen=True, slots=True)
class Arrival:
    """One acknowledged update: where it came from, its platform id, and the message to answer.

    ``event`` names what the channel wants to know beside the message (Zalo OA: "follow")."""

    incoming: Incoming
    update_id: str
    event: str = ""


def to_payload(arrival: Arrival) -> dict[str, Any]:
    """The JSON stored for ``arrival`` (channel and chat live in their own columns)."""
    incoming = arrival.incoming
    payload: dict[str, Any] = {"kind": incoming.kind.value}
    payload.update({name: value for name in _FIELDS if (value := getattr(incoming, name))})
    if arrival.event:
        payload["event"] = arrival.event
    return payload


def from_payload(channel: str, chat_id: str, payload: dict[str, Any]) -> tuple[Incoming, str]:
    """The stored message and its event name ('' for a plain message)."""
    values = {name: str(payload.get(name) or "") for name in _FIELDS}
    incoming = Incoming(channel=channel, chat_id=chat_id, kind=Kind(payload.get("kind", Kind.TEXT.value)), **values)
    return incoming, str(payload.get("event") or "")
