"""Files the store cannot use: refused at start with one line, and left as they were."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from bot.errors import StorageError
from bot.storage import schema
from bot.storage.sqlite import SqliteStore
from tests.dbfile import read_rows, write_rows
from tests.storage.sessions import CHAT, session


async def populated(path: Path) -> None:
    """Leave a database with one chat, one session and one answer, written by a bot."""
    store = await SqliteStore.open(path)
    await store.begin(CHAT, session(("usage", "home", 510.0)))
    await store.close()


async def test_a_newer_schema_is_refused_and_left_alone(db_path: Path) -> None:
    await populated(db_path)
    newer = schema.LATEST + 1
    write_rows(db_path, f"PRAGMA user_version = {newer}")

    with pytest.raises(StorageError) as caught:
        await SqliteStore.open(db_path)

    assert str(caught.value) == (
        f"{db_path} has schema version {newer}, newer than this bot's {schema.LATEST}; upgrade"
        " the bot or point DATABASE_PATH at another file"
    )
    assert read_rows(db_path, "PRAGMA user_version") == [(newer,)]
    assert read_rows(db_path, "SELECT chat_id, status FROM sessions") == [(CHAT, "active")]


async def test_an_unwritable_place_is_refused(tmp_path: Path) -> None:
    if os.geteuid() == 0:  # root writes through chmod: put a file where the directory goes
        (tmp_path / "afile").write_text("not a directory")
        path = tmp_path / "afile" / "x.db"
        expected = "is a file, not a directory"
    else:
        locked_dir = tmp_path / "readonly"
        locked_dir.mkdir()
        locked_dir.chmod(0o500)
        path = locked_dir / "x.db"
        expected = f"this user cannot write to the directory {locked_dir}"

    with pytest.raises(StorageError) as caught:
        await SqliteStore.open(path)

    message = str(caught.value)
    assert message.startswith(f"cannot open database {path}: ")
    assert expected in message
    assert "DATABASE_PATH" in message
    assert "\n" not in message


async def test_a_directory_as_the_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError) as caught:
        await SqliteStore.open(tmp_path)

    assert str(caught.value) == (
        f"cannot open database {tmp_path}: it is a directory, not a file;"
        " fix that or point DATABASE_PATH at another file"
    )


def side_files(path: Path) -> list[Path]:
    """Return the files SQLite keeps beside a database, those that exist."""
    return [side for suffix in ("-wal", "-shm", "-journal")
            if (side := path.with_name(path.name + suffix)).exists()]


@pytest.mark.parametrize("kind", ["a character device", "a named pipe"])
async def test_a_device_or_a_pipe_as_the_path_is_refused_untouched(
    tmp_path: Path, kind: str
) -> None:
    # SQLite opens /dev/null without complaint, writes /dev/null-journal beside it and then
    # fails with "disk I/O error".
    if kind == "a named pipe":
        path = tmp_path / "advisor.db"
        os.mkfifo(path)
    else:
        path = Path("/dev/null")
    before = side_files(path)

    with pytest.raises(StorageError) as caught:
        await SqliteStore.open(path)

    assert str(caught.value) == (
        f"cannot open database {path}: it is {kind}, not a file;"
        " fix that or point DATABASE_PATH at another file"
    )
    assert side_files(path) == before


GARBAGE = b"these bytes were never an SQLite database\n" * 100


@pytest.fixture
def garbage_path(db_path: Path) -> Path:
    db_path.write_bytes(GARBAGE)
    return db_path


def contents(path: Path) -> bytes:
    return path.read_bytes()


async def test_a_corrupt_file_is_refused_and_left_alone(garbage_path: Path) -> None:
    db_path = garbage_path
    with pytest.raises(StorageError) as caught:
        await SqliteStore.open(db_path)

    assert str(caught.value) == (
        f"{db_path} is not a usable SQLite database (file is not a database);"
        " restore it from a backup, or move it away and point DATABASE_PATH at a new file"
    )
    assert contents(db_path) == GARBAGE


async def test_a_database_locked_too_long_is_refused_at_start(db_path: Path) -> None:
    await populated(db_path)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError) as caught:
            await SqliteStore.open(db_path, busy_timeout=0.05)
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert str(caught.value) == (
        f"database {db_path} is locked: another program kept it busy for more than 0.05 s;"
        " stop the other program (another copy of the bot?) or point DATABASE_PATH at"
        " another file"
    )
    assert read_rows(db_path, "SELECT question_id, option_id FROM answers") == [("usage", "home")]


async def test_a_database_locked_while_running_fails_the_save_cleanly(db_path: Path) -> None:
    store = await SqliteStore.open(db_path, busy_timeout=0.05)
    try:
        stored = await store.begin(CHAT, session())
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StorageError, match="is locked"):
                await store.save(stored, session(("usage", "home", 510.0), current="budget"))
        finally:
            holder.execute("ROLLBACK")
            holder.close()

        assert await store.current(CHAT) == stored  # nothing half-written, still usable
        await store.save(stored, session(("usage", "home", 510.0), current="budget"))
    finally:
        await store.close()
    assert read_rows(db_path, "SELECT option_id FROM answers") == [("home",)]
