"""`SessionStore` on an SQLite file: every chat's sessions, durable before a write returns.

Durability: the journal is WAL with `synchronous=FULL`, so every commit is fsynced before a
write method returns and an acknowledged answer survives a process crash *and* a power loss;
`synchronous=NORMAL` would only promise the first (SIGKILL). Group commit (group_commit.py)
makes FULL cheap where it matters, when many chats write at once; one chat alone pays the fsync
either way (measured in benchmarks/).

The rest is split by job: the SQL (statements.py), what each method reads and writes
(transactions.py), batching writes into one commit (group_commit.py), the latest session of
recently used chats in memory (cache.py), and where the work runs (connection.py).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from bot.engine.model import Session
from bot.storage.base import StoredSession
from bot.storage.schema import set_up
from bot.storage.sqlite import statements as sql
from bot.storage.sqlite import transactions as tx
from bot.storage.sqlite.cache import CACHE_SIZE, SessionCache
from bot.storage.sqlite.connection import Connection
from bot.storage.sqlite.group_commit import GroupCommit

Clock = tx.Clock
_Change = Callable[
    [sqlite3.Connection, Clock, StoredSession, Session, int | None], StoredSession]
log = logging.getLogger(__name__)

SHOWN_BATCH = 1024
"""Marks of replies shown that wait in memory before they are written together."""


class SqliteStore:
    """Every chat's sessions in one SQLite file; one connection, one writer."""

    def __init__(
        self, connection: Connection, clock: Clock, cache: SessionCache, data_version: int
    ) -> None:
        """Use an open, set-up connection; use `SqliteStore.open`."""
        self._connection = connection
        self._clock = clock
        self._sessions = cache
        self._commits = GroupCommit(connection, cache, data_version)
        self._shown: dict[int, tuple[int, int, float]] = {}  # session id -> its MARK_SHOWN row
        self._writing_marks: set[asyncio.Future[None]] = set()

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
        connection = await Connection.open(where, busy_timeout)
        try:
            data_version = await connection.waiting(lambda conn: set_up(conn, where))
        except BaseException:
            await connection.close()
            raise
        return cls(connection, clock, SessionCache(cache_size), data_version)

    async def current(self, chat_id: int) -> StoredSession | None:
        """Return the chat's latest session, active or finished, or None."""
        known, stored = self._sessions.get(chat_id)
        if known:
            return stored
        stored = await self._connection.read(lambda conn: tx.latest(conn, sql.CURRENT, chat_id))
        # Safe although a write may have finished meanwhile: reads and write batches take the
        # connection's lock in turn, and a batch updates the cache before it lets go, so a
        # later write's result always lands after this one.
        self._sessions.put(chat_id, stored)
        return stored

    async def last_finished(self, chat_id: int) -> StoredSession | None:
        """Return the chat's most recently finished session, or None."""
        return await self._connection.read(
            lambda conn: tx.latest(conn, sql.LAST_FINISHED, chat_id)
        )

    async def history(self, chat_id: int) -> list[StoredSession]:
        """Return every session of the chat, oldest first, restarted ones included."""
        return await self._connection.read(lambda conn: tx.history(conn, chat_id))

    async def begin(
        self, chat_id: int, session: Session, *, update_id: int | None = None
    ) -> StoredSession:
        """Start a new session; an unfinished earlier one is kept as 'restarted'."""
        return await self._commits.write(
            chat_id,
            lambda conn: tx.begin_session(conn, self._clock, chat_id, session, update_id),
            lambda stored: self._sessions.put(chat_id, stored),
        )

    async def save(
        self, stored: StoredSession, session: Session, *, update_id: int | None = None
    ) -> StoredSession:
        """Store the session's new state: answers added or undone, question, outcome."""
        return await self._rewrite(tx.save_session, stored, session, update_id)

    async def revise(
        self, stored: StoredSession, session: Session, *, update_id: int | None = None
    ) -> StoredSession:
        """Store `session` as a new version of `stored`, the chat's current session."""
        return await self._rewrite(tx.revise_session, stored, session, update_id)

    async def _rewrite(
        self, change: _Change, stored: StoredSession, session: Session, update_id: int | None
    ) -> StoredSession:
        """Run `change` (save or revise) on the chat's latest session; cache what it stored."""
        return await self._commits.write(
            stored.chat_id,
            lambda conn: change(conn, self._clock, stored, session, update_id),
            lambda saved: self._sessions.put(saved.chat_id, saved),
        )

    async def last_update_id(self, chat_id: int) -> int | None:
        """Return the id of the last update whose effect was stored for the chat, or None."""
        return await self._connection.read(lambda conn: tx.last_update(conn, chat_id)[0])

    async def note_update(self, chat_id: int, update_id: int) -> None:
        """Remember that the chat's update was handled, though it changed no session."""
        now = self._clock()
        await self._commits.write(
            chat_id,
            lambda conn: tx.note_update(conn, chat_id, now, update_id),
            lambda _: self._sessions.noted(chat_id, update_id, now),
        )

    async def note_shown(self, chat_id: int, session_id: int, answers: int) -> None:
        """Remember that the session's current reply reached the person, without waiting.

        Kept in the cache and written in a batch, when SHOWN_BATCH marks wait or at close: a
        mark lost in a crash only makes the bot show that reply once more, so it is not worth
        an fsync per press.
        """
        stored_at = self._sessions.shown(chat_id, session_id, answers)
        if stored_at is None:
            return
        self._shown[session_id] = (answers, session_id, stored_at)
        if len(self._shown) >= SHOWN_BATCH:
            self._start_writing_marks()

    def _start_writing_marks(self) -> None:
        writing = asyncio.ensure_future(self._write_marks())
        self._writing_marks.add(writing)
        writing.add_done_callback(self._writing_marks.discard)

    async def _write_marks(self) -> None:
        marks, self._shown = list(self._shown.values()), {}
        try:
            await self._commits.write(0, lambda conn: tx.mark_shown(conn, marks), lambda _: None)
        except Exception:  # a lost mark costs one reply shown again, not an answer
            log.warning("could not record that %d replies were shown", len(marks),
                        exc_info=True)

    async def choose_language(self, chat_id: int, language: str) -> None:
        """Remember the language the chat chose; its open session is shown in it from now on."""
        now = self._clock()
        await self._commits.write(
            chat_id,
            lambda conn: tx.choose_language(conn, chat_id, now, language),
            lambda _: self._sessions.chose(chat_id, language),
        )

    async def chosen_language(self, chat_id: int) -> str | None:
        """Return the language the chat chose, or None."""
        known, stored = self._sessions.get(chat_id)
        if known and stored is not None:
            return stored.chosen_language
        return await self._connection.read(lambda conn: tx.chosen_language(conn, chat_id))

    async def mark_inactive(self, chat_id: int) -> None:
        """Remember that the chat cannot be written to (the user blocked the bot)."""
        await self._commits.write(
            chat_id,
            lambda conn: tx.touch_chat(conn, chat_id, self._clock(), active=False,
                                       update_id=None),
            lambda _: None,
        )

    async def is_active(self, chat_id: int) -> bool:
        """Return False while the chat is marked inactive; unknown chats are active."""
        return await self._connection.read(lambda conn: tx.is_active(conn, chat_id))

    async def forget(self, chat_id: int) -> int:
        """Delete everything stored about the chat; return how many sessions were deleted."""
        return await self._commits.write(
            chat_id, lambda conn: tx.forget(conn, chat_id),
            lambda _: self._sessions.put(chat_id, None),
        )

    async def close(self) -> None:
        """Finish pending work and close the database; closing twice is harmless."""
        if self._shown:
            self._start_writing_marks()
        await asyncio.gather(*self._writing_marks)
        await self._commits.finish()
        await self._connection.close()
