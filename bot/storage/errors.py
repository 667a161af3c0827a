"""Problems of the database file an operator can fix, each said in one line.

The store, `check` and the other commands word a problem the same way: what is wrong, with
which file, and what to do about it. An SQLite error that no operator can fix is a bug and is
raised as it is.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import NoReturn

from bot.errors import StorageError

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
)


def not_a_file(path: Path) -> str | None:
    """Return what `path` is when it exists but is no regular file ("a directory"), else None.

    SQLite opens a device such as /dev/null without complaint and fails at the first write.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # missing, or not ours to look at: opening it says why
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "a special file")


def cannot_open(path: str | Path, why: str) -> str:
    """Return the line for a database file that cannot be opened at all, and why."""
    return f"cannot open database {path}: {why}; fix that or point DATABASE_PATH at another file"


def prepare_place(path: Path) -> None:
    """Make `path` ready to become the database; StorageError says what is in the way.

    Refuses a folder or a device in its place, and creates the missing folders above it.
    """
    kind = not_a_file(path)
    if kind is not None:
        raise StorageError(cannot_open(path, f"it is {kind}, not a file"))
    ensure_directory(path)


def ensure_directory(path: Path) -> None:
    """Create the database's directory if it is missing; refuse a file in the way."""
    parent = path.parent
    if parent.is_dir():
        return
    if parent.exists():
        raise StorageError(
            f"cannot open database {path}: {parent} is a file, not a directory;"
            " point DATABASE_PATH at a file inside a directory"
        )
    try:
        parent.mkdir(parents=True)
    except OSError as error:
        raise StorageError(
            f"cannot create directory {parent} for database {path}: {error.strerror};"
            " create it yourself or point DATABASE_PATH at another file"
        ) from error


def is_busy(error: sqlite3.Error) -> bool:
    """Tell whether another connection's lock stopped `error`'s statement."""
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def raise_for(path: str, error: sqlite3.Error, busy_timeout: float) -> NoReturn:
    """Raise the operator's StorageError for `error`, or `error` itself when it is a bug."""
    problem = operator_error(path, error, busy_timeout)
    if problem is None:
        raise error
    raise problem from error


def operator_error(path: str, error: sqlite3.Error, busy_timeout: float) -> StorageError | None:
    """Return the one-line StorageError for a problem of the file, or None for a bug."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = None if code is None else code & 0xFF
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        message = (
            f"database {path} is locked: another program kept it busy for more than"
            f" {busy_timeout:g} s; stop the other program (another copy of the bot?)"
            " or point DATABASE_PATH at another file"
        )
    elif primary in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        message = (
            f"{path} is not a usable SQLite database ({error}); restore it from a backup,"
            " or move it away and point DATABASE_PATH at a new file"
        )
    elif primary == sqlite3.SQLITE_CANTOPEN:
        message = cannot_open(path, _why_not_open(Path(path), error))
    elif primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH):
        message = (
            f"cannot write to database {path} ({error}); make the file and its directory"
            " writable by this user or point DATABASE_PATH at another file"
        )
    elif primary in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR):
        message = (
            f"cannot read or write database {path} ({error}); check that the disk has free"
            " space and works"
        )
    else:
        return None
    return StorageError(message)


def _why_not_open(path: Path, error: sqlite3.Error) -> str:
    kind = not_a_file(path)
    if kind is not None:
        return f"it is {kind}, not a file"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"this user cannot write to the directory {path.parent}"
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return "this user cannot read and write the file"
    return str(error)
