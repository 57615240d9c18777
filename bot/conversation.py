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

    changed: bool
    procedures: int
    problems: str = ""  # "path:line: field: message" lines when the edit was rejected


@dataclass
class Context:
    """One message being answered: settings, catalog, the chat's state and the user's rights."""

    incoming: Incoming
    settings: Settings
    knowledge: Knowledge
    state: ChatState
    db: Database  # dossiers, subscriptions, officers, ratings, verification attempts
    is_admin: bool = False
    reload_catalog: Callable[[], ReloadOutcome] | None = None
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
