"""`backup FILE`: a consistent copy of the live database, safe while the bot runs.

bot.storage.reports.backup makes and checks the copy; this command names it only once it is
complete, and never overwrites a file.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path

from bot.cli.common import Commands, settings
from bot.config import Settings
from bot.storage.reports.backup import copy_database


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
        copy = copy_database(source, partial)
        os.replace(partial, target)  # only a finished, checked copy gets the name
    except (sqlite3.Error, OSError) as error:
        partial.unlink(missing_ok=True)
        return _fail(f"backing up {source} to {target} failed: {error}")
    counts = ", ".join(f"{count} {table}" for table, count in copy.rows.items())
    print(f"✓ backed up {source} to {target}: {counts}, schema version {copy.schema_version}")
    return 0


def _fail(message: str) -> int:
    print(f"✗ backup: {message}", file=sys.stderr)
    return 1
