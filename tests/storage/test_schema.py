"""The schema: migrations applied once and whole, the connection set up, the indexes used."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from unittest.mock import patch

import pytest

from bot.storage import schema
from bot.storage.sqlite import SqliteStore
from bot.storage.sqlite.statements import (
    CHAT_LAST_UPDATE,
    CURRENT,
    HISTORY,
    LAST_FINISHED,
    REACTIVATE,
)
from tests.dbfile import read_rows
from tests.storage.sessions import CHAT, session


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
