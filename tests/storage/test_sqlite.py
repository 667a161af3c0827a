"""SqliteStore against real files, checked the way an operator would with the sqlite3 CLI."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest

from bot.engine.model import Answer
from bot.errors import StorageError
from bot.storage import schema
from bot.storage.base import SessionStore
from bot.storage.sqlite import SqliteStore
from bot.storage.sqlite.statements import (
    CHAT_LAST_UPDATE,
    CURRENT,
    HISTORY,
    LAST_FINISHED,
    REACTIVATE,
)
from tests.dbfile import read_rows, write_rows
from tests.storage.sessions import CHAT, OTHER, session, ticking

if TYPE_CHECKING:  # mypy checks here that SqliteStore has every method of the protocol
    _CONFORMS: type[SessionStore] = SqliteStore

PROJECT = Path(__file__).resolve().parents[2]


# Schema ------------------------------------------------------------------------------------


async def test_a_new_database_has_the_latest_schema_in_wal_mode(
    store: SqliteStore, db_path: Path
) -> None:
    assert read_rows(db_path, "PRAGMA user_version") == [(schema.LATEST,)]
    assert read_rows(db_path, "PRAGMA journal_mode") == [("wal",)]
    tables = read_rows(db_path, "SELECT name FROM sqlite_master WHERE type = 'table'")
    assert {"answers", "chats", "sessions"} <= {name for (name,) in tables}


async def test_the_connection_is_durable_and_enforces_references(store: SqliteStore) -> None:
    # These settings belong to the store's own connection; no other connection can see them.
    def settings(conn: sqlite3.Connection) -> list[int]:
        return [conn.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("synchronous", "foreign_keys", "busy_timeout")]

    assert await store._connection.waiting(settings) == [2, 1, 5000]  # FULL, ON, 5 s


async def test_a_missing_directory_is_created(tmp_path: Path) -> None:
    path = tmp_path / "data" / "nested" / "advisor.db"
    store = await SqliteStore.open(path)
    await store.close()
    assert read_rows(path, "PRAGMA user_version") == [(schema.LATEST,)]


async def test_a_new_migration_is_applied_once_and_keeps_the_rows(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await SqliteStore.open(db_path)
    await store.begin(CHAT, session())
    await store.close()
    released = schema.LATEST
    monkeypatch.setattr(schema, "MIGRATIONS",
                        (*schema.MIGRATIONS, "CREATE TABLE notes (text TEXT);"))
    monkeypatch.setattr(schema, "LATEST", released + 1)

    for _ in range(2):  # the second open must not apply it again
        store = await SqliteStore.open(db_path)
        await store.close()

    assert read_rows(db_path, "PRAGMA user_version") == [(released + 1,)]
    assert read_rows(db_path, "SELECT count(*) FROM notes") == [(0,)]
    assert read_rows(db_path, "SELECT chat_id, status FROM sessions") == [(CHAT, "active")]


async def test_a_failing_migration_leaves_nothing_half_written(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = "CREATE TABLE notes (text TEXT); CREATE TABLE oops (;"
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, broken))
    monkeypatch.setattr(schema, "LATEST", schema.LATEST + 1)

    with pytest.raises(sqlite3.OperationalError, match="syntax error"):
        await SqliteStore.open(db_path)

    assert read_rows(db_path, "PRAGMA user_version") == [(0,)]
    assert read_rows(db_path, "SELECT name FROM sqlite_master") == []


def test_statements_keep_semicolons_inside_strings_and_triggers() -> None:
    script = """
        CREATE TABLE t (x TEXT DEFAULT 'a;b');
        -- a comment; with a semicolon
        CREATE TRIGGER t_log AFTER INSERT ON t BEGIN
            INSERT INTO t (x) VALUES ('c;d');
        END;
    """
    found = list(schema.statements(script))
    assert len(found) == 2
    assert found[0] == "CREATE TABLE t (x TEXT DEFAULT 'a;b');"
    assert found[1].endswith("END;")
    assert "'c;d'" in found[1]


async def test_the_queries_use_the_indexes(store: SqliteStore, db_path: Path) -> None:
    def plan(sql: str, *params: object) -> str:
        found = read_rows(db_path, f"EXPLAIN QUERY PLAN {sql}", *params)
        return " ".join(str(row[-1]) for row in found)

    # Every read of a chat's sessions, and of its last update id (at every start): the chat's
    # few rows found through an index, no table scanned.
    for sql in (CHAT_LAST_UPDATE, CURRENT, LAST_FINISHED, HISTORY):
        steps = plan(sql, CHAT)
        assert "sessions_by_chat" in steps, sql
        assert "SCAN chats" not in steps, sql
        assert "SCAN sessions" not in steps, sql
    # A press finds out whether its chat was inactive without reading the chat's row.
    reactivate = read_rows(db_path, f"EXPLAIN QUERY PLAN {REACTIVATE}", 1000.0, CHAT)
    assert [row[-1] for row in reactivate] == [
        "SEARCH chats USING INDEX chats_inactive (chat_id=? AND rowid=?)"]


# Sessions ----------------------------------------------------------------------------------


async def test_begin_and_save_round_trip_with_answers_in_order(
    store: SqliteStore, db_path: Path
) -> None:
    stored = await store.begin(CHAT, session())
    assert stored.status == "active"
    assert stored.updated_at == 1000.0

    answered = session(("usage", "commute", 510.0), ("budget", "mid", 520.0), current="fit")
    saved = await store.save(stored, answered)

    assert saved.id == stored.id
    assert saved.updated_at == 1001.0
    assert await store.current(CHAT) == saved
    assert saved.session == answered
    assert read_rows(db_path, "SELECT position, question_id, option_id, answered_at FROM answers"
                         " WHERE session_id = ? ORDER BY position", stored.id) == [
        (0, "usage", "commute", 510.0),
        (1, "budget", "mid", 520.0),
    ]
    assert read_rows(db_path, "SELECT chat_id, dialogue_id, dialogue_version, current_question,"
                         " status, started_at, updated_at, finished_at FROM sessions") == [
        (CHAT, "headphones_vs_iems", "3", "fit", "active", 500.0, 1001.0, None),
    ]
    # A press writes only the session's rows: the chat's row still says when it began.
    assert read_rows(db_path, "SELECT chat_id, active, created_at, updated_at FROM chats") == [
        (CHAT, 1, 1000.0, 1000.0),
    ]


async def test_finishing_records_outcome_and_time(store: SqliteStore, db_path: Path) -> None:
    stored = await store.begin(CHAT, session())
    assert await store.last_finished(CHAT) is None

    done = session(("usage", "stage", 510.0), current=None, outcome="iem")
    finished = await store.save(stored, done)

    assert finished.status == "finished"
    assert finished.session.finished_at == 1001.0  # the engine left it out: the store's time
    assert await store.last_finished(CHAT) == finished
    assert await store.current(CHAT) == finished
    assert read_rows(db_path, "SELECT status, outcome, current_question, finished_at FROM sessions"
                ) == [("finished", "iem", None, 1001.0)]


async def test_start_again_keeps_finished_sessions_and_marks_open_ones_restarted(
    store: SqliteStore, db_path: Path
) -> None:
    first = await store.begin(CHAT, session())
    finished = await store.save(first, session(("usage", "home", 510.0), current=None,
                                               outcome="open_back", finished_at=515.0))
    second = await store.begin(CHAT, session())
    second = await store.save(second, session(("usage", "gym", 530.0), current="budget"))
    third = await store.begin(CHAT, session())

    assert read_rows(db_path, "SELECT id, status FROM sessions ORDER BY id") == [
        (first.id, "finished"), (second.id, "restarted"), (third.id, "active"),
    ]
    assert await store.current(CHAT) == third
    assert await store.last_finished(CHAT) == finished
    history = await store.history(CHAT)
    assert [(s.id, s.status) for s in history] == [
        (first.id, "finished"), (second.id, "restarted"), (third.id, "active"),
    ]
    assert history[0].session.finished_at == 515.0
    assert history[1].session.answers == (Answer("usage", "gym", 530.0),)
    assert history[1].updated_at == 1004.0  # when it was restarted


async def test_back_deletes_the_undone_answers(store: SqliteStore, db_path: Path) -> None:
    stored = await store.begin(CHAT, session())
    three = session(("usage", "commute", 510.0), ("budget", "mid", 520.0),
                    ("wireless", "yes", 530.0), current="fit")
    stored = await store.save(stored, three)

    stored = await store.save(stored, session(("usage", "commute", 510.0), current="budget"))

    assert read_rows(db_path, "SELECT position, option_id FROM answers") == [(0, "commute")]
    assert read_rows(db_path, "SELECT current_question FROM sessions") == [("budget",)]

    changed = session(("usage", "commute", 510.0), ("budget", "high", 540.0), current="wireless")
    await store.save(stored, changed)
    assert read_rows(db_path, "SELECT position, option_id, answered_at FROM answers") == [
        (0, "commute", 510.0), (1, "high", 540.0),
    ]


async def test_back_from_the_result_reopens_the_session(
    store: SqliteStore, db_path: Path
) -> None:
    stored = await store.begin(CHAT, session())
    stored = await store.save(stored, session(("usage", "home", 510.0), current=None,
                                              outcome="open_back"))
    await store.save(stored, session(current="usage"))

    assert read_rows(db_path, "SELECT status, outcome, finished_at FROM sessions") == [
        ("active", None, None),
    ]
    assert read_rows(db_path, "SELECT count(*) FROM answers") == [(0,)]
    assert await store.last_finished(CHAT) is None


async def test_a_stale_stored_session_cannot_leave_gaps(
    store: SqliteStore, db_path: Path
) -> None:
    stored = await store.begin(CHAT, session())
    two = session(("usage", "commute", 510.0), ("budget", "mid", 520.0), current="fit")
    await store.save(stored, two)

    await store.save(stored, session(*[(a.question, a.option, a.at) for a in two.answers],
                                     ("fit", "snug", 530.0), current="wireless"))

    assert read_rows(db_path, "SELECT position, option_id FROM answers ORDER BY position") == [
        (0, "commute"), (1, "mid"), (2, "snug"),
    ]


async def test_saving_a_restarted_session_is_refused(store: SqliteStore, db_path: Path) -> None:
    old = await store.begin(CHAT, session())
    await store.begin(CHAT, session())

    with pytest.raises(ValueError, match="restarted or forgotten"):
        await store.save(old, session(("usage", "home", 510.0), current="budget"))

    assert read_rows(db_path, "SELECT count(*) FROM answers") == [(0,)]


async def test_saving_a_finished_session_after_a_newer_one_began_is_refused(
    store: SqliteStore, db_path: Path
) -> None:
    stored = await store.begin(CHAT, session(), update_id=1)
    finished = await store.save(stored, session(("usage", "stage", 510.0), current=None,
                                                outcome="iem"), update_id=2)
    await store.begin(CHAT, session(), update_id=3)

    # Its update would land on a row that no longer holds the chat's last update id.
    with pytest.raises(ValueError, match="a newer one began"):
        await store.save(finished, session(current="usage"), update_id=10)

    assert await store.last_update_id(CHAT) == 3
    assert read_rows(db_path, "SELECT status FROM sessions ORDER BY id") == [
        ("finished",), ("active",)]


async def test_reopening_the_file_gives_the_same_state(db_path: Path) -> None:
    store = await SqliteStore.open(db_path, clock=ticking())
    stored = await store.begin(CHAT, session())
    await store.save(stored, session(("usage", "commute", 510.0), current="budget"))
    before = await store.history(CHAT)
    await store.close()

    reopened = await SqliteStore.open(db_path)
    try:
        assert await reopened.history(CHAT) == before
        assert await reopened.current(CHAT) == before[-1]
    finally:
        await reopened.close()


async def test_an_acknowledged_save_survives_a_killed_process(db_path: Path) -> None:
    script = f"""
import asyncio
from bot.engine.model import Answer, Session
from bot.storage.sqlite import SqliteStore

async def main():
    store = await SqliteStore.open({str(db_path)!r})
    stored = await store.begin({CHAT}, Session("d", "1", "usage"))
    await store.save(stored, Session("d", "1", "budget", (Answer("usage", "gym", 1.0),)))
    print("saved", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stdout=asyncio.subprocess.PIPE,
        cwd=PROJECT,
    )
    try:
        assert child.stdout is not None
        assert await asyncio.wait_for(child.stdout.readline(), timeout=30) == b"saved\n"
    finally:
        child.kill()  # SIGKILL: no close(), no checkpoint
        await child.wait()

    store = await SqliteStore.open(db_path)
    try:
        current = await store.current(CHAT)
    finally:
        await store.close()
    assert current is not None
    assert current.session.current == "budget"
    assert current.session.answers == (Answer("usage", "gym", 1.0),)


async def test_concurrent_chats_do_not_mix_their_transactions(
    store: SqliteStore, db_path: Path
) -> None:
    async def converse(chat_id: int) -> None:
        stored = await store.begin(chat_id, session())
        for step in range(1, 4):
            answers = [(f"q{n}", f"chat{chat_id}", float(n)) for n in range(step)]
            stored = await store.save(stored, session(*answers, current=f"q{step}"))

    await asyncio.gather(*(converse(chat_id) for chat_id in range(30)))

    assert read_rows(db_path, "SELECT count(*), count(DISTINCT session_id) FROM answers") == [
        (90, 30)]
    mixed = read_rows(db_path, "SELECT count(*) FROM answers AS a JOIN sessions AS s"
                          " ON s.id = a.session_id WHERE a.option_id != 'chat' || s.chat_id")
    assert mixed == [(0,)]


# Chats -------------------------------------------------------------------------------------


async def test_forget_deletes_every_row_of_the_chat_and_nothing_else(
    store: SqliteStore, db_path: Path
) -> None:
    mine = await store.begin(CHAT, session())
    await store.save(mine, session(("usage", "home", 510.0), current=None, outcome="open_back"))
    await store.begin(CHAT, session(("usage", "gym", 520.0)))
    theirs = await store.begin(OTHER, session(("usage", "commute", 530.0)))

    assert await store.forget(CHAT) == 2

    assert read_rows(db_path, "SELECT chat_id FROM chats") == [(OTHER,)]
    assert read_rows(db_path, "SELECT id FROM sessions") == [(theirs.id,)]
    assert read_rows(db_path, "SELECT session_id, option_id FROM answers") == [
        (theirs.id, "commute")]
    assert await store.current(CHAT) is None
    assert await store.history(CHAT) == []
    assert await store.forget(CHAT) == 0


async def test_a_forgotten_session_number_is_never_reused(store: SqliteStore) -> None:
    old = await store.begin(CHAT, session())
    await store.forget(CHAT)
    new = await store.begin(CHAT, session())
    assert new.id > old.id


async def test_a_blocked_chat_is_inactive_until_it_writes_again(
    store: SqliteStore, db_path: Path
) -> None:
    assert await store.is_active(CHAT)  # never seen: nothing says otherwise

    await store.mark_inactive(CHAT)
    assert not await store.is_active(CHAT)
    assert read_rows(db_path, "SELECT active FROM chats WHERE chat_id = ?", CHAT) == [(0,)]

    stored = await store.begin(CHAT, session())
    assert await store.is_active(CHAT)

    await store.mark_inactive(CHAT)
    await store.save(stored, session(("usage", "gym", 1.0)))  # a press counts as writing too
    assert await store.is_active(CHAT)
    assert read_rows(db_path, "SELECT active FROM chats WHERE chat_id = ?", CHAT) == [(1,)]


def update_ids(db_path: Path) -> list[tuple[Any, ...]]:
    """Return (the chat's, the session's) last update id for every session, oldest first."""
    return read_rows(db_path, "SELECT c.last_update_id, s.last_update_id FROM chats c"
                     " JOIN sessions s USING (chat_id) ORDER BY s.id")


async def test_the_last_handled_update_is_what_the_advisor_gave_last_and_when(
    store: SqliteStore, db_path: Path
) -> None:
    assert await store.last_update_id(CHAT) is None
    stored = await store.begin(CHAT, session(), update_id=5)
    assert (stored.last_update_id, stored.last_update_at) == (5, 1000.0)
    assert await store.last_update_id(CHAT) == 5
    assert read_rows(db_path, "SELECT last_update_id FROM sessions") == [(5,)]

    stored = await store.save(stored, session(("usage", "gym", 1.0)), update_id=7)
    stored = await store.save(stored, session(("usage", "home", 1.0)))  # none given: kept
    assert (stored.last_update_id, stored.last_update_at) == (7, 1001.0)
    # Lower than before: after a week without updates Telegram numbers them afresh, and the
    # Advisor, which decides what is new, passes such an id on (bot.engine.redelivery).
    stored = await store.save(stored, session(("usage", "gym", 1.0)), update_id=6)

    assert (stored.last_update_id, stored.last_update_at) == (6, 1003.0)
    assert await store.last_update_id(CHAT) == 6
    stored = await store.save(stored, session(("usage", "gym", 1.0)), update_id=7)
    # Starts and presses are recorded on the session's row, the chat's is left alone.
    assert update_ids(db_path) == [(None, 7)]

    await store.note_update(CHAT, 8)  # a re-prompt: no session changed
    assert await store.last_update_id(CHAT) == 8
    assert update_ids(db_path) == [(8, 8)]
    noted = await store.current(CHAT)
    assert noted is not None
    assert (noted.last_update_id, noted.last_update_at) == (8, 1005.0)
    stored = await store.save(stored, session(("usage", "home", 2.0)))  # no update id given
    assert (stored.last_update_id, stored.last_update_at) == (8, 1005.0)
    again = await store.begin(CHAT, session())  # a new session takes the chat's on
    assert (again.last_update_id, again.last_update_at) == (8, 1005.0)
    await store.save(again, session(("usage", "gym", 1.0)))
    await store.close()

    reopened = await SqliteStore.open(db_path)  # nothing from memory: all read from the file
    try:
        assert await reopened.last_update_id(CHAT) == 8
        current = await reopened.current(CHAT)
        assert current is not None
        assert (current.last_update_id, current.last_update_at) == (8, 1005.0)
    finally:
        await reopened.close()


async def test_the_last_update_id_is_read_from_the_latest_session(db_path: Path) -> None:
    store = await SqliteStore.open(db_path)
    first = await store.begin(CHAT, session(), update_id=5)
    await store.save(first, session(("usage", "gym", 1.0)), update_id=6)
    second = await store.begin(CHAT, session())  # no update id: 6 carried on
    assert second.last_update_id == 6
    await store.save(second, session(("usage", "home", 1.0)), update_id=9)
    await store.close()

    reopened = await SqliteStore.open(db_path, cache_size=0)
    try:
        assert await reopened.last_update_id(CHAT) == 9
        assert [s.last_update_id for s in await reopened.history(CHAT)] == [9, 9]
    finally:
        await reopened.close()
    assert update_ids(db_path) == [(None, 6), (None, 9)]


async def test_a_database_from_before_migration_2_keeps_its_last_update_ids(
    db_path: Path
) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    with patch.object(schema, "MIGRATIONS", schema.MIGRATIONS[:1]):
        schema.migrate(conn, 0)  # the schema as version 1 left it
    conn.execute("INSERT INTO chats VALUES (?, 1, 900.0, 950.0, 31)", (CHAT,))
    for status, question in (("finished", None), ("active", "usage")):
        conn.execute("INSERT INTO sessions (chat_id, dialogue_id, dialogue_version,"
                     " current_question, status, started_at, updated_at)"
                     " VALUES (?, 'headphones_vs_iems', '3', ?, ?, 900.0, 950.0)",
                     (CHAT, question, status))
    conn.close()

    store = await SqliteStore.open(db_path)
    try:
        current = await store.current(CHAT)
        assert current is not None
        assert current.last_update_id == 31  # update 31 and older stay duplicates
        saved = await store.save(current, session(("usage", "gym", 1.0)))
        assert saved.last_update_id == 31
        saved = await store.save(saved, session(("usage", "home", 1.0)), update_id=32)
        assert saved.last_update_id == 32
    finally:
        await store.close()
    assert read_rows(db_path, "PRAGMA user_version") == [(schema.LATEST,)]
    # The latest session took the chat's last update id on; the older one needs none.
    assert read_rows(db_path, "SELECT status, last_update_id FROM sessions ORDER BY id") == [
        ("finished", None), ("active", 32)]


# Files that cannot be used -----------------------------------------------------------------


async def populated(path: Path) -> None:
    """Leave a database with one chat, one session and one answer, written by a bot."""
    store = await SqliteStore.open(path)
    await store.begin(CHAT, session(("usage", "home", 510.0)))
    await store.close()


async def test_a_newer_schema_is_refused_and_left_alone(db_path: Path) -> None:
    await populated(db_path)
    write_rows(db_path, "PRAGMA user_version = 5")

    with pytest.raises(StorageError) as caught:
        await SqliteStore.open(db_path)

    assert str(caught.value) == (
        f"{db_path} has schema version 5, newer than this bot's {schema.LATEST}; upgrade the"
        " bot or point DATABASE_PATH at another file"
    )
    assert read_rows(db_path, "PRAGMA user_version") == [(5,)]
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
