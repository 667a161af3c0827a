"""`backup FILE`: a consistent copy of the live database, safe while the bot runs.

Copying the file of a WAL database is not a backup: recent commits live in the -wal file and
a copy taken mid-write can be torn. SQLite's online backup API copies every page under one
read snapshot instead, while the bot goes on writing.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

from bot.cli.common import Commands, settings
from bot.config import Settings


def add(commands: Commands) -> None:
    """Add the `backup` command."""
    parser = commands.add_parser(
        "backup", help="copy the live database to FILE with SQLite's online backup")
    parser.add_argument("file", type=Path, help="the new backup file (never overwritten)")
    parser.set_defaults(handler=backup)


def backup(args: argparse.Namespace) -> int:
    """Back the configured database up to the file given."""
    return backup_command(settings(), args.file)


def backup_command(settings: Settings, target: Path) -> int:
    """Back DATABASE_PATH up to `target` (a new file), check the copy, print one line."""
    source = settings.database_path
    if not source.is_file():
        return _fail(f"nothing to back up: {source} does not exist (DATABASE_PATH)")
    if target.exists():
        return _fail(f"{target} exists: choose a new file, a backup never overwrites one")
    partial = target.with_name(f"{target.name}.partial")
    try:
        counts = _copy(source, partial)
        os.replace(partial, target)  # only a finished, checked copy gets the name
    except (sqlite3.Error, OSError) as error:
        partial.unlink(missing_ok=True)
        return _fail(f"backing up {source} to {target} failed: {error}")
    print(f"✓ backed up {source} to {target}: {counts}")
    return 0


def _copy(source: Path, target: Path) -> str:
    """Copy `source` page by page into `target`, check it and return what it holds."""
    uri = f"{source.resolve().as_uri()}?mode=rw"  # never create the source by mistake
    with closing(sqlite3.connect(uri, uri=True, timeout=5.0)) as live, closing(
        sqlite3.connect(target)
    ) as copy:
        live.backup(copy)  # all pages in one step: one consistent snapshot
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise sqlite3.DatabaseError(f"the copy fails its integrity check: {verdict}")
        counts = [
            f"{copy.execute(f'SELECT count(*) FROM {table}').fetchone()[0]} {table}"
            for table in ("chats", "sessions", "answers")
        ]
        version = copy.execute("PRAGMA user_version").fetchone()[0]
    return f"{', '.join(counts)}, schema version {version}"


def _fail(message: str) -> int:
    print(f"✗ backup: {message}", file=sys.stderr)
    return 1
