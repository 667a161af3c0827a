"""The database line of `check`: could the bot open its database, read it and write to it?

Nothing is asked, everything is tried, and nothing is left changed: an existing database gets
SQLite's write lock and a rollback; a missing one is created where it will live (with its
folders), written to in WAL mode as the bot will, rolled back, and removed again with whatever
the check made. Asking (os.access) is not enough: root is told /proc is writable.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from bot.storage.errors import cannot_open, not_a_file, operator_error
from bot.storage.schema import LATEST, newer_schema, user_version

LOCK_TIMEOUT = 5.0
"""Seconds to wait for the write lock when another program (the bot) holds it."""

_SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Verdict:
    """Whether the database is fit for the bot, and the line that says so or what to do."""

    passed: bool
    detail: str


def check_database(path: Path) -> Verdict:
    """Try what the bot will do with the database at `path`, and leave everything as it was."""
    kind = not_a_file(path)
    if kind is not None:
        return Verdict(passed=False, detail=cannot_open(path, f"it is {kind}, not a file"))
    if not path.exists():
        return _future_database(path)
    try:
        with closing(_connect(path)) as conn:
            found = user_version(conn)
            conn.execute("BEGIN IMMEDIATE")  # the write lock: writable and not held by others
            conn.execute("ROLLBACK")
    except sqlite3.Error as error:
        problem = operator_error(str(path), error, LOCK_TIMEOUT)
        return Verdict(passed=False, detail=str(problem) if problem else (
            f"{path}: {error}; fix the file's permissions, free the lock or restore it from a "
            f"backup, or point DATABASE_PATH at another file"))
    if found > LATEST:
        return Verdict(passed=False, detail=newer_schema(path, found))
    upgrade = f", upgraded to {LATEST} at start" if found < LATEST else ""
    return Verdict(passed=True, detail=f"{path}: schema version {found}{upgrade}; writable")


def _future_database(path: Path) -> Verdict:
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    made: list[Path] = []
    try:
        _make_folders(path.parent, existing, made)
        _write_once(path)
    except (OSError, sqlite3.Error) as error:
        return Verdict(passed=False, detail=(
            f"{path} does not exist and cannot be created: {_why(error)}; fix that or point "
            f"DATABASE_PATH elsewhere"))
    finally:
        for folder in reversed(made):
            with contextlib.suppress(OSError):  # something else appeared in it meanwhile
                folder.rmdir()
    return Verdict(passed=True, detail=(
        f"{path} does not exist yet; the bot creates it at start ({existing} is writable)"))


def _make_folders(folder: Path, existing: Path, made: list[Path]) -> None:
    """Create `folder` and the folders above it down from `existing`, noting each in `made`."""
    if not existing.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(existing))
    missing = [folder, *folder.parents]
    for step in reversed(missing[:missing.index(existing)]):
        step.mkdir()
        made.append(step)


def _write_once(path: Path) -> None:
    """Create the file, write to it in WAL mode and roll back, then remove what was created.

    SQLite deletes a -journal or -wal it finds beside an empty database. When one is there
    (left by a database moved away), the bot will have SQLite do that at start; the check must
    not, so it only creates the file and removes it.
    """
    side_files = [path.with_name(path.name + suffix) for suffix in _SIDE_FILES]
    leftovers = any(side.exists() for side in side_files)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    try:
        if not leftovers:
            with closing(_connect(path)) as conn:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("CREATE TABLE written_by_check (x)")
                conn.execute("ROLLBACK")
    finally:
        for made in [path] if leftovers else [path, *side_files]:
            made.unlink(missing_ok=True)


def _connect(path: Path) -> sqlite3.Connection:
    """Open the existing file at `path` for reading and writing; never create it."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True,
                           timeout=LOCK_TIMEOUT, isolation_level=None)


def _why(error: OSError | sqlite3.Error) -> str:
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror}" if error.strerror else str(error)
    return f"SQLite cannot write there ({error})"
