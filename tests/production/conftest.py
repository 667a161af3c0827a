"""Fixtures and the `slow` marker for the production tests."""

import pytest

from tests.fixtures import ptb_timedelta

__all__ = ["ptb_timedelta"]


def pytest_configure(config: pytest.Config) -> None:
    """Register `slow`: CI runs these too; `pytest -m "not slow"` leaves them out locally."""
    config.addinivalue_line("markers", "slow: takes most of a minute (Telegram's real limits)")
