"""Fixtures shared by every test folder."""

from tests.fixtures import fake_api, limited_api, ptb_timedelta

__all__ = ["fake_api", "limited_api", "ptb_timedelta"]
