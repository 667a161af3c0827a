"""Read and change the bot's database the way an operator would: a plain sqlite3 connection of
its own."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def read_rows(db_path: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Query the file with a connection of its own, as `sqlite3 path` would, then close it."""
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def write_rows(db_path: Path, sql: str, *params: object) -> None:
    """Change the file with a connection of its own, behind the bot's back; commit, close."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def latest_answers(db_path: Path, chat_id: int) -> list[tuple[str, str]]:
    """Return (question, option) of the chat's latest session, in order."""
    return [
        (question, option)
        for question, option in read_rows(
            db_path,
            "SELECT a.question_id, a.option_id FROM answers a JOIN sessions s"
            " ON s.id = a.session_id WHERE s.id = (SELECT max(id) FROM sessions"
            " WHERE chat_id = ?) ORDER BY a.position",
            chat_id,
        )
    ]
