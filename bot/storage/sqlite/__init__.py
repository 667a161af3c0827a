"""The SQLite store: `from bot.storage.sqlite import SqliteStore`."""

from __future__ import annotations

from bot.storage.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
