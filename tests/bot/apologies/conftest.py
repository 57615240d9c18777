"""Fixtures shared by the apology tests."""

from tests.bot.late.factory import secret_key  # noqa: F401  (autouse)
