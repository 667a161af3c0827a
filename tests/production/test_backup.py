"""`python -m bot backup FILE`: a checked copy of the live database, never an overwrite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.cli.backup import backup_command
from bot.config import DEFAULT_DIALOGUE, Settings
from bot.engine import engine
from bot.engine.loader import load_dialogue
from bot.storage.base import NOT_SHOWN, RESTORED
from bot.storage.schema import LATEST
from bot.storage.sqlite import SqliteStore


async def test_a_backup_taken_while_the_bot_writes_holds_every_committed_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, copy = tmp_path / "advisor.db", tmp_path / "backups" / "advisor-1.db"
    copy.parent.mkdir()
    dialogue = load_dialogue(DEFAULT_DIALOGUE)
    store = await SqliteStore.open(db)  # stays open: the bot is running
    try:
        for chat in (1, 2, 3):
            step = engine.start(dialogue, 0.0)
            stored = await store.begin(chat, step.session)
            pressed = engine.press(dialogue, step.session, "use:home", 1.0)
            await store.save(stored, pressed.session)
        assert backup_command(Settings(database_path=db), copy) == 0
    finally:
        await store.close()
    assert capsys.readouterr().out == (
        f"✓ backed up {db} to {copy}: 3 chats, 3 sessions, 3 answers, schema version {LATEST}\n")
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT option_id FROM answers").fetchall() == [("home",)] * 3
        # Put back, the copy makes the bot show each chat where it stands before going on.
        assert conn.execute("SELECT DISTINCT shown FROM sessions").fetchall() == [(RESTORED,)]
    with sqlite3.connect(db) as conn:  # the live database is left as it was
        assert conn.execute("SELECT DISTINCT shown FROM sessions").fetchall() == [(NOT_SHOWN,)]
    assert not list(copy.parent.glob("*.partial"))


def test_a_backup_never_overwrites_and_needs_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "old-backup.db"
    existing.write_bytes(b"yesterday's backup")
    missing = Settings(database_path=tmp_path / "nothing.db")
    assert backup_command(missing, tmp_path / "new.db") == 1
    assert "nothing to back up" in capsys.readouterr().err
    assert not (tmp_path / "nothing.db").exists()

    db = tmp_path / "advisor.db"
    sqlite3.connect(db).close()
    assert backup_command(Settings(database_path=db), existing) == 1
    assert "choose a new file" in capsys.readouterr().err
    assert existing.read_bytes() == b"yesterday's backup"
