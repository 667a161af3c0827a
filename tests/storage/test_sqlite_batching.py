"""SqliteStore under concurrency: group commit, the session cache, closing with writes queued."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.storage.sqlite import SqliteStore
from tests.dbfile import read_rows, write_rows
from tests.storage.sessions import session


async def test_a_failing_write_does_not_take_the_others_of_its_batch_with_it(
    store: SqliteStore, db_path: Path
) -> None:
    stale = await store.begin(1, session())
    await store.begin(1, session())  # restarts `stale`: saving it must now fail
    other = await store.begin(2, session())

    # Queued in the same loop iteration, so they are committed together.
    results = await asyncio.gather(
        store.save(stale, session(("usage", "home", 510.0), current="budget")),
        store.save(other, session(("usage", "gym", 510.0), current="budget")),
        return_exceptions=True,
    )

    assert isinstance(results[0], ValueError)
    assert "was restarted or forgotten" in str(results[0])
    assert read_rows(db_path, "SELECT s.chat_id, a.option_id FROM answers a"
                         " JOIN sessions s ON s.id = a.session_id") == [(2, "gym")]


async def test_many_chats_at_once_all_reach_the_file(store: SqliteStore, db_path: Path) -> None:
    async def converse(chat_id: int) -> None:
        stored = await store.begin(chat_id, session(), update_id=chat_id * 10)
        for step, option in enumerate(("home", "gym", "office"), start=1):
            current = await store.current(chat_id)
            assert current == stored  # what the store says is what it last committed
            answers = [("usage", option, 510.0)] * step
            stored = await store.save(stored, session(*answers, current=f"q{step}"),
                                      update_id=chat_id * 10 + step)

    await asyncio.gather(*(converse(chat_id) for chat_id in range(1, 101)))

    assert read_rows(db_path, "SELECT count(*) FROM answers") == [(300,)]
    assert read_rows(db_path, "SELECT min(last_update_id), max(last_update_id) FROM sessions"
                     ) == [(13, 1003)]


async def test_a_change_made_by_another_program_is_seen_after_the_next_write(
    store: SqliteStore, db_path: Path
) -> None:
    await store.begin(1, session())
    assert await store.current(1) is not None
    write_rows(db_path, "DELETE FROM sessions WHERE chat_id = 1")

    await store.begin(2, session())  # any write notices the other program's commit

    assert await store.current(1) is None


async def test_closing_finishes_the_writes_still_queued(db_path: Path) -> None:
    store = await SqliteStore.open(db_path)
    stored = await store.begin(1, session())
    pending = asyncio.ensure_future(store.save(stored, session(("usage", "home", 510.0),
                                                               current="budget")))
    await asyncio.sleep(0)  # the save is queued, not yet committed

    await store.close()

    assert pending.done()
    assert read_rows(db_path, "SELECT option_id FROM answers") == [("home",)]


async def test_the_cache_holds_no_more_chats_than_asked(db_path: Path) -> None:
    store = await SqliteStore.open(db_path, cache_size=2)
    try:
        for chat_id in (1, 2, 3):
            await store.begin(chat_id, session())
        # Behind the store's back: only uncached chats can see it.
        write_rows(db_path, "UPDATE sessions SET current_question = 'budget'")
        evicted, cached = await store.current(1), await store.current(3)
        assert evicted is not None
        assert cached is not None
        assert evicted.session.current == "budget"  # read again from the file
        assert cached.session.current == "usage"  # still the committed state it remembers
    finally:
        await store.close()


async def test_a_negative_cache_size_is_refused(db_path: Path) -> None:
    with pytest.raises(ValueError, match="cache_size must be >= 0"):
        await SqliteStore.open(db_path, cache_size=-1)


async def test_a_write_waiting_for_another_programs_lock_does_not_stop_the_bot(
    db_path: Path,
) -> None:
    store = await SqliteStore.open(db_path, busy_timeout=1.0)
    try:
        stored = await store.begin(1, session())
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        loop = asyncio.get_running_loop()
        saving = asyncio.ensure_future(store.save(stored, session(("usage", "home", 510.0))))
        began = loop.time()
        await asyncio.sleep(0.05)  # the event loop keeps running while the save waits
        assert loop.time() - began < 0.5
        holder.execute("ROLLBACK")
        holder.close()
        await asyncio.wait_for(saving, timeout=5)
    finally:
        await store.close()
    assert read_rows(db_path, "SELECT option_id FROM answers") == [("home",)]
