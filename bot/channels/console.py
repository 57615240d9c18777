"""The console chat: the same handlers in a terminal (the embedded default channel)."""

from __future__ import annotations

import re
import sys
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from bot.app import Assistant
from bot.channels.split import strip_tags
from bot.contract.messages import Incoming, Kind, Reply

CHANNEL = "console"
_BOLD_RE = re.compile(r"<b>(.*?)</b>", re.S)
_ITALIC_RE = re.compile(r"<i>(.*?)</i>", re.S)


def render(reply: Reply) -> str:
    """Rich markup for a reply: bold/italic kept, links shown with their address, choices numbered."""
    text = _BOLD_RE.sub(lambda m: "\x01" + m.group(1) + "\x02", reply.text)
    text = _ITALIC_RE.sub(lambda m: "\x03" + m.group(1) + "\x04", text)
    text = escape(strip_tags(text))
    text = text.replace("\x01", "[bold]").replace("\x02", "[/bold]")
    text = text.replace("\x03", "[italic]").replace("\x04", "[/italic]")
    choices = reply.flat_choices()
    if choices:
        text += "\n" + "\n".join(f"  [cyan][{i}][/cyan] {escape(c.label)}" for i, c in enumerate(choices, 1))
    return text


def run_console(
    assistant: Assistant, stdin: TextIO | None = None, console: Console | None = None, chat_id: str = "local"
) -> None:
    """Read questions line by line and print the answers until EOF, "/quit" or Ctrl-C."""
    stdin = stdin or sys.stdin
    console = console or Console(highlight=False)
    interactive = stdin.isatty()
    office = assistant.settings.office.name
    console.print(f"[bold]{escape(office)}[/bold] — trợ lý thủ tục hành chính. Gõ /start, /help; /quit để thoát.")
    for reply in assistant.handle(Incoming(channel=CHANNEL, chat_id=chat_id, user_id=chat_id, text="/start")):
        console.print(render(reply), "")
    while True:
        try:
            line = console.input("[green]> [/green]") if interactive else stdin.readline()
        except (EOFError, KeyboardInterrupt):
            break
        if not interactive:
            if not line:
                break
            console.print(f"[green]> {escape(line.rstrip())}[/green]")
        if line.strip() in ("/quit", "/exit", "/thoat"):
            break
        incoming = Incoming(channel=CHANNEL, chat_id=chat_id, user_id=chat_id, kind=Kind.TEXT, text=line)
        for reply in assistant.handle(incoming):
            console.print(render(reply), "")
