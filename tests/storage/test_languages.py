"""What the stores keep about languages: the chat's /language choice and each session's."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.storage.base import SessionStore
from bot.storage.memory import MemoryStore
from bot.storage.sqlite import SqliteStore
from tests.dbfile import read_rows
from tests.storage.sessions import CHAT, OTHER, session, ticking


async def _store(kind: str, db_path: Path) -> SessionStore:
    if kind == "memory":
        return MemoryStore(ticking())
    return await SqliteStore.open(db_path, clock=ticking())


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_the_choice_outlives_sessions_and_moves_the_open_one(
    db_path: Path, kind: str
) -> None:
    store = await _store(kind, db_path)
    try:
        assert await store.chosen_language(CHAT) is None
        await store.choose_language(CHAT, "es")  # before any session
        assert await store.chosen_language(CHAT) == "es"
        begun = await store.begin(CHAT, replace(session(), language="es"))
        assert begun.chosen_language == "es"
        await store.choose_language(CHAT, "ru")
        current = await store.current(CHAT)
        assert current is not None
        assert (current.chosen_language, current.session.language) == ("ru", "ru")
        saved = await store.save(current, replace(current.session, current="hours"))
        assert saved.chosen_language == "ru"
        assert await store.chosen_language(OTHER) is None
        await store.forget(CHAT)
        assert await store.chosen_language(CHAT) is None
    finally:
        await store.close()


async def test_sqlite_keeps_both_across_a_reopen(db_path: Path) -> None:
    store = await SqliteStore.open(db_path, clock=ticking())
    await store.begin(CHAT, replace(session(), language="en"))
    await store.choose_language(CHAT, "ru")
    await store.close()
    reopened = await SqliteStore.open(db_path, clock=ticking())
    try:
        current = await reopened.current(CHAT)
        assert current is not None
        assert (current.chosen_language, current.session.language) == ("ru", "ru")
    finally:
        await reopened.close()
    assert read_rows(db_path, "SELECT language FROM chats") == [("ru",)]
    assert read_rows(db_path, "SELECT language FROM sessions") == [("ru",)]
