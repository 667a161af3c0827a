"""The database schema as numbered migrations; migration N brings `PRAGMA user_version` to N.

Append new migrations, never edit a released one: a database remembers how far it got and only
the scripts after that are applied, all of them in one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

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
