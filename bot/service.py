"""The running assistant: ``python -m bot serve`` starts everything an office runs, in one process.

``serve`` starts, from ``config.toml`` and the environment:

- one ASGI server (uvicorn) on ``--host``/``--port`` with ``/healthz`` and the webhook route of every
  channel that receives by webhook (Telegram with ``webhook_url``, Zalo Bot with ``webhook_url``, the Zalo
  OA, the web chat); the webhooks record each update in the inbox and answer 200 at once;
- the answering process (``bot.answering``): the inbox worker, answering those updates in per-chat order
  and writing the replies to the outbox, and the outbox dispatcher;
- long polling for Telegram and the Zalo Bot when they have no ``webhook_url``;
- the scheduler (morning alert with today's catch-up, weekly report); the outbox dispatcher (in the
  answering process) delivers through every enabled channel with leases, heartbeats and the send-rate
  budget shared in the database — so a Zalo-only office gets its deferred replies, alerts and reports too.

SIGTERM or SIGINT stops it gracefully: the server stops taking requests and finishes the ones in progress
(their replies sent or queued), polling stops, the dispatcher lets the sends in flight finish and gives
back every row it claimed but had not started, then the database is closed.

``run`` (``make run``) is ``serve`` when a messaging channel is configured and the console chat
otherwise; ``chat`` is always the console; ``web`` and ``telegram`` are aliases of ``serve``.
``app_from_env`` is the uvicorn factory for the webhooks (``uvicorn --factory bot.service:app_from_env``): their
inbox worker and the outbox dispatcher (with the scheduler) run in its lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from functools import partial

from starlette.applications import Starlette

from bot.answering import Answering
from bot.app import Assistant, build_assistant
from bot.catalog.loader import CatalogError
from bot.catalog.problems import format_problems
from bot.channels import registry
from bot.channels.console import run_console
from bot.channels.inbox import Inbox
from bot.channels.telegram_config import polling_enabled
from bot.channels.webhook import WebChannels, combine, create_web_app, serve
from bot.channels.zalo_bot import poll_zalo_bot
from bot.config import ConfigError, Settings, load_settings
from bot.health import readiness_routes
from bot.inbox.worker import InboxWorker
from bot.scheduler import Scheduler, start_scheduler

log = logging.getLogger(__name__)

DEFAULT_PORT = 8080


def app_from_env() -> Starlette:
    """uvicorn factory (``uvicorn --factory bot.service:app_from_env``): settings from ASSISTANT_CONFIG /
    config.toml, the assistant closed on shutdown."""
    settings = load_settings()
    registry.check_webhook_secrets(settings)
    try:
        assistant = build_assistant(settings)
    except CatalogError as error:  # no traceback: the problems, and uvicorn exits
        log.critical("cannot start: %d problem(s) in the catalog and no last good catalog in %s:\n%s",
                     len(error.problems), settings.resolve(settings.catalog.state_dir),
                     format_problems(error.problems))  # fmt: skip
        raise SystemExit(3) from None
    inbox = Inbox(assistant.db, InboxWorker(assistant.db, assistant))  # answered on a thread of this process
    web = web_routes(assistant, inbox)
    scheduler: list[Scheduler] = []

    async def start() -> None:  # the outbox dispatcher sends what the inbox worker answers
        outbox = registry.outbox_channels(settings, assistant.db)
        scheduler.append(await asyncio.to_thread(start_scheduler, assistant, outbox, registry.capabilities))
        assert inbox.worker is not None
        inbox.worker.after_commit.append(scheduler[0].wake_outbox)

    async def close() -> None:
        for running in scheduler:
            await asyncio.to_thread(running.shutdown)
        assistant.close()

    web.on_start.append(start)
    web.on_stop.insert(0, close)
    return create_web_app(web)


def web_routes(assistant: Assistant, inbox: Inbox | None = None) -> WebChannels:
    """Every enabled webhook channel and their inbox, plus ``/readyz`` (``bot.health``) on one app."""
    inbox = inbox or Inbox(assistant.db, InboxWorker(assistant.db, assistant))
    channels = registry.web_channels(assistant, assistant.db, inbox)
    return combine([channels, readiness_routes(assistant.db, assistant.catalog)])


def messaging_channels(settings: Settings) -> list[str]:
    """The channels other than the console this office runs (empty: ``run`` starts the console)."""
    return [r.name for r in registry.enabled(settings) if r.name != "console"]


def zalo_polling(settings: Settings) -> bool:
    """The Zalo Bot is enabled without a webhook URL: it is answered by long polling."""
    zalo = settings.channels.zalo_bot
    return zalo.enabled and not zalo.webhook_url


async def serve_assistant(
    assistant: Assistant, host: str = "0.0.0.0", port: int = DEFAULT_PORT, *, stop: asyncio.Event | None = None
) -> None:
    """Everything of ``serve`` in the running event loop until SIGTERM/SIGINT (or ``stop`` is set)."""
    settings = assistant.settings
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread (tests): no signals
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    inbox = Inbox(assistant.db, None)  # answered by the answering process (``bot.answering``)
    web = web_routes(assistant, inbox)
    outbox = registry.outbox_channels(settings, assistant.db)
    scheduler = await asyncio.to_thread(partial(start_scheduler, deliver=False), assistant, outbox,
                                        registry.capabilities)  # the answering process delivers the outbox
    answering = Answering(settings)
    inbox.intake.on_commit.append(answering.wake)
    answering.start()
    tasks = {"web": asyncio.create_task(serve(create_web_app(web), host, port, stop=stop))}
    if polling_enabled(settings):
        from bot.channels.telegram import poll_telegram

        tasks["telegram"] = asyncio.create_task(poll_telegram(assistant, stop))
    if zalo_polling(settings):
        tasks["zalo_bot"] = asyncio.create_task(poll_zalo_bot(assistant, stop))
    log.info("serving on %s:%d: %s", host, port, ", ".join(messaging_channels(settings)) or "no channel")
    try:
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({stopper, *tasks.values()}, return_when=asyncio.FIRST_COMPLETED)
        for name, task in tasks.items():
            if task in done and task.exception() is not None:
                log.error("%s stopped with an error; shutting down", name, exc_info=task.exception())
    finally:
        stop.set()
        log.info("shutting down: finishing requests and sends in flight")
        await asyncio.gather(*tasks.values(), return_exceptions=True)
        await asyncio.to_thread(answering.stop)
        await asyncio.to_thread(scheduler.shutdown)
        log.info("stopped")


def run_serve(settings: Settings, host: str = "0.0.0.0", port: int = DEFAULT_PORT) -> int:
    """``python -m bot serve``: the exit code (0 after a graceful stop)."""
    registry.check(settings)
    registry.check_webhook_secrets(settings)
    assistant = build_assistant(settings)
    assistant.watch_catalog()
    try:
        asyncio.run(serve_assistant(assistant, host, port))
    finally:
        assistant.close()
    return 0


def run_zalo_polling(assistant: Assistant) -> None:
    """``python -m bot zalo poll``: answer the Zalo Bot by long polling alone until interrupted."""
    asyncio.run(poll_zalo_bot(assistant, asyncio.Event()))


def run_chat(settings: Settings) -> int:
    """The console chat, with the scheduler and the outbox (which prints what it would send)."""
    assistant = build_assistant(settings)
    assistant.watch_catalog()
    scheduler = start_scheduler(assistant, registry.outbox_channels(settings, assistant.db), registry.capabilities)
    try:
        run_console(assistant)
    finally:
        scheduler.shutdown()
        assistant.close()
    return 0


def run(command: str, settings: Settings, host: str = "0.0.0.0", port: int = DEFAULT_PORT) -> int:
    """``serve``/``web``/``telegram``, ``chat``, or ``run`` (serve when a channel is configured, else chat)."""
    if command == "telegram" and not settings.telegram_token:
        raise ConfigError("set TELEGRAM_BOT_TOKEN to start the Telegram bot")
    if command == "chat" or (command == "run" and not messaging_channels(settings)):
        return run_chat(settings)
    return run_serve(settings, host, port)


def build_web_app(assistant: Assistant) -> Starlette:
    """The ASGI app ``serve`` runs: every enabled webhook channel, ``/healthz`` and ``/readyz``."""
    return create_web_app(web_routes(assistant))
