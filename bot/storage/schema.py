"""The database schema: numbered migrations, and setting up a connection to use them.

Migration N brings `PRAGMA user_version` to N. Append new migrations, never edit a released one:
a database remembers how far it got and only the scripts after that are applied, all of them in
one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from bot.errors import StorageError

MIGRATIONS: tuple[str, ...] = (
    # 1: chats, their sessions and the answers given in each.
    """
    CREATE TABLE chats (
        chat_id        INTEGER PRIMARY KEY,
        active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        created_at     REAL NOT NULL,
        updated_at     REAL NOT NULL,
        last_update_id INTEGER
    );

    -- AUTOINCREMENT: session ids travel in button data to recognise stale buttons, so the id
    -- of a forgotten session must never be handed out again.
    CREATE TABLE sessions (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        chat_id          INTEGER NOT NULL REFERENCES chats (chat_id) ON DELETE CASCADE,
        dialogue_id      TEXT NOT NULL,
        dialogue_version TEXT NOT NULL,
        current_question TEXT,
        status           TEXT NOT NULL CHECK (status IN ('active', 'finished', 'restarted')),
        outcome          TEXT,
        started_at       REAL NOT NULL,
        updated_at       REAL NOT NULL,
        finished_at      REAL,
        CHECK ((status = 'finished') = (current_question IS NULL))
    );

    CREATE INDEX sessions_by_chat ON sessions (chat_id);
    CREATE INDEX sessions_finished ON sessions (chat_id) WHERE status = 'finished';
    CREATE UNIQUE INDEX sessions_one_active ON sessions (chat_id) WHERE status = 'active';

    CREATE TABLE answers (
        session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        position    INTEGER NOT NULL CHECK (position >= 0),
        question_id TEXT NOT NULL,
        option_id   TEXT NOT NULL,
        answered_at REAL NOT NULL,
        PRIMARY KEY (session_id, position)
    ) WITHOUT ROWID;
    """,
    # 2: each chat's latest session carries the chat's last update id, so that a start or a
    # press writes only rows at the end of the file (its session, its answers) and not the
    # chat's row, which for a chat that came back sits on a page among old chats.
    # chats.last_update_id keeps what re-prompts recorded (a chat without sessions has only
    # that one) and, in a file from before, everything until then.
    # chats_inactive lets a press check that its chat is not marked inactive without reading
    # the chat's row: only the few chats that blocked the bot are in it. sessions_finished
    # goes: sessions_by_chat finds a chat's few sessions as well, and every finish of a chat
    # that came back wrote a page of it among the old chats.
    """
    ALTER TABLE sessions ADD COLUMN last_update_id INTEGER;
    DROP INDEX sessions_finished;
    CREATE INDEX chats_inactive ON chats (chat_id) WHERE active = 0;
    UPDATE sessions
       SET last_update_id = (SELECT last_update_id FROM chats WHERE chat_id = sessions.chat_id)
     WHERE id IN (SELECT max(id) FROM sessions GROUP BY chat_id)
       AND (SELECT last_update_id FROM chats WHERE chat_id = sessions.chat_id) IS NOT NULL;
    """,
    # 3: when each last update id was recorded. Telegram numbers updates afresh after a week
    # without any, so an id at or below the stored one is a re-delivery only while the stored
    # one is recent (bot.engine.redelivery). Rows from before keep NULL, read as their
    # updated_at, which is no earlier: nothing is rewritten.
    """
    ALTER TABLE sessions ADD COLUMN last_update_at REAL;
    ALTER TABLE chats ADD COLUMN last_update_at REAL;
    """,
    # 4: whether what a session shows now reached the person (bot.storage.base.StoredSession
    # .shown): how many answers it had when its reply was confirmed sent, -1 until then, -2
    # in a backup (after a restore nobody knows what people saw). NULL, in rows from before,
    # reads as shown, as the bot assumed then.
    """
    ALTER TABLE sessions ADD COLUMN shown INTEGER;
    """,
    # 5: languages. chats.language is the language the chat chose with /language (NULL: none
    # chosen, the person's Telegram language decides); sessions.language the language the
    # session was last shown in (NULL, in rows from before: the dialogue's own, the only one
    # the bot spoke then).
    """
    ALTER TABLE chats ADD COLUMN language TEXT;
    ALTER TABLE sessions ADD COLUMN language TEXT;
    """,
    # 6: a session whose answers a person changed after the fact is stored as a new version:
    # a new row that `revises` the version it started from, sharing its first version's id
    # (`origin`) and start time, while every earlier version keeps its answers. Reports
    # count a session once, by origin (bot.storage.reports). NULL in both: a first version.
    """
    ALTER TABLE sessions ADD COLUMN revises INTEGER REFERENCES sessions (id);
    ALTER TABLE sessions ADD COLUMN origin INTEGER;
    CREATE INDEX sessions_by_origin ON sessions (origin) WHERE origin IS NOT NULL;
    """,
)

LATEST = len(MIGRATIONS)
"""The schema version this code writes."""


def statements(script: str) -> Iterator[str]:
    """Yield the SQL statements of `script` one by one.

    `executescript` would commit the surrounding transaction first, so migrations run statement
    by statement; `complete_statement` keeps semicolons inside strings and triggers intact.
    """
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                yield pending.strip()
            pending = ""
    if pending.strip(" \t\r\n;"):
        raise ValueError(f"incomplete SQL statement at the end of a migration: {pending!r}")


def migrate(conn: sqlite3.Connection, found: int) -> None:
    """Apply the migrations after version `found`, inside the caller's transaction."""
    for version, script in enumerate(MIGRATIONS[found:], start=found + 1):
        for statement in statements(script):
            conn.execute(statement)
        # PRAGMA takes no parameters; `version` is an int from this module.
        conn.execute(f"PRAGMA user_version = {version:d}")


def user_version(conn: sqlite3.Connection) -> int:
    """Return the schema version the database says it has (0: a new file)."""
    found: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return found


def newer_schema(path: str | Path, found: int) -> str:
    """Return the one line that refuses a database written by a newer bot."""
    return (
        f"{path} has schema version {found}, newer than this bot's {LATEST}; upgrade the bot"
        " or point DATABASE_PATH at another file"
    )


def set_up(conn: sqlite3.Connection, path: str) -> int:
    """Make the connection durable, then apply missing migrations, all or none.

    Returns the database's data_version, which changes when another connection commits.
    Raises StorageError when the file was written by a newer bot, and leaves it as it is.
    """
    conn.execute("PRAGMA foreign_keys = ON")
    # Every commit is on disk before the write returns, through a power cut too (NORMAL would
    # only survive a killed process); group commit makes that cheap.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA journal_mode = WAL")
    # Under the write lock, so two bots starting together cannot both migrate.
    conn.execute("BEGIN IMMEDIATE")
    with conn:  # COMMIT, or ROLLBACK on any error
        _upgrade(conn, path)
    version: int = conn.execute("PRAGMA data_version").fetchone()[0]
    return version


def _upgrade(conn: sqlite3.Connection, path: str) -> None:
    found = user_version(conn)
    if found > LATEST:
        raise StorageError(newer_schema(path, found))
    migrate(conn, found)
    # Write even when nothing was migrated: a file SQLite could only open read-only fails
    # here, at start-up, instead of at the first answer.
    conn.execute(f"PRAGMA user_version = {LATEST:d}")
