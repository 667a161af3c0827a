"""The store's one SQLite connection and where its work runs; the only module using aiosqlite.

Statements take microseconds (pages come from the OS cache; after a cold start, from the disk),
so they run right here on the event loop, with SQLite's busy timeout at 0: they never wait for
a lock. What waits runs on aiosqlite's worker thread instead: the COMMIT, which waits for the
disk, and, when another program holds a lock, the whole transaction, which there waits up to
busy_timeout for it. Running every statement on the thread costs far more than the statements
do: on a busy loop the thread waits for the GIL after each one (see benchmarks/). `lock` keeps
the loop and the thread from using the connection at once.

aiosqlite gives no public way to run a function on its worker thread, but every one of its
public methods is `Connection._execute(fn)`: a queue feeding the one thread that uses the
sqlite3 connection. `_on_thread` uses it directly; that private method is the only one used.
The sqlite3 connection is opened here and handed to aiosqlite, which also keeps aiosqlite's
failed-connect path (it stops its thread without waiting, omnilib/aiosqlite#389) out of
start-up.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import NoReturn, TypeVar

import aiosqlite

from bot.storage.errors import ensure_directory, is_busy, operator_error, raise_for

T = TypeVar("T")
Work = Callable[[sqlite3.Connection], T]


class Connection:
    """One sqlite3 connection, used on the event loop and on aiosqlite's thread in turn."""

    def __init__(
        self, db: aiosqlite.Connection, conn: sqlite3.Connection, path: str, busy_timeout: float
    ) -> None:
        """Wrap an open connection; use `Connection.open`."""
        self._db = db
        self.sqlite = conn
        self.path = path
        self.busy_timeout = busy_timeout
        self.lock = asyncio.Lock()
        """Held while the connection is in use, on this loop or on aiosqlite's thread."""

    @classmethod
    async def open(cls, path: str, busy_timeout: float) -> Connection:
        """Open (or create) the database file; StorageError says why it cannot be used."""
        try:
            conn = await asyncio.to_thread(_connect, path, busy_timeout)
        except sqlite3.Error as error:
            raise_for(path, error, busy_timeout)
        db = await aiosqlite.Connection(lambda: conn, iter_chunk_size=64)
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
        """Run `work` on the thread, where the connection waits up to busy_timeout for locks."""
        wait = f"PRAGMA busy_timeout = {round(self.busy_timeout * 1000)}"

        def waiting(conn: sqlite3.Connection) -> T:
            conn.execute(wait)
            try:
                return work(conn)
            finally:
                conn.execute("PRAGMA busy_timeout = 0")

        return await self._on_thread(waiting)

    async def commit(self) -> None:
        """COMMIT the open transaction on the thread; roll it back when the commit fails.

        The caller holds the write lock, so the COMMIT waits for the disk alone.
        """
        await self._on_thread(_commit)

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

    async def _on_thread(self, work: Work[T]) -> T:
        """Run `work` with the sqlite3 connection on aiosqlite's worker thread (one hop).

        Returns only once the thread is done with the connection, even when cancelled.
        """
        # Private aiosqlite API on purpose: see the module docstring.
        submit: Callable[[Callable[[], T]], Awaitable[T]] = self._db._execute
        job = asyncio.ensure_future(submit(lambda: work(self.sqlite)))
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


def _commit(conn: sqlite3.Connection) -> None:
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _connect(path: str, busy_timeout: float) -> sqlite3.Connection:
    ensure_directory(Path(path))
    # isolation_level=None: transactions are the explicit BEGIN ... COMMIT of this package.
    # `timeout` is sqlite3_busy_timeout, in force from the first statement on.
    # check_same_thread=False: opened here, then used on the loop and on aiosqlite's thread.
    return sqlite3.connect(
        path, isolation_level=None, timeout=busy_timeout, check_same_thread=False
    )
