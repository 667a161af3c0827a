"""A read-only connection to the bot's database, refused with one line when it cannot be one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.errors import StorageError


def connect_read_only(db_path: Path) -> sqlite3.Connection:
    """Open the bot's database for reading only; StorageError says what is wrong with it."""
    if not db_path.is_file():
        raise StorageError(
            f"no database at {db_path}: the bot has not stored anything there yet, or "
            "DATABASE_PATH points somewhere else"
        )
    conn = sqlite3.connect(
        db_path.resolve().as_uri() + "?mode=ro", uri=True, timeout=5.0, isolation_level=None
    )
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        conn.close()
        raise StorageError(f"cannot read {db_path}: {error}") from None
    if not {"sessions", "answers"} <= tables:
        conn.close()
        raise StorageError(f"{db_path} is not the advisor's database: it has no sessions table")
    return conn


def before_versions(conn: sqlite3.Connection, query: str) -> str:
    """Return `query` as it reads a database this bot has not opened since an older schema:
    from before sessions had versions (schema 5), every session its own first version; from
    before languages were kept (schema 4), every session in the dialogue's own language."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(sessions)")}
    if "origin" not in columns:
        query = query.replace("coalesce(origin, id)", "id")
    if "language" not in columns:
        query = query.replace("l.language", "NULL").replace("s.language", "NULL")
    return query
