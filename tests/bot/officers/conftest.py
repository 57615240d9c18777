"""Fixtures shared by the alert and officer tests."""

from tests.bot.late.factory import secret_key  # noqa: F401  (autouse)
