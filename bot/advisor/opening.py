"""Open an Advisor on the configured dialogue and database, and close it again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.advisor.advisor import Advisor
from bot.config import Settings
from bot.engine.loader import load_dialogue
from bot.storage.sqlite import SqliteStore


@asynccontextmanager
async def opened(settings: Settings, *, offer_to_continue: bool) -> AsyncIterator[Advisor]:
    """Yield an Advisor on DIALOGUE_PATH and DATABASE_PATH; close the database after.

    With `offer_to_continue`, a session left for INACTIVITY_HOURS is offered "continue or
    start over" (in Telegram; the terminal just continues).
    """
    dialogue = load_dialogue(settings.dialogue_path)
    store = await SqliteStore.open(settings.database_path)
    idle_after = settings.inactivity_hours * 3600 if offer_to_continue else None
    try:
        yield Advisor(dialogue, store, idle_after=idle_after)
    finally:
        await store.close()
