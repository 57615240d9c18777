"""The console: the same assistant in a terminal (the embedded default channel), and the outbox's demo target."""

from __future__ import annotations

import re
import sys
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from bot.channels.base import Channel, File, Registration, Responder, render
from bot.contract.capabilities import Capabilities
from bot.contract.html import strip_tags
from bot.contract.messages import Attachment, Choice, Incoming, Kind, Reply

CHANNEL = "console"
_BOLD_RE = re.compile(r"<b>(.*?)</b>", re.S)
_ITALIC_RE = re.compile(r"<i>(.*?)</i>", re.S)
_CHOICE_RE = re.compile(r"^  \[(\d+)\] ", re.M)


def markup(html: str) -> str:
    """Rich markup for reply HTML: bold/italic kept, links shown with their address, choices in colour."""
    text = _BOLD_RE.sub(lambda m: "\x01" + m.group(1) + "\x02", html)
    text = _ITALIC_RE.sub(lambda m: "\x03" + m.group(1) + "\x04", text)
    text = escape(strip_tags(text))
    text = text.replace("\x01", "[bold]").replace("\x02", "[/bold]")
    text = text.replace("\x03", "[italic]").replace("\x04", "[/italic]")
    return _CHOICE_RE.sub(lambda m: f"  [cyan][{m.group(1)}][/cyan] ", text)


class ConsoleChannel(Channel):
    """Prints replies in the terminal: choices numbered ``[1]``, files by name and size."""

    name = CHANNEL
    platform = "console"
    capabilities = Capabilities(buttons=False, max_text=100_000, html=True, photos=True, files=True,
                                proactive=True)  # fmt: skip
    choice_line = "  [{number}] {label}"

    def __init__(self, console: Console | None = None, *, announce: bool = False) -> None:
        self.console = console or Console(highlight=False)
        self.announce = announce  # the outbox: say which chat each message is for

    def show(self, reply: Reply) -> None:
        """Print ``reply`` as the chat shows it."""
        for part in render(reply, self.capabilities, self.platform, self.choice_line):
            if isinstance(part, File):
                self._file(part.attachment)
            else:
                self.console.print(markup(part.text), "")

    def _file(self, attachment: Attachment) -> None:
        self.console.print(f"[dim]📎 {escape(attachment.filename)} ({len(attachment.content)} bytes)[/dim]")

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Print ``reply`` (from the outbox: under a line naming the chat)."""
        if self.announce:
            self.console.print(f"[dim]── outbox → {escape(chat_id)}[/dim]")
        self.show(reply)

    async def send_text(self, chat_id: str, text: str, choices: list[list[Choice]]) -> None:
        """Print one text."""
        self.console.print(markup(text), "")

    async def send_file(self, chat_id: str, attachment: Attachment, as_photo: bool) -> None:
        """Name the file."""
        self._file(attachment)


def run_console(
    assistant: Responder, stdin: TextIO | None = None, console: Console | None = None, chat_id: str = "local"
) -> None:
    """Read questions line by line and print the answers until EOF, "/quit" or Ctrl-C."""
    stdin = stdin or sys.stdin
    channel = ConsoleChannel(console)
    interactive = stdin.isatty()
    office = assistant.settings.office.name
    channel.console.print(f"[bold]{escape(office)}[/bold] — trợ lý thủ tục hành chính. Gõ /start, /help; /quit để "
                          "thoát.")  # fmt: skip
    for reply in assistant.handle(Incoming(channel=CHANNEL, chat_id=chat_id, user_id=chat_id, text="/start")):
        channel.show(reply)
    while True:
        try:
            line = channel.console.input("[green]> [/green]") if interactive else stdin.readline()
        except (EOFError, KeyboardInterrupt):
            break
        if not interactive:
            if not line:
                break
            channel.console.print(f"[green]> {escape(line.rstrip())}[/green]")
        if line.strip() in ("/quit", "/exit", "/thoat"):
            break
        incoming = Incoming(channel=CHANNEL, chat_id=chat_id, user_id=chat_id, kind=Kind.TEXT, text=line)
        for reply in assistant.handle(incoming):
            channel.show(reply)


REGISTRATION = Registration(
    name=CHANNEL,
    capabilities=ConsoleChannel.capabilities,
    enabled=lambda settings: True,
    outbox=lambda settings, db: ConsoleChannel(announce=True),
)
