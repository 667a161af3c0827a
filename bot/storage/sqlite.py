"""`SessionStore` on an SQLite file through aiosqlite.

Durability: the journal is WAL with `synchronous=FULL`, so every commit is fsynced before a
write method returns and an acknowledged answer survives a process crash *and* a power loss.
`synchronous=NORMAL` would only promise the first (SIGKILL). Group commit (below) makes FULL
cheap where it matters: with 64 chats writing at once a read-and-save costs about 90 µs here,
NORMAL about 70 µs; one chat alone pays the fsync, about 0.5 ms against 0.2-0.3 ms. So FULL.

Writes are group-committed. Each write method queues its work and waits; one flusher runs
everything queued in ONE transaction, each write in its own savepoint (a write that fails is
rolled back alone and only its caller sees the error), then COMMITs once: one fsync for the
batch. Writes queued meanwhile form the next batch (up to BATCH_LIMIT), so batches grow with
the load and a lone write is committed at once. A caller returns only after the COMMIT of
its batch: acknowledged means on disk.

Where the work runs: the statements, which take microseconds (pages come from the OS cache;
after a cold start, from the disk), run right here on the event loop, with the connection's
busy timeout at 0 so that they never wait for a lock; the COMMIT,
which waits for the disk, runs on aiosqlite's worker thread. When another program holds a
lock, the batch (or read) goes whole to the thread, which waits up to busy_timeout for it.
Running the statements on the thread instead costs far more than they do: on a busy loop the
thread waits for the GIL after every statement (measured: 10-18 ms a hop with 64 chats at once,
the loop idle a tenth of the time). `_lock` keeps the two from using the connection at once.

`current`, read for every update, is answered from memory for recently used chats: an
LRU-bounded map (`cache_size` chats, about 2 KB each) of each chat's latest session, updated
from what the writes committed. That is sound because this store is the file's only writer
(one writer, as WAL needs anyway); each batch checks `PRAGMA data_version` and empties the map
if another connection committed. Reads that miss, and the rarer reads, go to the file.

aiosqlite gives no public way to run a function on its worker thread, but every one of its
public methods is `Connection._execute(fn)`: a queue feeding the one thread that uses the
sqlite3 connection. `_call` uses it directly; that private method is the only one used. The
sqlite3 connection is opened here and handed to aiosqlite, which also keeps aiosqlite's
failed-connect path (it stops its thread without waiting, omnilib/aiosqlite#389) out of
start-up.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.engine.model import Answer, Session
from bot.storage.base import Status, StoredSession
from bot.storage.errors import ensure_directory, is_busy, operator_error, raise_for
from bot.storage.schema import set_up

T = TypeVar("T")
Clock = Callable[[], float]
Work = Callable[[sqlite3.Connection], T]

BATCH_LIMIT = 64
"""The most writes committed together: their statements hold the event loop, about 40 µs each."""

CACHE_SIZE = 4096
"""How many chats' latest sessions `current` answers from memory by default (about 10 MB)."""

_CHAT_LAST_UPDATE = (
    # The chat's last handled update, id and time recorded: its latest session's when that
    # has one (every start and press writes it there, migration 2), else its row's (what
    # re-prompts recorded, and what a chat without sessions has).
    "SELECT coalesce(s.last_update_id, c.last_update_id),"
    " CASE WHEN s.last_update_id IS NOT NULL THEN coalesce(s.last_update_at, s.updated_at)"
    " ELSE coalesce(c.last_update_at, c.updated_at) END"
    " FROM (SELECT 1) LEFT JOIN chats AS c ON c.chat_id = :chat"
    " LEFT JOIN sessions AS s ON s.id = (SELECT max(id) FROM sessions WHERE chat_id = :chat)"
)
_SAVE_SESSION = (
    "UPDATE sessions SET current_question = :current, status = :status, outcome = :outcome,"
    " updated_at = :now, finished_at = :finished_at, dialogue_version = :version,"
    " last_update_id = coalesce(:update_id, last_update_id),"
    " last_update_at = CASE WHEN :update_id IS NULL THEN last_update_at ELSE :now END"
    " WHERE id = :id RETURNING last_update_id, last_update_at"
)
_TOUCH_CHAT = (
    "INSERT INTO chats (chat_id, active, created_at, updated_at, last_update_id,"
    " last_update_at) VALUES (?1, ?2, ?3, ?3, ?4, CASE WHEN ?4 IS NULL THEN NULL ELSE ?3 END)"
    " ON CONFLICT (chat_id) DO UPDATE SET active = excluded.active,"
    " updated_at = excluded.updated_at,"
    " last_update_id = coalesce(excluded.last_update_id, last_update_id),"
    " last_update_at = coalesce(excluded.last_update_at, last_update_at)"
)
_NOTE_ON_SESSION = (
    "UPDATE sessions SET last_update_id = ?1, last_update_at = ?3"
    " WHERE id = (SELECT max(id) FROM sessions WHERE chat_id = ?2)"
)
_REACTIVATE = (
    # A start or a press marks its chat active again, if it was not. The chat's row is not
    # written otherwise: for a chat that came back it sits on a page among the old chats (see
    # migration 2). SQLite would look the row up by its key; INDEXED BY makes it ask the small
    # index of inactive chats instead.
    "UPDATE chats INDEXED BY chats_inactive SET active = 1, updated_at = ?"
    " WHERE chat_id = ? AND active = 0"
)
_SESSION = (
    "SELECT listed.id, listed.chat_id, listed.dialogue_id, listed.dialogue_version,"
    " listed.current_question, listed.status, listed.outcome, listed.started_at,"
    " listed.updated_at, listed.finished_at, last.* FROM sessions AS listed"
    f" JOIN ({_CHAT_LAST_UPDATE}) AS last"
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
        *,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        """Wrap an open connection, `conn` used only on `db`'s thread; use `SqliteStore.open`."""
        self._db = db
        self._conn = conn
        self._path = path
        self._busy_timeout = busy_timeout
        self._clock = clock
        self._sessions = _Sessions(cache_size)
        self._pending: list[_Write] = []
        self._flusher: asyncio.Task[None] | None = None
        self._data_version: int | None = None
        # Held while the connection is in use, on this loop or on aiosqlite's thread.
        self._lock = asyncio.Lock()

    @classmethod
    async def open(
        cls,
        path: str | Path,
        *,
        busy_timeout: float = 5.0,
        clock: Clock = time.time,
        cache_size: int = CACHE_SIZE,
    ) -> SqliteStore:
        """Open (or create) the database and bring its schema up to date.

        `cache_size` bounds how many chats' latest sessions are kept in memory (0: none).
        Raises StorageError, with one line saying what is wrong and what to do, when the file
        cannot be used: unwritable place, not a database, newer schema, locked too long.
        """
        if busy_timeout < 0:
            raise ValueError(f"busy_timeout must be >= 0 seconds, not {busy_timeout}")
        if cache_size < 0:
            raise ValueError(f"cache_size must be >= 0 chats, not {cache_size}")
        where = str(path)
        try:
            conn = await asyncio.to_thread(_connect, where, busy_timeout)
        except sqlite3.Error as error:
            raise_for(where, error, busy_timeout)
        db = await aiosqlite.Connection(lambda: conn, iter_chunk_size=64)
        store = cls(db, conn, where, busy_timeout, clock, cache_size=cache_size)
        try:
            store._data_version = await store._call(lambda conn: set_up(conn, where))
        except BaseException:
            await db.close()
            raise
        return store

    async def current(self, chat_id: int) -> StoredSession | None:
        """Return the chat's latest session, active or finished, or None."""
        known, stored = self._sessions.get(chat_id)
        if known:
            return stored
        stored = await self._read(
            lambda conn: _latest(conn, "chat_id = :chat AND status != 'restarted'", chat_id)
        )
        # Safe although a write may have finished meanwhile: the one worker thread runs reads
        # and write batches in order and their results reach this loop in that order, so a
        # later write's result always lands after this one.
        self._sessions.put(chat_id, stored)
        return stored

    async def last_finished(self, chat_id: int) -> StoredSession | None:
        """Return the chat's most recently finished session, or None."""
        return await self._read(
            lambda conn: _latest(conn, "chat_id = :chat AND status = 'finished'", chat_id)
        )

    async def history(self, chat_id: int) -> list[StoredSession]:
        """Return every session of the chat, oldest first, restarted ones included."""
        return await self._read(lambda conn: _history(conn, chat_id))

    async def begin(
        self, chat_id: int, session: Session, *, update_id: int | None = None
    ) -> StoredSession:
        """Start a new session; an unfinished earlier one is kept as 'restarted'."""
        return await self._write(
            chat_id,
            lambda conn: self._begin(conn, chat_id, session, update_id),
            lambda stored: self._sessions.put(chat_id, stored),
        )

    async def save(
        self, stored: StoredSession, session: Session, *, update_id: int | None = None
    ) -> StoredSession:
        """Store the session's new state: answers added or undone, question, outcome."""
        return await self._write(
            stored.chat_id,
            lambda conn: self._save(conn, stored, session, update_id),
            lambda saved: self._sessions.put(saved.chat_id, saved),
        )

    async def last_update_id(self, chat_id: int) -> int | None:
        """Return the id of the last update whose effect was stored for the chat, or None."""
        return await self._read(lambda conn: _last_update(conn, chat_id)[0])

    async def note_update(self, chat_id: int, update_id: int) -> None:
        """Remember that the chat's update was handled, though it changed no session."""
        now = self._clock()
        await self._write(
            chat_id,
            lambda conn: _note_update(conn, chat_id, now, update_id),
            lambda _: self._sessions.noted(chat_id, update_id, now),
        )

    async def mark_inactive(self, chat_id: int) -> None:
        """Remember that the chat cannot be written to (the user blocked the bot)."""
        await self._write(
            chat_id,
            lambda conn: _touch_chat(conn, chat_id, self._clock(), active=False, update_id=None),
            lambda _: None,
        )

    async def is_active(self, chat_id: int) -> bool:
        """Return False while the chat is marked inactive; unknown chats are active."""
        return await self._read(lambda conn: _is_active(conn, chat_id))

    async def forget(self, chat_id: int) -> int:
        """Delete everything stored about the chat; return how many sessions were deleted."""
        return await self._write(
            chat_id, lambda conn: _forget(conn, chat_id),
            lambda _: self._sessions.put(chat_id, None),
        )

    async def close(self) -> None:
        """Finish pending work and close the database; closing twice is harmless."""
        if self._flusher is not None:
            await self._flusher
        async with self._lock:
            await self._db.close()

    # Transactions, each run whole on aiosqlite's thread -------------------------------------

    def _begin(
        self, conn: sqlite3.Connection, chat_id: int, session: Session, update_id: int | None
    ) -> StoredSession:
        now = self._clock()
        # A chat that came back keeps its row as it is, unless it was marked inactive.
        conn.execute(
            "INSERT INTO chats (chat_id, active, created_at, updated_at) VALUES (?, 1, ?, ?)"
            " ON CONFLICT (chat_id) DO NOTHING",
            (chat_id, now, now),
        )
        conn.execute(_REACTIVATE, (now, chat_id))
        # The new session, from now on the latest, carries the chat's last handled update:
        # this one, or the one before when none is given.
        last_update_id, last_update_at = (
            (update_id, now) if update_id is not None else _last_update(conn, chat_id))
        conn.execute(
            "UPDATE sessions SET status = 'restarted', updated_at = ?"
            " WHERE chat_id = ? AND status = 'active'",
            (now, chat_id),
        )
        session = _settled(session, now)
        cursor = conn.execute(
            "INSERT INTO sessions (chat_id, dialogue_id, dialogue_version, current_question,"
            " status, outcome, started_at, updated_at, finished_at, last_update_id,"
            " last_update_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (chat_id, session.dialogue, session.version, session.current, _status(session),
             session.outcome, session.started_at, now, session.finished_at, last_update_id,
             last_update_at),
        )
        session_id = cursor.lastrowid
        assert session_id is not None  # an INSERT into a rowid table always sets it
        _insert_answers(conn, session_id, 0, session.answers)
        return StoredSession(session_id, chat_id, session, _status(session), now, last_update_id,
                             last_update_at)

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
        if row is None or row[1] == "restarted" or (row[1] == "finished" and conn.execute(
            # Only a finished session can have a newer one beside it: an active one is the
            # chat's latest (a start marks it restarted), and only the latest carries the
            # chat's last update id.
            "SELECT max(id) FROM sessions WHERE chat_id = ?", (row[0],)
        ).fetchone()[0] != stored.id):
            raise ValueError(
                f"session {stored.id} of chat {stored.chat_id} was restarted or forgotten"
                " since it was read, or a newer one began; read the chat's current session again"
            )
        chat_id: int = row[0]
        now = self._clock()
        # Diff against the rows themselves, not `stored`, so a stale `stored` cannot leave gaps.
        # Plain tuples: comparing them is several times faster than comparing Answers.
        before = conn.execute(_ANSWERS, (stored.id,)).fetchall()
        kept = _common_prefix(before, [(a.question, a.option, a.at) for a in session.answers])
        if kept < len(before):
            conn.execute(
                "DELETE FROM answers WHERE session_id = ? AND position >= ?", (stored.id, kept)
            )
        _insert_answers(conn, stored.id, kept, session.answers[kept:])
        session = _settled(session, now)
        # The session saved is the chat's latest, whose last update id is the chat's.
        [(last_update_id, last_update_at)] = conn.execute(
            _SAVE_SESSION,
            {"current": session.current, "status": _status(session),
             "outcome": session.outcome, "now": now, "finished_at": session.finished_at,
             "version": session.version, "update_id": update_id, "id": stored.id},
        ).fetchall()  # all: the statement must finish before COMMIT
        conn.execute(_REACTIVATE, (now, chat_id))
        return StoredSession(stored.id, chat_id, session, _status(session), now, last_update_id,
                             last_update_at)

    async def _read(self, work: Work[T]) -> T:
        """Run `work` in a read transaction: one consistent snapshot for its queries."""
        async with self._lock:
            try:
                return _transaction(self._conn, "BEGIN", work)  # here: never waits for a lock
            except sqlite3.Error as error:
                if not is_busy(error):
                    raise_for(self._path, error, self._busy_timeout)
            return await self._call(lambda conn: _transaction(conn, "BEGIN", work))

    async def _write(self, chat_id: int, work: Work[T], settle: Callable[[T], None]) -> T:
        """Run `work` in the next group commit; return once that commit is on disk.

        `settle` brings the cache up to date with the result; a failure forgets the chat's
        cached session instead.
        """
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append(_Write(chat_id, work, settle, done))
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush())
        return await done

    async def _flush(self) -> None:
        """Commit what is pending, batch after batch, until nothing is."""
        try:
            while self._pending:
                batch = self._pending[:BATCH_LIMIT]
                del self._pending[:BATCH_LIMIT]
                async with self._lock:
                    await self._commit(batch)
        except BaseException:
            for write in self._pending:
                write.done.cancel()
            self._pending = []
            raise
        finally:
            self._flusher = None

    async def _commit(self, batch: list[_Write]) -> None:
        """Run a batch in one transaction; tell each writer how its own work went."""
        works = [write.work for write in batch]
        try:
            version, outcomes = await self._transact(works)
        except asyncio.CancelledError:
            # The flusher itself is cancelled (the loop is ending); the batch may still commit.
            for write in batch:
                self._sessions.drop(write.chat_id)
                write.done.cancel()
            raise
        except Exception as error:  # noqa: BLE001 - the whole batch failed: each writer gets it
            for write in batch:
                self._sessions.drop(write.chat_id)
                _settle(write.done, error)
            return
        if version != self._data_version:
            # Another connection committed since our last batch: cached sessions may be old.
            self._sessions.clear()
            self._data_version = version
        for write, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, _Failed):
                self._sessions.drop(write.chat_id)
                _settle(write.done, self._problem(outcome.error))
            else:
                write.settle(outcome)
                _settle(write.done, outcome)

    async def _transact(self, works: list[Work[Any]]) -> tuple[int, list[Any]]:
        """Run `works` in one transaction: statements here, COMMIT (the fsync) on the thread.

        BEGIN IMMEDIATE here never waits: when another program holds the write lock, the
        whole batch goes to the thread, which waits for the lock up to busy_timeout.
        """
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            if not is_busy(error):
                raise_for(self._path, error, self._busy_timeout)
            return await self._call(
                lambda conn: _transaction(conn, "BEGIN IMMEDIATE", lambda c: _run_batch(c, works))
            )
        try:
            outcome = _run_batch(conn, works)
        except BaseException as error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                raise_for(self._path, error, self._busy_timeout)
            raise
        # The write lock is ours since BEGIN IMMEDIATE: the COMMIT has no one to wait for.
        await self._call(_commit, wait_for_locks=False)
        return outcome

    def _problem(self, error: BaseException) -> BaseException:
        """Return the operator's StorageError for an SQLite error, or the error itself."""
        if not isinstance(error, sqlite3.Error):
            return error
        problem = operator_error(self._path, error, self._busy_timeout)
        if problem is None:
            return error
        problem.__cause__ = error
        return problem

    async def _call(self, work: Work[T], *, wait_for_locks: bool = True) -> T:
        """Run `work` with the sqlite3 connection on aiosqlite's worker thread (one hop).

        There the connection waits up to busy_timeout for another program's lock, unless
        `wait_for_locks` is False (two statements fewer on the thread). Returns only once the
        thread is done with the connection, even when cancelled.
        """
        # Private aiosqlite API on purpose: see the module docstring.
        submit: Callable[[Callable[[], T]], Awaitable[T]] = self._db._execute
        wait = f"PRAGMA busy_timeout = {round(self._busy_timeout * 1000)}"

        def waiting() -> T:
            self._conn.execute(wait)
            try:
                return work(self._conn)
            finally:
                self._conn.execute("PRAGMA busy_timeout = 0")

        job = asyncio.ensure_future(
            submit(waiting if wait_for_locks else lambda: work(self._conn)))
        try:
            return await asyncio.shield(job)
        except asyncio.CancelledError:
            await asyncio.wait({job})
            if not job.cancelled():
                job.exception()  # retrieved: nobody is left to be told
            raise
        except sqlite3.Error as error:
            raise_for(self._path, error, self._busy_timeout)


@dataclass(eq=False)
class _Write:
    """A write waiting for the next group commit."""

    chat_id: int
    work: Work[Any]
    settle: Callable[[Any], None]
    done: asyncio.Future[Any]


@dataclass(frozen=True)
class _Failed:
    """The error one write of a batch raised; its savepoint was rolled back."""

    error: Exception


class _Sessions:
    """The latest stored session (or None: no session) of recently used chats, LRU-bounded.

    Only this store writes the file (one writer), so what it committed last is what a read
    would return; a commit by another connection is noticed at the next batch and empties it.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[int, StoredSession | None] = OrderedDict()

    def get(self, chat_id: int) -> tuple[bool, StoredSession | None]:
        """Return (True, the chat's latest session) when it is known, else (False, None)."""
        try:
            found = self._entries[chat_id]
        except KeyError:
            return False, None
        self._entries.move_to_end(chat_id)
        return True, found

    def put(self, chat_id: int, stored: StoredSession | None) -> None:
        """Remember the chat's latest session, forgetting the least recently used chat."""
        if not self._size:
            return
        self._entries[chat_id] = stored
        self._entries.move_to_end(chat_id)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def noted(self, chat_id: int, update_id: int, at: float) -> None:
        """Record the cached session's last handled update as `_note_update` did the rows'."""
        stored = self._entries.get(chat_id)
        if stored is not None:
            self._entries[chat_id] = replace(stored, last_update_id=update_id, last_update_at=at)

    def drop(self, chat_id: int) -> None:
        """Forget the chat's cached session: the next read goes to the file."""
        self._entries.pop(chat_id, None)

    def clear(self) -> None:
        """Forget every cached session."""
        self._entries.clear()


def _settle(done: asyncio.Future[Any], outcome: Any) -> None:
    """Hand a writer its result or error, unless it stopped waiting (was cancelled)."""
    if done.done():
        return
    if isinstance(outcome, BaseException):
        done.set_exception(outcome)
    else:
        done.set_result(outcome)


def _run_batch(conn: sqlite3.Connection, works: Sequence[Work[Any]]) -> tuple[int, list[Any]]:
    """Run `works` inside the open write transaction, each in its own savepoint.

    Returns the database's data_version (it changes when another connection commits) and each
    work's result, or `_Failed` when that work raised: its changes alone are rolled back. A
    single work runs without a savepoint and its error fails the transaction.
    """
    version: int = conn.execute("PRAGMA data_version").fetchone()[0]
    if len(works) == 1:
        return version, [works[0](conn)]
    return version, [_attempt(conn, work) for work in works]


def _commit(conn: sqlite3.Connection) -> None:
    """Commit the open transaction, or roll it back when the commit fails."""
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _attempt(conn: sqlite3.Connection, work: Work[T]) -> T | _Failed:
    conn.execute("SAVEPOINT write")
    try:
        result = work(conn)
    except Exception as error:  # noqa: BLE001 - handed to the one writer it belongs to
        conn.execute("ROLLBACK TO write")
        conn.execute("RELEASE write")
        return _Failed(error)
    conn.execute("RELEASE write")
    return result


def _connect(path: str, busy_timeout: float) -> sqlite3.Connection:
    ensure_directory(Path(path))
    # isolation_level=None: transactions are the explicit BEGIN ... COMMIT of `_transaction`.
    # `timeout` is sqlite3_busy_timeout, in force from the first statement on.
    # check_same_thread=False: opened here, then used only on aiosqlite's one thread.
    return sqlite3.connect(
        path, isolation_level=None, timeout=busy_timeout, check_same_thread=False
    )


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
    # `where` is one of the fixed conditions above; both find the chat through
    # sessions_by_chat.
    row = conn.execute(f"{_SESSION} WHERE {where} ORDER BY id DESC LIMIT 1", {"chat": chat_id})
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
    rows = conn.execute(f"{_SESSION} WHERE chat_id = :chat ORDER BY id", {"chat": chat_id})
    return [_stored(row, answers.get(row[0], [])) for row in rows]


def _stored(row: Sequence[Any], answers: Iterable[Answer]) -> StoredSession:
    (session_id, chat_id, dialogue, version, current, status, outcome,
     started_at, updated_at, finished_at, last_update_id, last_update_at) = row
    session = Session(
        dialogue, version, current, tuple(answers), outcome, started_at, finished_at
    )
    return StoredSession(session_id, chat_id, session, status, updated_at, last_update_id,
                         last_update_at)


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
    """Create or update the chat's row, recording `update_id` (when given) as handled now."""
    conn.execute(_TOUCH_CHAT, (chat_id, int(active), now, update_id))


def _note_update(conn: sqlite3.Connection, chat_id: int, now: float, update_id: int) -> None:
    """Record `update_id` as handled: on the chat's row and on its latest session, if any."""
    _touch_chat(conn, chat_id, now, active=True, update_id=update_id)
    conn.execute(_NOTE_ON_SESSION, (update_id, chat_id, now))


def _last_update(conn: sqlite3.Connection, chat_id: int) -> tuple[int | None, float | None]:
    """Return the chat's last handled update: its id and when it was recorded."""
    found: tuple[int | None, float | None] = conn.execute(
        _CHAT_LAST_UPDATE, {"chat": chat_id}).fetchone()
    return found


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


def _common_prefix(before: Sequence[object], after: Sequence[object]) -> int:
    kept = 0
    for old, new in zip(before, after, strict=False):
        if old != new:
            break
        kept += 1
    return kept
