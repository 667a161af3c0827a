"""The real bot (PTB Application, engine, SQLite store) polling the fake Bot API in-process.

The same harness as the reliability tests use; see tests/reliability/harness.py.
"""

from tests.reliability.harness import RunningBot, running_bot

__all__ = ["RunningBot", "running_bot"]
