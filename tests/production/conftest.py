"""Fixtures and the `slow` marker for the production tests."""

import pytest

from tests.fakebot.fixtures import fake_api, limited_api

__all__ = ["fake_api", "limited_api", "ptb_timedelta"]


def pytest_configure(config: pytest.Config) -> None:
    """Register `slow`: CI runs these too; `pytest -m "not slow"` leaves them out locally."""
    config.addinivalue_line("markers", "slow: takes most of a minute (Telegram's real limits)")


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta periods: reading `RetryAfter.retry_after` otherwise warns."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
