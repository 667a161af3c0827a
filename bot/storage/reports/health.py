"""The database line of `check`: could the bot open its database, read it and write to it?

Nothing is changed: a missing database is not created (the bot creates it at start), and the
write test on an existing one takes SQLite's write lock and rolls back.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from bot.storage.schema import LATEST, newer_schema, user_version

LOCK_TIMEOUT = 5.0
"""Seconds to wait for the write lock when another program (the bot) holds it."""


@dataclass(frozen=True)
class Verdict:
    """Whether the database is fit for the bot, and the line that says so or what to do."""

    passed: bool
    detail: str


def check_database(path: Path) -> Verdict:
    """Open an existing database without creating it, read its schema, try a write lock."""
    if not path.exists():
        return _future_database(path)
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True,
                                     timeout=LOCK_TIMEOUT)) as conn:
            found = user_version(conn)
            conn.execute("BEGIN IMMEDIATE")  # the write lock: writable and not held by others
            conn.execute("ROLLBACK")
    except sqlite3.Error as error:
        return Verdict(passed=False, detail=(
            f"{path}: {error}; fix the file's permissions, free the lock or restore it from a "
            f"backup, or point DATABASE_PATH at another file"))
    if found > LATEST:
        return Verdict(passed=False, detail=newer_schema(path, found))
    upgrade = f", upgraded to {LATEST} at start" if found < LATEST else ""
    return Verdict(passed=True, detail=f"{path}: schema version {found}{upgrade}; writable")


def _future_database(path: Path) -> Verdict:
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.is_dir() and os.access(parent, os.W_OK | os.X_OK):
        return Verdict(passed=True, detail=f"{path} does not exist yet; the bot creates it at "
                       f"start ({parent} is writable)")
    return Verdict(passed=False, detail=(
        f"{path} does not exist and cannot be created: {parent} is not a writable directory; "
        f"fix that or point DATABASE_PATH elsewhere"))
