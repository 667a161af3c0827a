"""`SessionStore` on an SQLite file through aiosqlite.

Durability: the journal is WAL with `synchronous=FULL`, so every commit is fsynced before a
method returns and an acknowledged answer survives a process crash *and* a power loss.
`synchronous=NORMAL` would only survive process crashes (SIGKILL). Measured on an ext4 disk
(2000 `save` calls alternating 5 and 6 answers): FULL about 350 µs a save, NORMAL about 150 µs,
`current` about 85 µs. FULL still allows some 2800 saves a second, far above the 30 messages a
second Telegram lets a bot send, so FULL it is.

Each method is one transaction run in ONE thread hop. aiosqlite gives no public way to run a
function on its worker thread, but every one of its public methods is
`Connection._execute(fn)`: a queue feeding the one thread that uses the sqlite3 connection.
`_call` uses it directly, so a transaction is BEGIN ... COMMIT inside one function on that
thread: about 100 µs of hop per call instead of one per statement, and transactions of
concurrent handlers can never interleave on the shared connection (no asyncio lock needed).
That private method is the only one used; the sqlite3 connection is opened here and handed to
aiosqlite, which also keeps aiosqlite's failed-connect path (it stops its thread without
waiting, omnilib/aiosqlite#389) out of start-up.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import aiosqlite

from bot.engine.model import Answer, Session
from bot.errors import StorageError
from bot.storage.base import Status, StoredSession
from bot.storage.migrations import LATEST, migrate

T = TypeVar("T")
Clock = Callable[[], float]
Work = Callable[[sqlite3.Connection], T]

_SESSION = (
    "SELECT id, chat_id, dialogue_id, dialogue_version, current_question, status, outcome,"
    " started_at, updated_at, finished_at,"
    " (SELECT last_update_id FROM chats WHERE chats.chat_id = sessions.chat_id)"
    " FROM sessions"
)
_ANSWERS = (
    "SELECT question_id, option_id, answered_at FROM answers"
    " WHERE session_id = ? ORDER BY position"
)


class SqliteStore:
    """Every chat's sessions in one SQLite file; one connection, one writer."""

    def __init__(
        self,
        db: aiosqlite.Connection,
        conn: sqlite3.Connection,
        path: str,
        busy_timeout: float,
        clock: Clock,
    ) -> None:
        """Wrap an open connection, `conn` used only on `db`'s thread; use `SqliteStore.open`."""
        self._db = db
        self._conn = conn
        self._path = path
        self._busy_timeout = busy_timeout
        self._clock = clock

    @classmethod
    async def open(
        cls, path: str | Path, *, busy_timeout: float = 5.0, clock: Clock = time.time
    ) -> SqliteStore:
        """Open (or create) the database and bring its schema up to date.

        Raises StorageError, with one line saying what is wrong and what to do, when the file
        cannot be used: unwritable place, not a database, newer schema, locked too long.
        """
        if busy_timeout < 0:
            raise ValueError(f"busy_timeout must be >= 0 seconds, not {busy_timeout}")
        where = str(path)
        try:
            conn = await asyncio.to_thread(_connect, where, busy_timeout)
        except sqlite3.Error as error:
            _raise_for(where, error, busy_timeout)
        db = await aiosqlite.Connection(lambda: conn, iter_chunk_size=64)
        store = cls(db, conn, where, busy_timeout, clock)
        try:
            await store._call(lambda conn: _set_up(conn, where))
        except BaseException:
            await db.close()
            raise
        return store

    async def current(self, chat_id: int) -> StoredSession | None:
        """Return the chat's latest session, active or finished, or None."""
        return await self._read(
            lambda conn: _latest(conn, "chat_id = ? AND status != 'restarted'", chat_id)
        )

    async def last_finished(self, chat_id: int) -> StoredSession | None:
        """Return the chat's most recently finished session, or None."""
        return await self._read(
            lambda conn: _latest(conn, "chat_id = ? AND status = 'finished'", chat_id)
        )

    async def history(self, chat_id: int) -> list[StoredSession]:
        """Return every session of the chat, oldest first, restarted ones included."""
        return await self._read(lambda conn: _history(conn, chat_id))

    async def begin(
        self, chat_id: int, session: Session, *, update_id: int | None = None
    ) -> StoredSession:
        """Start a new session; an unfinished earlier one is kept as 'restarted'."""
        return await self._write(lambda conn: self._begin(conn, chat_id, session, update_id))

    async def save(
        self, stored: StoredSession, session: Session, *, update_id: int | None = None
    ) -> StoredSession:
        """Store the session's new state: answers added or undone, question, outcome."""
        return await self._write(lambda conn: self._save(conn, stored, session, update_id))

    async def last_update_id(self, chat_id: int) -> int | None:
        """Return the id of the last update whose effect was stored for the chat, or None."""
        return await self._read(lambda conn: _last_update_id(conn, chat_id))

    async def note_update(self, chat_id: int, update_id: int) -> None:
        """Remember that the chat's update was handled, though it changed no session."""
        await self._write(
            lambda conn: _touch_chat(conn, chat_id, self._clock(), active=True,
                                     update_id=update_id)
        )

    async def mark_inactive(self, chat_id: int) -> None:
        """Remember that the chat cannot be written to (the user blocked the bot)."""
        await self._write(
            lambda conn: _touch_chat(conn, chat_id, self._clock(), active=False, update_id=None)
        )

    async def is_active(self, chat_id: int) -> bool:
        """Return False while the chat is marked inactive; unknown chats are active."""
        return await self._read(lambda conn: _is_active(conn, chat_id))

    async def forget(self, chat_id: int) -> int:
        """Delete everything stored about the chat; return how many sessions were deleted."""
        return await self._write(lambda conn: _forget(conn, chat_id))

    async def close(self) -> None:
        """Finish pending work and close the database; closing twice is harmless."""
        await self._db.close()

    # Transactions, each run whole on aiosqlite's thread -------------------------------------

    def _begin(
        self, conn: sqlite3.Connection, chat_id: int, session: Session, update_id: int | None
    ) -> StoredSession:
        now = self._clock()
        _touch_chat(conn, chat_id, now, active=True, update_id=update_id)
        conn.execute(
            "UPDATE sessions SET status = 'restarted', updated_at = ?"
            " WHERE chat_id = ? AND status = 'active'",
            (now, chat_id),
        )
        session = _settled(session, now)
        cursor = conn.execute(
            "INSERT INTO sessions (chat_id, dialogue_id, dialogue_version, current_question,"
            " status, outcome, started_at, updated_at, finished_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (chat_id, session.dialogue, session.version, session.current, _status(session),
             session.outcome, session.started_at, now, session.finished_at),
        )
        session_id = cursor.lastrowid
        assert session_id is not None  # an INSERT into a rowid table always sets it
        _insert_answers(conn, session_id, 0, session.answers)
        return StoredSession(
            session_id, chat_id, session, _status(session), now, _last_update_id(conn, chat_id)
        )

    def _save(
        self,
        conn: sqlite3.Connection,
        stored: StoredSession,
        session: Session,
        update_id: int | None,
    ) -> StoredSession:
        row = conn.execute(
            "SELECT chat_id, status FROM sessions WHERE id = ?", (stored.id,)
        ).fetchone()
        if row is None or row[1] == "restarted":
            raise ValueError(
                f"session {stored.id} of chat {stored.chat_id} was restarted or forgotten"
                " since it was read; read the chat's current session again"
            )
        chat_id: int = row[0]
        now = self._clock()
        # Diff against the rows themselves, not `stored`, so a stale `stored` cannot leave gaps.
        before = [Answer(*answer) for answer in conn.execute(_ANSWERS, (stored.id,))]
        kept = _common_prefix(before, session.answers)
        if kept < len(before):
            conn.execute(
                "DELETE FROM answers WHERE session_id = ? AND position >= ?", (stored.id, kept)
            )
        _insert_answers(conn, stored.id, kept, session.answers[kept:])
        session = _settled(session, now)
        conn.execute(
            "UPDATE sessions SET current_question = ?, status = ?, outcome = ?,"
            " updated_at = ?, finished_at = ?, dialogue_version = ? WHERE id = ?",
            (session.current, _status(session), session.outcome, now, session.finished_at,
             session.version, stored.id),
        )
        _touch_chat(conn, chat_id, now, active=True, update_id=update_id)
        return StoredSession(
            stored.id, chat_id, session, _status(session), now,
            _last_update_id(conn, chat_id),
        )

    async def _read(self, work: Work[T]) -> T:
        """Run `work` in a read transaction: one consistent snapshot for its queries."""
        return await self._call(lambda conn: _transaction(conn, "BEGIN", work))

    async def _write(self, work: Work[T]) -> T:
        """Run `work` in a write transaction, taking the write lock at once."""
        return await self._call(lambda conn: _transaction(conn, "BEGIN IMMEDIATE", work))

    async def _call(self, work: Work[T]) -> T:
        """Run `work` with the sqlite3 connection on aiosqlite's worker thread (one hop)."""
        # Private aiosqlite API on purpose: see the module docstring.
        submit: Callable[[Callable[[], T]], Awaitable[T]] = self._db._execute
        try:
            return await submit(lambda: work(self._conn))
        except sqlite3.Error as error:
            _raise_for(self._path, error, self._busy_timeout)


def _connect(path: str, busy_timeout: float) -> sqlite3.Connection:
    _ensure_directory(Path(path))
    # isolation_level=None: transactions are the explicit BEGIN ... COMMIT of `_transaction`.
    # `timeout` is sqlite3_busy_timeout, in force from the first statement on.
    # check_same_thread=False: opened here, then used only on aiosqlite's one thread.
    return sqlite3.connect(
        path, isolation_level=None, timeout=busy_timeout, check_same_thread=False
    )


def _set_up(conn: sqlite3.Connection, path: str) -> None:
    """Configure the connection and apply missing migrations, all or none."""
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA journal_mode = WAL")
    # Under the write lock, so two bots starting together cannot both migrate.
    _transaction(conn, "BEGIN IMMEDIATE", lambda conn: _upgrade(conn, path))


def _upgrade(conn: sqlite3.Connection, path: str) -> None:
    found: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > LATEST:
        raise StorageError(
            f"database {path} has schema version {found} but this bot knows up to {LATEST};"
            " upgrade the bot or point DATABASE_PATH at another file"
        )
    migrate(conn, found)
    # Write even when nothing was migrated: a file SQLite could only open read-only fails
    # here, at start-up, instead of at the first answer.
    conn.execute(f"PRAGMA user_version = {LATEST:d}")


def _transaction(conn: sqlite3.Connection, begin: str, work: Work[T]) -> T:
    conn.execute(begin)
    try:
        result = work(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return result


def _latest(conn: sqlite3.Connection, where: str, chat_id: int) -> StoredSession | None:
    # `where` is one of the fixed conditions above; status literals let SQLite use the
    # partial indexes.
    row = conn.execute(f"{_SESSION} WHERE {where} ORDER BY id DESC LIMIT 1", (chat_id,))
    found = row.fetchone()
    if found is None:
        return None
    answers = [Answer(*answer) for answer in conn.execute(_ANSWERS, (found[0],))]
    return _stored(found, answers)


def _history(conn: sqlite3.Connection, chat_id: int) -> list[StoredSession]:
    answers: dict[int, list[Answer]] = {}
    for session_id, *answer in conn.execute(
        "SELECT a.session_id, a.question_id, a.option_id, a.answered_at"
        " FROM answers AS a JOIN sessions AS s ON s.id = a.session_id"
        " WHERE s.chat_id = ? ORDER BY a.session_id, a.position",
        (chat_id,),
    ):
        answers.setdefault(session_id, []).append(Answer(*answer))
    rows = conn.execute(f"{_SESSION} WHERE chat_id = ? ORDER BY id", (chat_id,))
    return [_stored(row, answers.get(row[0], [])) for row in rows]


def _stored(row: Sequence[Any], answers: Iterable[Answer]) -> StoredSession:
    (session_id, chat_id, dialogue, version, current, status, outcome,
     started_at, updated_at, finished_at, last_update_id) = row
    session = Session(
        dialogue, version, current, tuple(answers), outcome, started_at, finished_at
    )
    return StoredSession(session_id, chat_id, session, status, updated_at, last_update_id)


def _insert_answers(
    conn: sqlite3.Connection, session_id: int, first: int, answers: Sequence[Answer]
) -> None:
    conn.executemany(
        "INSERT INTO answers (session_id, position, question_id, option_id, answered_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [(session_id, position, answer.question, answer.option, answer.at)
         for position, answer in enumerate(answers, start=first)],
    )


def _touch_chat(
    conn: sqlite3.Connection, chat_id: int, now: float, *, active: bool, update_id: int | None
) -> None:
    """Create or update the chat's row; its last update id only ever grows."""
    conn.execute(
        "INSERT INTO chats (chat_id, active, created_at, updated_at, last_update_id)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (chat_id) DO UPDATE SET active = excluded.active,"
        " updated_at = excluded.updated_at,"
        # max() is NULL when either side is; then whichever side is known wins.
        " last_update_id = coalesce(max(last_update_id, excluded.last_update_id),"
        " last_update_id, excluded.last_update_id)",
        (chat_id, int(active), now, now, update_id),
    )


def _last_update_id(conn: sqlite3.Connection, chat_id: int) -> int | None:
    # An aggregate always yields one row: NULL for an unknown chat.
    value: int | None = conn.execute(
        "SELECT max(last_update_id) FROM chats WHERE chat_id = ?", (chat_id,)
    ).fetchone()[0]
    return value


def _is_active(conn: sqlite3.Connection, chat_id: int) -> bool:
    row = conn.execute("SELECT active FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
    return row is None or row[0] == 1


def _forget(conn: sqlite3.Connection, chat_id: int) -> int:
    # Answers go with their sessions (ON DELETE CASCADE); rowcount counts sessions only.
    deleted = conn.execute("DELETE FROM sessions WHERE chat_id = ?", (chat_id,)).rowcount
    conn.execute("DELETE FROM chats WHERE chat_id = ?", (chat_id,))
    return deleted


def _settled(session: Session, now: float) -> Session:
    """Give a finished session the time it finished, if the engine left it out."""
    if session.finished and session.finished_at is None:
        return replace(session, finished_at=now)
    if not session.finished and session.finished_at is not None:
        return replace(session, finished_at=None)
    return session


def _status(session: Session) -> Status:
    return "finished" if session.finished else "active"


def _common_prefix(before: Sequence[Answer], after: Sequence[Answer]) -> int:
    kept = 0
    for old, new in zip(before, after, strict=False):
        if old != new:
            break
        kept += 1
    return kept


# Errors an operator can fix ------------------------------------------------------------------


def _ensure_directory(path: Path) -> None:
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


def _raise_for(path: str, error: sqlite3.Error, busy_timeout: float) -> NoReturn:
    """Raise the operator's StorageError for `error`, or `error` itself when it is a bug."""
    problem = _operator_error(path, error, busy_timeout)
    if problem is None:
        raise error
    raise problem from error


def _operator_error(path: str, error: sqlite3.Error, busy_timeout: float) -> StorageError | None:
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
        message = (
            f"cannot open database {path}: {_why_not_open(Path(path), error)};"
            " fix that or point DATABASE_PATH at another file"
        )
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
    if path.is_dir():
        return "it is a directory, not a file"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"this user cannot write to the directory {path.parent}"
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return "this user cannot read and write the file"
    return str(error)
