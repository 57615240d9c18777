"""The assistant: catalog + search + conversation state, answering ``Incoming`` with a conversation's ``Reply``.

The conversation itself (``handlers.router.route``) is given to the ``Assistant``; by default it is the one
installed under the ``tthc_assistant.conversation`` entry point, so the engine never imports ``handlers/``.
"""

from __future__ import annotations

import gc
import logging
import threading
from importlib.metadata import entry_points

from bot.catalog.problems import format_problems
from bot.config import Settings
from bot.contract.html import esc
from bot.contract.messages import Incoming, Reply
from bot.conversation import Context, Conversation, ReloadOutcome
from bot.knowledge import Knowledge, catalog_knowledge, open_catalog, report_catalog
from bot.masking import mask_id
from bot.schema import create_schema
from bot.storage.conversations import ChatState, ConversationStore, UpdateLog
from bot.storage.db import Database

log = logging.getLogger(__name__)


def settle_long_lived_objects(collect: bool = True) -> None:
    """Keep the catalog and search index (about 300,000 objects) out of the garbage collector's scans.

    A full collection over them takes about 0.2 s and, in a busy webhook server, shows up as latency
    spikes. After a reload the previous catalog is released first (unfreeze, collect), then the new one frozen;
    at the start there is nothing to release (``collect=False``: frozen as they are).
    """
    gc.unfreeze()
    if collect:
        gc.collect()
    gc.freeze()


#: The entry-point group under which the installed conversation is registered (see ``pyproject.toml``).
CONVERSATION_GROUP = "tthc_assistant.conversation"


def installed_conversation() -> Conversation:
    """The conversation registered as ``default`` in the ``tthc_assistant.conversation`` entry points."""
    found = entry_points(group=CONVERSATION_GROUP, name="default")
    if not found:
        raise RuntimeError(f"no conversation installed under the entry point group {CONVERSATION_GROUP!r}: "
                           "run `make install` (pip install -e .)")
    conversation: Conversation = next(iter(found)).load()
    return conversation


class Assistant:
    """Everything a channel adapter needs: ``handle(incoming) -> list[Reply]`` (thread-safe)."""

    def __init__(
        self, settings: Settings, db: Database | None = None, conversation: Conversation | None = None
    ) -> None:
        self.settings = settings
        self.db = db or Database(settings.database_url)
        create_schema(self.db)
        self.conversation = conversation or installed_conversation()
        self.conversations = ConversationStore(self.db, settings.office.default_language)
        self.updates = UpdateLog(self.db)
        self.catalog = open_catalog(settings)
        self._lock = threading.Lock()
        self._knowledge = self._build_knowledge()
        self._stop = threading.Event()
        settle_long_lived_objects(collect=False)

    def _build_knowledge(self) -> Knowledge:
        return catalog_knowledge(self.catalog, self.settings)

    @property
    def knowledge(self) -> Knowledge:
        """The catalog and search index currently served."""
        return self._knowledge

    def refresh_catalog(self, confirm: str | None = None) -> ReloadOutcome:
        """Reload the catalog if its files changed; a broken edit keeps the last good catalog serving, a mass
        removal waits for ``confirm`` (the token of the catalog awaiting confirmation)."""
        with self._lock:
            result = self.catalog.reload(allow_removals=confirm is not None, token=confirm or "")
            if result.changed or result.reloaded:
                report_catalog(result, self.catalog)
            if result.reloaded:
                self._knowledge = self._build_knowledge()
                settle_long_lived_objects()
            return ReloadOutcome(result.reloaded, len(self._knowledge.procedures), format_problems(result.problems),
                                 result.removed, result.awaiting_confirmation, result.token)  # fmt: skip

    def watch_catalog(self) -> threading.Thread:
        """Start a daemon thread that picks up catalog edits every ``catalog.reload_seconds``."""

        def loop() -> None:
            while not self._stop.wait(self.settings.catalog.reload_seconds):
                try:
                    self.refresh_catalog()
                except Exception:  # keep watching whatever happens
                    log.exception("catalog watcher failed")

        thread = threading.Thread(target=loop, name="catalog-watcher", daemon=True)
        thread.start()
        return thread

    def is_admin(self, incoming: Incoming) -> bool:
        """Console users are the operator; others must be listed in ASSISTANT_ADMIN_IDS."""
        return incoming.channel == "console" or f"{incoming.channel}:{incoming.user_id}" in self.settings.admin_ids

    def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer one message and persist the conversation state."""
        replies, state = self.respond(incoming)
        self.conversations.save(incoming.channel, incoming.chat_id, state)
        return replies

    def respond(self, incoming: Incoming) -> tuple[list[Reply], ChatState]:
        """Answer one message; the chat's new state is returned for the caller to save (the inbox worker saves
        it in the transaction that records the replies)."""
        state = self.conversations.load(incoming.channel, incoming.chat_id)
        ctx = Context(
            incoming=incoming,
            settings=self.settings,
            knowledge=self._knowledge,
            state=state,
            db=self.db,
            is_admin=self.is_admin(incoming),
            reload_catalog=self.refresh_catalog,
        )
        try:
            replies = self.conversation(ctx)
        except Exception:
            log.exception("handler failed for chat %s", mask_id(incoming.chat_id))
            replies = [Reply(text=esc(ctx._("Xin lỗi, đã có lỗi khi xử lý tin nhắn. Bạn vui lòng thử lại.")))]
        log.debug("answered %s chat=%s kind=%s replies=%d", incoming.channel, mask_id(incoming.chat_id),
                 incoming.kind.value, len(replies))
        return replies, state

    def close(self) -> None:
        """Stop background work and release the database."""
        self._stop.set()
        self.db.dispose()


def build_assistant(settings: Settings) -> Assistant:
    """Create the assistant for ``settings`` (database schema created if missing)."""
    return Assistant(settings)
