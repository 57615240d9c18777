"""What the conversation sees while answering one message (``Context``), and what it is (``Conversation``).

The engine builds a ``Context`` for every ``Incoming`` and hands it to a ``Conversation``: a function
``Context -> list[Reply]``. The conversation of this assistant is ``handlers.router.route``; the engine
finds it through the ``tthc_assistant.conversation`` entry point (``pyproject.toml``), so nothing in
``bot/`` imports ``handlers/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot import clock as timebase
from bot.config import Settings
from bot.contract.messages import Incoming, Reply
from bot.i18n import Translator, translator
from bot.knowledge import Knowledge
from bot.storage.conversations import ChatState
from bot.storage.db import Database


@dataclass(frozen=True, slots=True)
class ReloadOutcome:
    """What an admin-triggered catalog reload did."""

    changed: bool  # a new catalog is now served
    procedures: int
    problems: str = ""  # "path:line: field: message" lines while the files are broken (last good one served)
    removed: tuple[str, ...] = ()  # codes removed by the reload, or that the edit awaiting confirmation removes
    awaiting_confirmation: bool = False  # refused by the removal guard until an administrator confirms
    token: str = ""  # names the edit awaiting confirmation (the confirm button carries it)


class ReloadCatalog(Protocol):
    """Reload the catalog; ``confirm`` (a :attr:`ReloadOutcome.token`) accepts the removals awaiting it."""

    def __call__(self, confirm: str | None = None) -> ReloadOutcome: ...


@dataclass
class Context:
    """One message being answered: settings, catalog, the chat's state and the user's rights."""

    incoming: Incoming
    settings: Settings
    knowledge: Knowledge
    state: ChatState
    db: Database  # dossiers, subscriptions, officers, ratings, verification attempts
    is_admin: bool = False
    reload_catalog: ReloadCatalog | None = None
    clock: Callable[[], datetime] = timebase.now  # timezone-aware UTC "now" (tests inject their own)

    @property
    def t(self) -> Translator:
        """Translator for the chat's language."""
        return translator(self.state.language)

    def _(self, message: str) -> str:
        """Translate ``message`` into the chat's language."""
        return self.t.gettext(message)

    @property
    def language(self) -> str:
        """The chat's language code."""
        return self.state.language


#: A conversation: answers one message (``Context.incoming``) with the replies to send back.
Conversation = Callable[[Context], list[Reply]]
