"""The store's one SQLite connection and where its work runs; the only module using aiosqlite.

Statements take microseconds (pages come from the OS cache; after a cold start, from the disk),
so they run right here on the event loop, with SQLite's busy timeout at 0: they never wait for
a lock. What waits runs on a thread instead: the COMMIT, which waits for the disk, on
aiosqlite's; and, when another program holds a lock, the whole transaction, which there waits
up to busy_timeout for it. Running every statement on a thread costs far more than the
statements do: on a busy loop the thread waits for the GIL after each one (see benchmarks/).

Only aiosqlite's public API is used: `connect`, a cursor's `connection` (the sqlite3
connection its thread uses), `commit` and `close`. It has no public way to run a function on
its thread, so a transaction that must wait for a lock runs on one of asyncio's
(`asyncio.to_thread`). Any thread may use the connection (check_same_thread=False) as long as
one at a time does: `lock` sees to that, held whenever the connection is in use, here or on a
thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import NoReturn, TypeVar

import aiosqlite

from bot.storage.errors import is_busy, operator_error, prepare_place, raise_for

T = TypeVar("T")
Work = Callable[[sqlite3.Connection], T]


class Connection:
    """One sqlite3 connection, used on the event loop and on threads, one at a time."""

    def __init__(
        self, db: aiosqlite.Connection, conn: sqlite3.Connection, path: str, busy_timeout: float
    ) -> None:
        """Wrap an open connection; use `Connection.open`."""
        self._db = db
        self.sqlite = conn
        self.path = path
        self.busy_timeout = busy_timeout
        self.lock = asyncio.Lock()
        """Held while the connection is in use, on this loop or on a thread."""

    @classmethod
    async def open(cls, path: str, busy_timeout: float) -> Connection:
        """Open (or create) the database file; StorageError says why it cannot be used."""
        await asyncio.to_thread(prepare_place, Path(path))
        try:
            # isolation_level=None: transactions are the explicit BEGIN ... COMMIT of this
            # package. `timeout` is sqlite3_busy_timeout, in force from the first statement on.
            db = await aiosqlite.connect(
                path, isolation_level=None, timeout=busy_timeout, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise_for(path, error, busy_timeout)
        async with db.cursor() as cursor:
            conn = cursor.connection
        return cls(db, conn, path, busy_timeout)

    async def read(self, work: Work[T]) -> T:
        """Run `work` in a read transaction: one consistent snapshot for its queries."""
        async with self.lock:
            try:
                return transaction(self.sqlite, "BEGIN", work)  # here: never waits for a lock
            except sqlite3.Error as error:
                if not is_busy(error):
                    self.raise_for(error)
            return await self.waiting(lambda conn: transaction(conn, "BEGIN", work))

    async def waiting(self, work: Work[T]) -> T:
        """Run `work` on a thread, where the connection waits up to busy_timeout for locks.

        Returns only once the thread is done with the connection, even when cancelled.
        """
        wait = f"PRAGMA busy_timeout = {round(self.busy_timeout * 1000)}"

        def waiting(conn: sqlite3.Connection) -> T:
            conn.execute(wait)
            try:
                return work(conn)
            finally:
                conn.execute("PRAGMA busy_timeout = 0")

        return await self._until_done(asyncio.to_thread(waiting, self.sqlite))

    async def commit(self) -> None:
        """COMMIT the open transaction on aiosqlite's thread; roll it back when that fails.

        The caller holds the write lock, so the COMMIT waits for the disk alone.
        """
        try:
            await self._until_done(self._db.commit())
        except BaseException:
            if self.sqlite.in_transaction:
                self.sqlite.execute("ROLLBACK")
            raise

    async def close(self) -> None:
        """Close the connection once whoever is using it is done; closing twice is harmless."""
        async with self.lock:
            await self._db.close()

    def problem(self, error: BaseException) -> BaseException:
        """Return the operator's StorageError for an SQLite error, or the error itself."""
        if not isinstance(error, sqlite3.Error):
            return error
        problem = operator_error(self.path, error, self.busy_timeout)
        if problem is None:
            return error
        problem.__cause__ = error
        return problem

    def raise_for(self, error: sqlite3.Error) -> NoReturn:
        """Raise the operator's StorageError for `error`, or `error` itself when it is a bug."""
        raise_for(self.path, error, self.busy_timeout)

    async def _until_done(self, step: Awaitable[T]) -> T:
        """Await `step`, a thread's use of the connection; when cancelled, let it finish first."""
        job = asyncio.ensure_future(step)
        try:
            return await asyncio.shield(job)
        except asyncio.CancelledError:
            await asyncio.wait({job})
            if not job.cancelled():
                job.exception()  # retrieved: nobody is left to be told
            raise
        except sqlite3.Error as error:
            self.raise_for(error)


def transaction(conn: sqlite3.Connection, begin: str, work: Work[T]) -> T:
    """Run `work` between `begin` and COMMIT; roll back on any error."""
    conn.execute(begin)
    try:
        result = work(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return result
