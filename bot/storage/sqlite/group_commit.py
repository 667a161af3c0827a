"""Group commit: the writes queued meanwhile are committed together, with one fsync.

Each write queues its work and waits; one flusher runs everything queued in ONE transaction,
each write in its own savepoint (a write that fails is rolled back alone and only its caller
sees the error), then COMMITs once. Writes queued meanwhile form the next batch (up to
BATCH_LIMIT), so batches grow with the load and a lone write is committed at once. A caller
returns only after the COMMIT of its batch: acknowledged means on disk. That is what makes
`synchronous=FULL` cheap where it matters, when many chats write at once.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.storage.errors import is_busy
from bot.storage.sqlite.cache import SessionCache
from bot.storage.sqlite.connection import Connection, Work, transaction

T = TypeVar("T")

BATCH_LIMIT = 64
"""The most writes committed together: their statements hold the event loop meanwhile."""


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


class GroupCommit:
    """Commits the store's writes in batches, keeping its session cache in step with them."""

    def __init__(self, connection: Connection, cache: SessionCache, data_version: int) -> None:
        self._connection = connection
        self._cache = cache
        # Changes when another connection commits; see `_commit`.
        self._data_version = data_version
        self._pending: list[_Write] = []
        self._flusher: asyncio.Task[None] | None = None

    async def write(self, chat_id: int, work: Work[T], settle: Callable[[T], None]) -> T:
        """Run `work` in the next group commit; return once that commit is on disk.

        `settle` brings the cache up to date with the result; a failure forgets the chat's
        cached session instead.
        """
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append(_Write(chat_id, work, settle, done))
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush())
        return await done

    async def finish(self) -> None:
        """Wait until every write queued so far is committed (or failed)."""
        if self._flusher is not None:
            await self._flusher

    async def _flush(self) -> None:
        """Commit what is pending, batch after batch, until nothing is."""
        try:
            while self._pending:
                batch = self._pending[:BATCH_LIMIT]
                del self._pending[:BATCH_LIMIT]
                async with self._connection.lock:
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
                self._cache.drop(write.chat_id)
                write.done.cancel()
            raise
        except Exception as error:  # noqa: BLE001 - the whole batch failed: each writer gets it
            for write in batch:
                self._cache.drop(write.chat_id)
                _settle(write.done, error)
            return
        if version != self._data_version:
            # Another connection committed since our last batch: cached sessions may be old.
            self._cache.clear()
            self._data_version = version
        for write, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, _Failed):
                self._cache.drop(write.chat_id)
                _settle(write.done, self._connection.problem(outcome.error))
            else:
                write.settle(outcome)
                _settle(write.done, outcome)

    async def _transact(self, works: list[Work[Any]]) -> tuple[int, list[Any]]:
        """Run `works` in one transaction: statements here, COMMIT (the fsync) on the thread.

        BEGIN IMMEDIATE here never waits: when another program holds the write lock, the
        whole batch goes to the thread, which waits for the lock up to busy_timeout.
        """
        connection = self._connection
        conn = connection.sqlite
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            if not is_busy(error):
                connection.raise_for(error)
            return await connection.waiting(
                lambda conn: transaction(conn, "BEGIN IMMEDIATE", lambda c: _run_batch(c, works))
            )
        try:
            outcome = _run_batch(conn, works)
        except BaseException as error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                connection.raise_for(error)
            raise
        # The write lock is ours since BEGIN IMMEDIATE: the COMMIT has no one to wait for.
        await connection.commit()
        return outcome


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


def _settle(done: asyncio.Future[Any], outcome: Any) -> None:
    """Hand a writer its result or error, unless it stopped waiting (was cancelled)."""
    if done.done():
        return
    if isinstance(outcome, BaseException):
        done.set_exception(outcome)
    else:
        done.set_result(outcome)
