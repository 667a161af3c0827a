"""Database faults as an operator meets them: one clear line at start-up, or an apology to the
person and nothing lost while running."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import pytest

from testing.fakebot.server import FakeBotApi
from tests.botprocess import run_bot_command
from tests.dbfile import read_rows
from tests.reliability.harness import bot_environment, running_bot


def corrupt(tmp_path: Path) -> Path:
    path = tmp_path / "advisor.db"
    path.write_bytes(b"these bytes were never an SQLite database\n" * 100)
    return path


def unwritable(tmp_path: Path) -> Path:
    if os.geteuid() == 0:  # root writes through chmod: put a file where the directory goes
        (tmp_path / "afile").write_text("not a directory")
        return tmp_path / "afile" / "advisor.db"
    locked = tmp_path / "readonly"
    locked.mkdir()
    locked.chmod(0o500)
    return locked / "advisor.db"


def newer(tmp_path: Path) -> Path:
    path = tmp_path / "advisor.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    return path


def contents(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


@pytest.mark.parametrize(("make", "says"), [
    (corrupt, "is not a usable SQLite database"),
    (unwritable, "cannot open database"),
    (newer, "has schema version 99"),
], ids=["corrupt file", "unwritable place", "newer schema"])
async def test_python_m_bot_refuses_an_unusable_database_in_one_line(
    fake_api: FakeBotApi, tmp_path: Path, make: object, says: str
) -> None:
    assert callable(make)
    db: Path = make(tmp_path)
    before = contents(db)
    code, out, err = await run_bot_command(env=bot_environment(fake_api, db), cwd=tmp_path)

    assert code != 0
    assert err.startswith("error: "), err
    assert says in err, err
    assert err.count("\n") == 1, err  # one line, no traceback
    assert "Traceback" not in err + out
    assert "DATABASE_PATH" in err  # and it says what to do
    if make is corrupt:
        assert contents(db) == before  # the file is left as it was
    if make is newer:
        assert read_rows(db, "PRAGMA user_version") == [(99,)]
    assert [c.method for c in fake_api.calls] == []  # it never started talking to Telegram


async def test_a_database_locked_too_long_while_running_loses_nothing(
    fake_api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "bot.db"
    async with running_bot(fake_api, db, busy_timeout=0.2) as bot:
        user = fake_api.user(7001)
        await bot.until_handled(user.queue_text("/start"))
        await bot.press(user, "Commute & travel")

        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another program keeps the write lock
        try:
            await bot.press(user, "3+ hours, most days")
        finally:
            holder.execute("ROLLBACK")
            holder.close()

        [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert "is locked" in str(record.exc_info[1] if record.exc_info else "")
        # The person hears something went wrong and sees the question to answer again.
        assert user.last_text.startswith(bot.dialogue.texts.error)
        assert "Question 2 of " in user.last_text
        assert bot.answers(7001) == [("use", "commute")]

        await bot.press(user, "3+ hours, most days")
        assert "Question 3 of " in user.last_text
        assert bot.answers(7001) == [("use", "commute"), ("hours", "long")]
    assert read_rows(db, "PRAGMA integrity_check") == [("ok",)]

