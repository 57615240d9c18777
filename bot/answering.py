"""The answering process: the inbox worker of ``python -m bot serve``, in a process of its own.

Answering is CPU work (the search, 5–10 ms a question); on a thread of the web process it would hold the
interpreter (the GIL) while webhook requests wait for it, and their acknowledgements would take hundreds of
milliseconds under load. So ``serve`` starts this process beside its web server: it loads the assistant
itself, answers the inbox (``bot.inbox.worker``) and tells the parent when replies were written, so the
parent's outbox dispatcher sends them at once. It is woken when the web server records updates, stops when
asked (after its batch) or when its parent is gone, and the parent starts it again if it dies.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import threading
from collections.abc import Callable
from multiprocessing.synchronize import Event

from bot.app import build_assistant
from bot.channels import registry
from bot.config import Settings
from bot.inbox.worker import InboxWorker
from bot.logs import setup_logging

log = logging.getLogger(__name__)

#: Seconds the process waits for a wake-up before looking at the inbox anyway (rows of other replicas).
IDLE_SECONDS = 1.0


def answer_forever(settings: Settings, wake: Event, stop: Event, answered: Event, parent: int, level: str) -> None:
    """The process's body: answer the inbox until ``stop`` is set or the parent process ``parent`` is gone."""
    setup_logging(level, settings.logging.format)
    assistant = build_assistant(settings)
    worker = InboxWorker(assistant.db, assistant)
    worker.extras.update(registry.inbox_extras(settings, assistant.db))
    worker.after_commit.append(answered.set)
    try:
        while not stop.is_set() and os.getppid() == parent:
            wake.clear()
            try:
                if worker.run_once():
                    continue
            except Exception:  # a database hiccup must not end answering for good
                log.exception("inbox: batch failed; retrying")
            wake.wait(IDLE_SECONDS)
    finally:
        worker.close()
        assistant.close()


class Answering:
    """Starts, watches and stops the answering process; ``on_answered`` runs (on a thread of this process)
    each time it wrote replies."""

    def __init__(self, settings: Settings, on_answered: Callable[[], None]) -> None:
        self.settings = settings
        self.on_answered = on_answered
        self._context = mp.get_context("spawn")
        self._wake, self._stop, self._answered = self._context.Event(), self._context.Event(), self._context.Event()
        self._process: mp.process.BaseProcess | None = None
        self._watcher: threading.Thread | None = None
        self._stopping = threading.Event()

    def wake(self) -> None:
        """New updates are in the inbox (called by the intake after a commit)."""
        self._wake.set()

    def start(self) -> None:
        """Start the process and the thread relaying its "answered" signals (and restarting it)."""
        self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="answering-watch", daemon=True)
        self._watcher.start()

    def _spawn(self) -> None:
        level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
        self._process = self._context.Process(
            target=answer_forever, name="answering", daemon=True,
            args=(self.settings, self._wake, self._stop, self._answered, os.getpid(), level),
        )  # fmt: skip
        self._process.start()

    def _watch(self) -> None:
        while not self._stopping.is_set():
            if self._answered.wait(0.5):
                self._answered.clear()
                self.on_answered()
            process = self._process
            if process is not None and not process.is_alive() and not self._stopping.is_set():
                log.error("the answering process stopped (exit code %s); starting it again", process.exitcode)
                self._spawn()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the process to stop after its batch; wait for it (then terminate it)."""
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
