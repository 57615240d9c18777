"""Fixtures shared by the alert and officer tests."""

from tests.alerts.factory import secret_key  # noqa: F401  (autouse)
