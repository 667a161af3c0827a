"""Fixtures for the fake's own tests."""

from tests.fakebot.fixtures import ptb_timedelta

__all__ = ["ptb_timedelta"]
