"""Fixtures for end-to-end tests; tests/conftest.py imports them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from testing.fakebot.server import FakeBotApi


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    """Yield a running fake Bot API without send limits."""
    async with FakeBotApi() as api:
        yield api


@pytest.fixture
async def limited_api() -> AsyncIterator[FakeBotApi]:
    """Yield a running fake Bot API that answers 429 past Telegram's send limits."""
    async with FakeBotApi(enforce_limits=True) as api:
        yield api


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta periods: reading `RetryAfter.retry_after` otherwise warns.

    In force wherever a conftest imports it.
    """
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
