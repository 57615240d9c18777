"""The answering process of ``python -m bot serve``: the inbox worker and the outbox dispatcher.

Answering is CPU work (the search, 5–10 ms a question) and sending costs a few database writes per
message; on threads of the web process both would hold its interpreter (the GIL) — and, on SQLite, its
database — while webhook requests wait, and their acknowledgements would take hundreds of milliseconds
under load. So ``serve`` starts this process beside its web server. It loads the assistant itself, answers
the inbox (``bot.inbox.worker``, on a thread) and delivers the outbox (the service's dispatcher, on its
event loop), woken the moment replies are written. The web server wakes it when it records updates; it
stops when asked (after its batch and the sends in flight) or when its parent is gone, and the parent
starts it again if it dies. It runs at a lower CPU priority than the web server (``NICENESS``).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing as mp
import os
import threading
from multiprocessing.synchronize import Event

from bot.app import build_assistant
from bot.channels import registry
from bot.config import Settings
from bot.inbox.worker import InboxWorker
from bot.logs import setup_logging
from bot.scheduler import service_dispatcher

log = logging.getLogger(__name__)

#: The process's CPU priority below the web server's (``nice``): on a busy machine the acknowledgements,
#: which platforms time, go first; the answers use what is left.
NICENESS = 10
#: Seconds the worker waits for a wake-up before looking at the inbox anyway (rows of other replicas).
IDLE_SECONDS = 1.0


def answer_forever(settings: Settings, wake: Event, stop: Event, parent: int, level: str) -> None:
    """The process's body: answer and deliver until ``stop`` is set or the parent process ``parent`` is gone."""
    setup_logging(level, settings.logging.format)
    os.nice(NICENESS)
    assistant = build_assistant(settings)
    worker = InboxWorker(assistant.db, assistant)
    worker.extras.update(registry.inbox_extras(settings, assistant.db))
    try:
        asyncio.run(_answer_and_deliver(settings, worker, wake, stop, parent))
    finally:
        worker.close()
        assistant.close()


async def _answer_and_deliver(settings: Settings, worker: InboxWorker, wake: Event, stop: Event, parent: int) -> None:
    loop = asyncio.get_running_loop()
    stopping, replies = asyncio.Event(), asyncio.Event()

    def ring() -> None:
        loop.call_soon_threadsafe(replies.set)

    worker.after_commit.append(ring)
    channels = registry.outbox_channels(settings, worker.db)
    async with registry.started(channels) as senders:
        delivery = asyncio.create_task(service_dispatcher(worker.db, senders, settings).run_forever(stopping,
                                                                                                   wake=replies))
        try:
            await asyncio.to_thread(_answer, worker, wake, stop, parent)
        finally:
            stopping.set()
            await delivery


def _answer(worker: InboxWorker, wake: Event, stop: Event, parent: int) -> None:
    while not stop.is_set() and os.getppid() == parent:
        wake.clear()
        try:
            if worker.run_once():
                continue
        except Exception:  # a database hiccup must not end answering for good
            log.exception("inbox: batch failed; retrying")
        wake.wait(IDLE_SECONDS)


class Answering:
    """Starts, watches (and restarts) and stops the answering process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._context = mp.get_context("spawn")
        self._wake, self._stop = self._context.Event(), self._context.Event()
        self._process: mp.process.BaseProcess | None = None
        self._watcher: threading.Thread | None = None
        self._stopping = threading.Event()

    def wake(self) -> None:
        """New updates are in the inbox (called by the intake after a commit)."""
        self._wake.set()

    def start(self) -> None:
        """Start the process, and the thread that starts it again if it dies."""
        self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="answering-watch", daemon=True)
        self._watcher.start()

    def _spawn(self) -> None:
        level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
        args = (self.settings, self._wake, self._stop, os.getpid(), level)
        self._process = self._context.Process(target=answer_forever, name="answering", daemon=True, args=args)
        self._process.start()

    def _watch(self) -> None:
        while not self._stopping.wait(1.0):
            process = self._process
            if process is not None and not process.is_alive() and not self._stopping.is_set():
                log.error("the answering process stopped (exit code %s); starting it again", process.exitcode)
                self._spawn()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the process to stop after its batch and the sends in flight; wait for it (then terminate it)."""
        self._stopping.set()
        self._stop.set()
        self._wake.set()
        if self._process is not None:
            self._process.join(timeout)
            if self._process.is_alive():
                log.warning("the answering process did not stop in %.0f s; terminating it", timeout)
                self._process.terminate()
                self._process.join(5)
        if self._watcher is not None:
            self._watcher.join(5)
