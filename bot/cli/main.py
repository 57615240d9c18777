"""Command line: ``python -m bot [run|chat|telegram|catalog|search]``."""

from __future__ import annotations

import argparse
import importlib
import io
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings, load_settings
from bot.logs import setup_logging
from bot.masking import install_log_filter
from bot.security import secret_key

if TYPE_CHECKING:
    from bot.search.intent import Intent

log = logging.getLogger("bot")

#: The modules of ``bot/cli/`` that add commands: module → the commands it adds.
#: Each module has ``add_parser(subparsers)`` and ``run(args, settings) -> int``.
PLUGINS: dict[str, tuple[str, ...]] = {
    "bot.cli.dossiers": ("dossiers",),
    "bot.cli.officers": ("officers",),
    "bot.cli.alerts": ("alerts",),
    "bot.cli.apology": ("apology",),
    "bot.cli.reports": ("report",),
    "bot.cli.channels": ("serve", "web", "zalo"),
    "bot.cli.db": ("db",),
    "bot.cli.gaps": ("gaps",),
    "bot.cli.privacy": ("privacy",),
}


_BUILT_IN = ("run", "chat", "telegram", "catalog", "search")
_VALUED = ("--config", "--log-level")  # the main options that take a value


def _command_word(argv: list[str]) -> str | None:
    """The command named in ``argv`` (None when there is none: ``run``, or only options such as ``--help``)."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in _VALUED:
            skip = True
        elif not word.startswith("-"):
            return word
    return None


def plugins_for(argv: list[str]) -> list[str]:
    """The plugin modules to import for ``argv``: the one adding its command, none for a built-in command or no
    command at all, every one for ``--help`` or an unknown word (so argparse can list or suggest them)."""
    command = _command_word(argv)
    if command is None:
        return list(PLUGINS) if {"-h", "--help"} & set(argv) else []
    if command in _BUILT_IN:
        return []
    return [module for module, commands in PLUGINS.items() if command in commands] or list(PLUGINS)


def _parser(plugins: list[str] | None = None) -> argparse.ArgumentParser:
    """The command line parser with the commands of ``plugins`` (default: every plugin)."""
    p = argparse.ArgumentParser(prog="python -m bot", description="Trợ lý thủ tục hành chính")
    p.add_argument("--config", type=Path, help="path to config.toml (default: ./config.toml or $ASSISTANT_CONFIG)")
    p.add_argument("--log-level", default="INFO")
    sub = p.add_subparsers(dest="command")
    sub.add_parser("run", help="`serve` when a channel is configured (Telegram token, Zalo, web chat), else the "
                              "console chat")  # fmt: skip
    sub.add_parser("chat", help="chat in the terminal")
    sub.add_parser("telegram", help="alias of serve that insists on TELEGRAM_BOT_TOKEN")

    cat = sub.add_parser("catalog", help="import or validate the procedure catalog")
    cat_sub = cat.add_subparsers(dest="catalog_command", required=True)
    imp = cat_sub.add_parser("import", help="convert a portal export (.jsonl/.jsonl.gz) into catalog files")
    imp.add_argument("source", type=Path)
    imp.add_argument("--dest", type=Path, help="catalog folder (default: catalog.path from config)")
    val = cat_sub.add_parser("validate", help="check every catalog file; print problems as file:line")
    val.add_argument("--path", type=Path, help="catalog folder (default: catalog.path from config)")
    rel = cat_sub.add_parser("reload", help="check the files and keep them as the last good catalog "
                             "(running assistants follow); refused when too many procedures disappear")
    rel.add_argument("--allow-removals", action="store_true",
                     help="accept an edit that removes more than [catalog].max_removal_share of the procedures")
    cat_sub.add_parser("aliases", help="ask every alias as a question; list those whose own procedure is not first")
    add = cat_sub.add_parser("add-question", help="add an example question with the procedures that answer it "
                             "(procedures_catalog/questions.tsv)")
    add.add_argument("question", help="the question as the citizen wrote it (in quotes)")
    add.add_argument("codes", nargs="+", help="codes of the procedures that answer it, e.g. 1.013065 (NONE: no "
                     "procedure of the catalog does)")
    add.add_argument("--path", type=Path, help="catalog folder (default: catalog.path from config)")

    search = sub.add_parser("search", help="search procedures")
    search.add_argument("--jsonl", action="store_true", help="batch: one question per stdin line → JSON lines")
    search.add_argument("query", nargs="*", help="a question (when not --jsonl)")
    for module in PLUGINS if plugins is None else plugins:
        importlib.import_module(module).add_parser(sub)
    return p


def _catalog_root(settings: Settings, given: Path | None) -> Path:
    return given if given is not None else settings.resolve(settings.catalog.path)


def _cmd_catalog(args: argparse.Namespace, settings: Settings) -> int:
    from rich.console import Console

    if args.catalog_command == "import":
        from bot.catalog.importer import import_catalog

        if not args.source.exists():
            print(f"error: {args.source} does not exist", file=sys.stderr)
            return 2
        report = import_catalog(args.source, _catalog_root(settings, args.dest))
        report.render(Console())
        return 0
    if args.catalog_command == "reload":
        from bot.cli.catalog import reload

        return reload(settings, args.allow_removals)
    if args.catalog_command == "aliases":
        from bot.cli.catalog import check_aliases

        return check_aliases(settings)
    if args.catalog_command == "add-question":
        from bot.cli.catalog import add_question

        return add_question(_catalog_root(settings, args.path), args.question, args.codes)
    from bot.catalog.loader import validate_catalog
    from bot.catalog.problems import format_problems

    root = _catalog_root(settings, args.path)
    problems = validate_catalog(root)
    if problems:
        print(format_problems(problems), file=sys.stderr)
        print(f"{len(problems)} problem(s) in {root}", file=sys.stderr)
        return 1
    print(f"catalog OK: {root}")
    return 0


def _knowledge(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.knowledge import catalog_knowledge, open_catalog

    return catalog_knowledge(open_catalog(settings), settings)


def _cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    knowledge = _knowledge(settings)
    if args.jsonl:
        from bot.search.batch import run_jsonl

        stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
        stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", write_through=True)
        run_jsonl(knowledge.engine, stdin, stdout)
        stdout.flush()
        return 0
    query = " ".join(args.query)
    result = knowledge.engine.search(query)
    print(f"confidence: {result.confidence}; answer: {result.answer}; probability: {result.probability:.2f}")
    if result.alternatives:
        print(f"alternatives: {', '.join(result.alternatives)}")
    print(understood(result.intent))
    for hit in result.results:
        print(f"  {hit.score:.3f}  {hit.code}  {hit.name}")
    return 0


def understood(intent: Intent) -> str:
    """What the search understood of a message, one line for ``python -m bot search``."""
    return (
        f"understood: events {', '.join(intent.events) or '-'}; objects {', '.join(intent.objects) or '-'}; "
        f"who {intent.who}; asks {', '.join(intent.asks) or '-'}" + ("; another country named" if intent.abroad else "")
    )


def _messaging(settings: Settings) -> bool:
    """Whether a messaging channel is configured (``run`` then serves; the service is imported only here)."""
    from bot.service import messaging_channels

    return bool(messaging_channels(settings))


def _run(command: str, settings: Settings) -> int:
    from bot.service import run

    try:
        return run(command, settings)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    words = sys.argv[1:] if argv is None else argv
    args = _parser(plugins_for(words)).parse_args(words)
    command = args.command or "run"
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"config error:\n{exc}", file=sys.stderr)
        return 2
    # the console chat writes to the terminal: keep logs to warnings there
    quiet = command in ("chat", "search") or (command == "run" and not _messaging(settings))
    setup_logging("WARNING" if quiet else args.log_level, settings.logging.format)
    install_log_filter(secret_key(settings))  # chat pseudonyms keyed with the server secret
    if command == "catalog":
        return _cmd_catalog(args, settings)
    if command == "search":
        return _cmd_search(args, settings)
    from bot.catalog.loader import CatalogError

    try:
        for module, commands in PLUGINS.items():
            if command in commands:
                return int(importlib.import_module(module).run(args, settings))
        return _run(command, settings)
    except CatalogError as error:  # a broken catalog and no last good one: the problems, no traceback
        from bot.cli.catalog import refuse_to_start

        return refuse_to_start(error, settings)
