"""The real bot (PTB Application, engine, SQLite store) polling the fake Bot API in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.advisor import Advisor
from bot.config import DEFAULT_DIALOGUE, Settings
from bot.engine.loader import load_dialogue
from bot.storage.sqlite import SqliteStore
from bot.telegram.runner import build_application, polling
from tests.dbfile import latest_answers, read_rows
from tests.fakebot.server import FakeBotApi


@dataclass
class RunningBot:
    """A bot under test and where to look at what it stored."""

    app: Application[Any, Any, Any, Any, Any, Any]
    store: SqliteStore
    db_path: Path

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        """Read the database the way an operator would, with a separate connection."""
        return read_rows(self.db_path, sql, *params)

    def answers(self, chat_id: int) -> list[tuple[str, str]]:
        """Return (question, option) of the chat's latest session, in order."""
        return latest_answers(self.db_path, chat_id)


@asynccontextmanager
async def running_bot(
    api: FakeBotApi, db_path: Path, dialogue_path: Path = DEFAULT_DIALOGUE, **more: Any
) -> AsyncIterator[RunningBot]:
    """Run the bot against `api` until the block ends, then stop it before the server.

    `more` are further Settings fields (admin_chat_ids, inactivity_hours, ...).
    """
    # Telegram's pacing (about a message a second per chat) would only slow these tests down;
    # tests/production measure it against a fake that enforces the limits.
    more.setdefault("flood_control", False)
    settings = Settings(
        token=api.token, base_url=api.base_url, database_path=db_path,
        dialogue_path=dialogue_path, **more,
    )
    store = await SqliteStore.open(db_path)
    try:
        advisor = Advisor(
            load_dialogue(dialogue_path), store, idle_after=settings.inactivity_hours * 3600
        )
        app = build_application(settings, advisor)
        async with polling(app):
            yield RunningBot(app, store, db_path)
    finally:
        await store.close()
