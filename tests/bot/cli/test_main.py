"""The command line imports only the plugin module of the command given (a start imports no other command)."""

from __future__ import annotations

import pytest

from bot.cli.main import PLUGINS, plugins_for


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], []),
        (["chat"], []),
        (["--config", "x.toml", "search", "dk ket hon"], []),
        (["--log-level", "DEBUG", "catalog", "reload"], []),
        (["--config=x.toml", "report", "--csv"], ["bot.cli.reports"]),
        (["serve", "--port", "9000"], ["bot.cli.channels"]),
        (["dossiers", "import", "chat"], ["bot.cli.dossiers"]),
    ],
)
def test_only_the_command_s_module_is_imported(argv: list[str], expected: list[str]) -> None:
    assert plugins_for(argv) == expected


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["dosiers"]])
def test_help_and_unknown_words_list_every_command(argv: list[str]) -> None:
    assert plugins_for(argv) == list(PLUGINS)


def test_the_search_command_says_what_it_understood() -> None:
    from bot.cli.main import understood
    from bot.search.intent import Intent

    line = understood(Intent(events=("mat",), objects=("so_do",), asks=("time", "fee"), abroad=True))
    assert line == "understood: events mat; objects so_do; who citizen; asks time, fee; another country named"
    assert understood(Intent()) == "understood: events -; objects -; who citizen; asks -"
