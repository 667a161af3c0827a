"""SqliteStore against real files, checked the way an operator would with the sqlite3 CLI."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest

from bot.engine.model import Answer
from bot.storage import schema
from bot.storage.base import NOT_SHOWN, SessionStore
from bot.storage.sqlite import SqliteStore
from bot.storage.sqlite import store as store_module
from tests.dbfile import read_rows
from tests.storage.sessions import CHAT, OTHER, session, ticking

if TYPE_CHECKING:  # mypy checks here that SqliteStore has every method of the protocol
    _CONFORMS: type[SessionStore] = SqliteStore

PROJECT = Path(__file__).resolve().parents[2]


# Sessions ----------------------------------------------------------------------------------


async def test_begin_and_save_round_trip_with_answers_in_order(
    store: SqliteStore, db_path: Path
) -> None:
    stored = await store.begin(CHAT, session())
    assert stored.status == "active"
    assert stored.updated_at == 1000.0

    answered = session(("usage", "commute", 510.0), ("budget", "mid", 520.0), current="fit")
    saved = await store.save(stored, answered)

    assert saved.id == stored.id
    assert saved.updated_at == 1001.0
    assert await store.current(CHAT) == saved
    assert saved.session == answered
    assert read_rows(db_path, "SELECT position, question_id, option_id, answered_at FROM answers"
                         " WHERE session_id = ? ORDER BY position", stored.id) == [
        (0, "usage", "commute", 510.0),
        (1, "budget", "mid", 520.0),
    ]
    assert read_rows(db_path, "SELECT chat_id, dialogue_id, dialogue_version, current_question,"
                         " status, started_at, updated_at, finished_at FROM sessions") == [
        (CHAT, "headphones_vs_iems", "3", "fit", "active", 500.0, 1001.0, None),
    ]
    # A press writes only the session's rows: the chat's row still says when it began.
    assert read_rows(db_path, "SELECT chat_id, active, created_at, updated_at FROM chats") == [
        (CHAT, 1, 1000.0, 1000.0),
    ]


async def test_finishing_records_outcome_and_time(store: SqliteStore, db_path: Path) -> None:
    stored = await store.begin(CHAT, session())
    assert await store.last_finished(CHAT) is None

    done = session(("usage", "stage", 510.0), current=None, outcome="iem")
    finished = await store.save(stored, done)

    assert finished.status == "finished"
    assert finished.session.finished_at == 1001.0  # the engine left it out: the store's time
    assert await store.last_finished(CHAT) == finished
    assert await store.current(CHAT) == finished
    assert read_rows(db_path, "SELECT status, outcome, current_question, finished_at FROM sessions"
                ) == [("finished", "iem", None, 1001.0)]


async def test_start_again_keeps_finished_sessions_and_marks_open_ones_restarted(
    store: SqliteStore, db_path: Path
) -> None:
    first = await store.begin(CHAT, session())
    finished = await store.save(first, session(("usage", "home", 510.0), current=None,
                                               outcome="open_back", finished_at=515.0))
    second = await store.begin(CHAT, session())
    second = await store.save(second, session(("usage", "gym", 530.0), current="budget"))
    third = await store.begin(CHAT, session())

    assert read_rows(db_path, "SELECT id, status FROM sessions ORDER BY id") == [
        (first.id, "finished"), (second.id, "restarted"), (third.id, "active"),
    ]
    assert await store.current(CHAT) == third
    assert await store.last_finished(CHAT) == finished
    history = await store.history(CHAT)
    assert [(s.id, s.status) for s in history] == [
        (first.id, "finished"), (second.id, "restarted"), (third.id, "active"),
    ]
    assert history[0].session.finished_at == 515.0
    assert history[1].session.answers == (Answer("usage", "gym", 530.0),)
    assert history[1].updated_at == 1004.0  # when it was restarted


async def test_back_deletes_the_undone_answers(store: SqliteStore, db_path: Path) -> None:
    stored = await store.begin(CHAT, session())
    three = session(("usage", "commute", 510.0), ("budget", "mid", 520.0),
                    ("wireless", "yes", 530.0), current="fit")
    stored = await store.save(stored, three)

    stored = await store.save(stored, session(("usage", "commute", 510.0), current="budget"))

    assert read_rows(db_path, "SELECT position, option_id FROM answers") == [(0, "commute")]
    assert read_rows(db_path, "SELECT current_question FROM sessions") == [("budget",)]

    changed = session(("usage", "commute", 510.0), ("budget", "high", 540.0), current="wireless")
    await store.save(stored, changed)
    assert read_rows(db_path, "SELECT position, option_id, answered_at FROM answers") == [
        (0, "commute", 510.0), (1, "high", 540.0),
    ]


async def test_back_from_the_result_reopens_the_session(
    store: SqliteStore, db_path: Path
) -> None:
    stored = await store.begin(CHAT, session())
    stored = await store.save(stored, session(("usage", "home", 510.0), current=None,
                                              outcome="open_back"))
    await store.save(stored, session(current="usage"))

    assert read_rows(db_path, "SELECT status, outcome, finished_at FROM sessions") == [
        ("active", None, None),
    ]
    assert read_rows(db_path, "SELECT count(*) FROM answers") == [(0,)]
    assert await store.last_finished(CHAT) is None


async def test_a_stale_stored_session_cannot_leave_gaps(
    store: SqliteStore, db_path: Path
) -> None:
    stored = await store.begin(CHAT, session())
    two = session(("usage", "commute", 510.0), ("budget", "mid", 520.0), current="fit")
    await store.save(stored, two)

    await store.save(stored, session(*[(a.question, a.option, a.at) for a in two.answers],
                                     ("fit", "snug", 530.0), current="wireless"))

    assert read_rows(db_path, "SELECT position, option_id FROM answers ORDER BY position") == [
        (0, "commute"), (1, "mid"), (2, "snug"),
    ]


async def test_saving_a_restarted_session_is_refused(store: SqliteStore, db_path: Path) -> None:
    old = await store.begin(CHAT, session())
    await store.begin(CHAT, session())

    with pytest.raises(ValueError, match="restarted or forgotten"):
        await store.save(old, session(("usage", "home", 510.0), current="budget"))

    assert read_rows(db_path, "SELECT count(*) FROM answers") == [(0,)]


async def test_saving_a_finished_session_after_a_newer_one_began_is_refused(
    store: SqliteStore, db_path: Path
) -> None:
    stored = await store.begin(CHAT, session(), update_id=1)
    finished = await store.save(stored, session(("usage", "stage", 510.0), current=None,
                                                outcome="iem"), update_id=2)
    await store.begin(CHAT, session(), update_id=3)

    # Its update would land on a row that no longer holds the chat's last update id.
    with pytest.raises(ValueError, match="a newer one began"):
        await store.save(finished, session(current="usage"), update_id=10)

    assert await store.last_update_id(CHAT) == 3
    assert read_rows(db_path, "SELECT status FROM sessions ORDER BY id") == [
        ("finished",), ("active",)]


async def test_reopening_the_file_gives_the_same_state(db_path: Path) -> None:
    store = await SqliteStore.open(db_path, clock=ticking())
    stored = await store.begin(CHAT, session())
    await store.save(stored, session(("usage", "commute", 510.0), current="budget"))
    before = await store.history(CHAT)
    await store.close()

    reopened = await SqliteStore.open(db_path)
    try:
        assert await reopened.history(CHAT) == before
        assert await reopened.current(CHAT) == before[-1]
    finally:
        await reopened.close()


async def test_an_acknowledged_save_survives_a_killed_process(db_path: Path) -> None:
    script = f"""
import asyncio
from bot.engine.model import Answer, Session
from bot.storage.sqlite import SqliteStore

async def main():
    store = await SqliteStore.open({str(db_path)!r})
    stored = await store.begin({CHAT}, Session("d", "1", "usage"))
    await store.save(stored, Session("d", "1", "budget", (Answer("usage", "gym", 1.0),)))
    print("saved", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stdout=asyncio.subprocess.PIPE,
        cwd=PROJECT,
    )
    try:
        assert child.stdout is not None
        assert await asyncio.wait_for(child.stdout.readline(), timeout=30) == b"saved\n"
    finally:
        child.kill()  # SIGKILL: no close(), no checkpoint
        await child.wait()

    store = await SqliteStore.open(db_path)
    try:
        current = await store.current(CHAT)
    finally:
        await store.close()
    assert current is not None
    assert current.session.current == "budget"
    assert current.session.answers == (Answer("usage", "gym", 1.0),)


async def test_concurrent_chats_do_not_mix_their_transactions(
    store: SqliteStore, db_path: Path
) -> None:
    async def converse(chat_id: int) -> None:
        stored = await store.begin(chat_id, session())
        for step in range(1, 4):
            answers = [(f"q{n}", f"chat{chat_id}", float(n)) for n in range(step)]
            stored = await store.save(stored, session(*answers, current=f"q{step}"))

    await asyncio.gather(*(converse(chat_id) for chat_id in range(30)))

    assert read_rows(db_path, "SELECT count(*), count(DISTINCT session_id) FROM answers") == [
        (90, 30)]
    mixed = read_rows(db_path, "SELECT count(*) FROM answers AS a JOIN sessions AS s"
                          " ON s.id = a.session_id WHERE a.option_id != 'chat' || s.chat_id")
    assert mixed == [(0,)]


# Chats -------------------------------------------------------------------------------------


async def test_forget_deletes_every_row_of_the_chat_and_nothing_else(
    store: SqliteStore, db_path: Path
) -> None:
    mine = await store.begin(CHAT, session())
    await store.save(mine, session(("usage", "home", 510.0), current=None, outcome="open_back"))
    await store.begin(CHAT, session(("usage", "gym", 520.0)))
    theirs = await store.begin(OTHER, session(("usage", "commute", 530.0)))

    assert await store.forget(CHAT) == 2

    assert read_rows(db_path, "SELECT chat_id FROM chats") == [(OTHER,)]
    assert read_rows(db_path, "SELECT id FROM sessions") == [(theirs.id,)]
    assert read_rows(db_path, "SELECT session_id, option_id FROM answers") == [
        (theirs.id, "commute")]
    assert await store.current(CHAT) is None
    assert await store.history(CHAT) == []
    assert await store.forget(CHAT) == 0


async def test_a_forgotten_session_number_is_never_reused(store: SqliteStore) -> None:
    old = await store.begin(CHAT, session())
    await store.forget(CHAT)
    new = await store.begin(CHAT, session())
    assert new.id > old.id


async def test_a_blocked_chat_is_inactive_until_it_writes_again(
    store: SqliteStore, db_path: Path
) -> None:
    assert await store.is_active(CHAT)  # never seen: nothing says otherwise

    await store.mark_inactive(CHAT)
    assert not await store.is_active(CHAT)
    assert read_rows(db_path, "SELECT active FROM chats WHERE chat_id = ?", CHAT) == [(0,)]

    stored = await store.begin(CHAT, session())
    assert await store.is_active(CHAT)

    await store.mark_inactive(CHAT)
    await store.save(stored, session(("usage", "gym", 1.0)))  # a press counts as writing too
    assert await store.is_active(CHAT)
    assert read_rows(db_path, "SELECT active FROM chats WHERE chat_id = ?", CHAT) == [(1,)]


def update_ids(db_path: Path) -> list[tuple[Any, ...]]:
    """Return (the chat's, the session's) last update id for every session, oldest first."""
    return read_rows(db_path, "SELECT c.last_update_id, s.last_update_id FROM chats c"
                     " JOIN sessions s USING (chat_id) ORDER BY s.id")


async def test_the_last_handled_update_is_what_the_advisor_gave_last_and_when(
    store: SqliteStore, db_path: Path
) -> None:
    assert await store.last_update_id(CHAT) is None
    stored = await store.begin(CHAT, session(), update_id=5)
    assert (stored.last_update_id, stored.last_update_at) == (5, 1000.0)
    assert await store.last_update_id(CHAT) == 5
    assert read_rows(db_path, "SELECT last_update_id FROM sessions") == [(5,)]

    stored = await store.save(stored, session(("usage", "gym", 1.0)), update_id=7)
    stored = await store.save(stored, session(("usage", "home", 1.0)))  # none given: kept
    assert (stored.last_update_id, stored.last_update_at) == (7, 1001.0)
    # Lower than before: after a week without updates Telegram numbers them afresh, and the
    # Advisor, which decides what is new, passes such an id on (bot.engine.redelivery).
    stored = await store.save(stored, session(("usage", "gym", 1.0)), update_id=6)

    assert (stored.last_update_id, stored.last_update_at) == (6, 1003.0)
    assert await store.last_update_id(CHAT) == 6
    stored = await store.save(stored, session(("usage", "gym", 1.0)), update_id=7)
    # Starts and presses are recorded on the session's row, the chat's is left alone.
    assert update_ids(db_path) == [(None, 7)]

    await store.note_update(CHAT, 8)  # a re-prompt: no session changed
    assert await store.last_update_id(CHAT) == 8
    assert update_ids(db_path) == [(8, 8)]
    noted = await store.current(CHAT)
    assert noted is not None
    assert (noted.last_update_id, noted.last_update_at) == (8, 1005.0)
    stored = await store.save(stored, session(("usage", "home", 2.0)))  # no update id given
    assert (stored.last_update_id, stored.last_update_at) == (8, 1005.0)
    again = await store.begin(CHAT, session())  # a new session takes the chat's on
    assert (again.last_update_id, again.last_update_at) == (8, 1005.0)
    await store.save(again, session(("usage", "gym", 1.0)))
    await store.close()

    reopened = await SqliteStore.open(db_path)  # nothing from memory: all read from the file
    try:
        assert await reopened.last_update_id(CHAT) == 8
        current = await reopened.current(CHAT)
        assert current is not None
        assert (current.last_update_id, current.last_update_at) == (8, 1005.0)
    finally:
        await reopened.close()


async def test_the_last_update_id_is_read_from_the_latest_session(db_path: Path) -> None:
    store = await SqliteStore.open(db_path)
    first = await store.begin(CHAT, session(), update_id=5)
    await store.save(first, session(("usage", "gym", 1.0)), update_id=6)
    second = await store.begin(CHAT, session())  # no update id: 6 carried on
    assert second.last_update_id == 6
    await store.save(second, session(("usage", "home", 1.0)), update_id=9)
    await store.close()

    reopened = await SqliteStore.open(db_path, cache_size=0)
    try:
        assert await reopened.last_update_id(CHAT) == 9
        assert [s.last_update_id for s in await reopened.history(CHAT)] == [9, 9]
    finally:
        await reopened.close()
    assert update_ids(db_path) == [(None, 6), (None, 9)]


# Replies shown ------------------------------------------------------------------------------


def shown_rows(db_path: Path) -> list[tuple[Any, ...]]:
    return read_rows(db_path, "SELECT id, shown FROM sessions ORDER BY id")


async def test_a_reply_shown_is_known_at_once_and_written_without_an_fsync_of_its_own(
    db_path: Path,
) -> None:
    store = await SqliteStore.open(db_path, clock=ticking())
    stored = await store.begin(CHAT, session())
    assert stored.shown == NOT_SHOWN
    await store.note_shown(CHAT, stored.id, 0)
    current = await store.current(CHAT)
    assert current is not None
    assert current.shown == 0
    assert shown_rows(db_path) == [(stored.id, NOT_SHOWN)]  # only in memory so far

    saved = await store.save(stored, session(("usage", "gym", 1.0)))
    assert saved.shown == NOT_SHOWN  # a new state: its reply is not out yet
    await store.note_shown(CHAT, saved.id, 0)  # a mark for the state before: ignored
    again = await store.current(CHAT)
    assert again is not None
    assert again.shown == NOT_SHOWN
    await store.note_shown(CHAT, saved.id, 1)
    await store.close()  # the marks kept in memory are written on the way out

    assert shown_rows(db_path) == [(stored.id, 1)]
    reopened = await SqliteStore.open(db_path, cache_size=0)
    try:
        found = await reopened.current(CHAT)
        assert found is not None
        assert found.shown == 1
    finally:
        await reopened.close()


async def test_marks_are_written_in_batches_while_the_store_runs(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "SHOWN_BATCH", 3)
    store = await SqliteStore.open(db_path, clock=ticking())
    try:
        started = [await store.begin(chat, session()) for chat in (1, 2, 3)]
        for stored in started:
            await store.note_shown(stored.chat_id, stored.id, 0)
        await store.note_update(CHAT, 5)  # a write of its own comes after the marks' batch
        assert shown_rows(db_path) == [(stored.id, 0) for stored in started]
    finally:
        await store.close()


async def test_a_database_from_before_replies_were_tracked_reads_them_as_shown(
    db_path: Path,
) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    with patch.object(schema, "MIGRATIONS", schema.MIGRATIONS[:3]):
        schema.migrate(conn, 0)
    conn.execute("INSERT INTO chats (chat_id, active, created_at, updated_at)"
                 " VALUES (?, 1, 900.0, 950.0)", (CHAT,))
    conn.execute("INSERT INTO sessions (chat_id, dialogue_id, dialogue_version,"
                 " current_question, status, started_at, updated_at)"
                 " VALUES (?, 'headphones_vs_iems', '3', 'usage', 'active', 900.0, 950.0)",
                 (CHAT,))
    conn.close()
    store = await SqliteStore.open(db_path)
    try:
        current = await store.current(CHAT)
        assert current is not None
        assert current.shown is None
    finally:
        await store.close()
