"""The copy behind `backup`: SQLite's online backup of the live database, checked.

Copying the file of a WAL database is not a backup: recent commits live in the -wal file and a
copy taken mid-write can be torn. SQLite's online backup API copies every page under one read
snapshot instead, while the bot goes on writing. The copy's sessions are marked restored (see
`_mark_restored`).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from bot.storage.schema import user_version
from bot.storage.sqlite.statements import MARK_RESTORED

TABLES = ("chats", "sessions", "answers")


@dataclass(frozen=True)
class Copy:
    """What a checked copy holds: rows per table (in TABLES order) and its schema version."""

    rows: dict[str, int]
    schema_version: int


def copy_database(source: Path, target: Path) -> Copy:
    """Copy `source` page by page into the new file `target`, check it, say what it holds.

    Raises sqlite3.Error when either file cannot be used or the copy fails its integrity check.
    """
    uri = f"{source.resolve().as_uri()}?mode=rw"  # never create the source by mistake
    with closing(sqlite3.connect(uri, uri=True, timeout=5.0)) as live, closing(
        sqlite3.connect(target)
    ) as copy:
        live.backup(copy)  # all pages in one step: one consistent snapshot
        _mark_restored(copy)
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise sqlite3.DatabaseError(f"the copy fails its integrity check: {verdict}")
        rows = {
            table: copy.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in TABLES
        }
        return Copy(rows, user_version(copy))


def _mark_restored(copy: sqlite3.Connection) -> None:
    """Mark every session of the copy as restored: once it is put back, people may have
    seen questions after it, so the bot shows each chat where it stands before going on."""
    columns = {row[1] for row in copy.execute("PRAGMA table_info(sessions)")}
    if "shown" in columns:  # a database from before schema version 4 has nothing to mark
        with copy:
            copy.execute(MARK_RESTORED)
