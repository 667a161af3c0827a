"""Fixtures for the fake's own tests."""

from tests.fixtures import ptb_timedelta

__all__ = ["ptb_timedelta"]
