"""Fixtures for the fake's own tests."""

import pytest

from tests.fakebot.fixtures import fake_api, limited_api

__all__ = ["fake_api", "limited_api", "ptb_timedelta"]


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta periods: reading `RetryAfter.retry_after` otherwise warns."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
