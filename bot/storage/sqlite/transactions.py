"""What each method of the store reads and writes, as plain functions of a sqlite3 connection.

Each runs inside a transaction its caller opened (a write's savepoint in a group commit, or a
read's snapshot) and never waits for anything: where it runs is the store's business.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from bot.engine.model import Answer, Revision, Session
from bot.storage.base import NOT_SHOWN, StoredSession, settled, status_of
from bot.storage.sqlite import statements as sql

Clock = Callable[[], float]


def begin_session(
    conn: sqlite3.Connection, clock: Clock, chat_id: int, session: Session, update_id: int | None
) -> StoredSession:
    """Store a new session of the chat; an unfinished earlier one becomes 'restarted'."""
    now = clock()
    conn.execute(sql.ADD_CHAT, (chat_id, now, now))
    conn.execute(sql.REACTIVATE, (now, chat_id))
    # The new session, from now on the latest, carries the chat's last handled update:
    # this one, or the one before when none is given.
    last_update_id, last_update_at = _carried(conn, chat_id, update_id, now)
    conn.execute(sql.RESTART_ACTIVE, (now, chat_id))
    session = settled(session, now)
    cursor = conn.execute(
        sql.ADD_SESSION, _row(chat_id, session, now, last_update_id, last_update_at))
    session_id = cursor.lastrowid
    assert session_id is not None  # an INSERT into a rowid table always sets it
    _add_answers(conn, session_id, 0, session.answers)
    return StoredSession(session_id, chat_id, session, status_of(session), now, last_update_id,
                         last_update_at, NOT_SHOWN, chosen_language(conn, chat_id))


def save_session(
    conn: sqlite3.Connection,
    clock: Clock,
    stored: StoredSession,
    session: Session,
    update_id: int | None,
) -> StoredSession:
    """Store the session's new state; ValueError when `stored` is no longer the chat's latest."""
    chat_id = _latest_chat_of(conn, stored)
    now = clock()
    # Diff against the rows themselves, not `stored`, so a stale `stored` cannot leave gaps.
    # Plain tuples: comparing them is several times faster than comparing Answers.
    before = conn.execute(sql.ANSWERS, (stored.id,)).fetchall()
    kept = _common_prefix(before, [(a.question, a.option, a.at) for a in session.answers])
    if kept < len(before):
        conn.execute(sql.UNDO_ANSWERS, (stored.id, kept))
    _add_answers(conn, stored.id, kept, session.answers[kept:])
    session = settled(session, now)
    # The session saved is the chat's latest, whose last update id is the chat's.
    [(last_update_id, last_update_at)] = conn.execute(
        sql.SAVE_SESSION,
        {"current": session.current, "status": status_of(session),
         "outcome": session.outcome, "now": now, "finished_at": session.finished_at,
         "version": session.version, "update_id": update_id, "id": stored.id,
         "language": session.language or None},
    ).fetchall()  # all: the statement must finish before COMMIT
    conn.execute(sql.REACTIVATE, (now, chat_id))
    return StoredSession(stored.id, chat_id, session, status_of(session), now, last_update_id,
                         last_update_at, NOT_SHOWN, stored.chosen_language, stored.revises,
                         stored.origin)


def revise_session(
    conn: sqlite3.Connection,
    clock: Clock,
    stored: StoredSession,
    session: Session,
    update_id: int | None,
) -> StoredSession:
    """Store `session` as a new version of `stored`, which must be the chat's latest."""
    chat_id = _latest_chat_of(conn, stored)
    now = clock()
    last_update_id, last_update_at = _carried(conn, chat_id, update_id, now)
    conn.execute(sql.SUPERSEDE, (now, stored.id))
    session = settled(session, now)
    origin = stored.lineage
    cursor = conn.execute(
        sql.ADD_VERSION,
        (*_row(chat_id, session, now, last_update_id, last_update_at), stored.id, origin))
    version_id = cursor.lastrowid
    assert version_id is not None  # an INSERT into a rowid table always sets it
    _add_answers(conn, version_id, 0, session.answers)
    conn.execute(sql.REACTIVATE, (now, chat_id))
    return StoredSession(version_id, chat_id, session, status_of(session), now, last_update_id,
                         last_update_at, NOT_SHOWN, stored.chosen_language, stored.id, origin)


def _carried(
    conn: sqlite3.Connection, chat_id: int, update_id: int | None, now: float
) -> tuple[int | None, float | None]:
    """Return the last handled update a new row of the chat carries: this one, or the chat's."""
    return (update_id, now) if update_id is not None else last_update(conn, chat_id)


def _row(chat_id: int, session: Session, now: float, last_update_id: int | None,
         last_update_at: float | None) -> tuple[Any, ...]:
    """Return the columns ADD_SESSION and ADD_VERSION share, in their order."""
    return (chat_id, session.dialogue, session.version, session.current, status_of(session),
            session.outcome, session.started_at, now, session.finished_at, last_update_id,
            last_update_at, session.language or None)


def _latest_chat_of(conn: sqlite3.Connection, stored: StoredSession) -> int:
    """Return the chat of `stored` if it may still be saved, else raise ValueError."""
    row = conn.execute(sql.SESSION_STATUS, (stored.id,)).fetchone()
    # Only a finished session can have a newer one beside it: an active one is the chat's
    # latest (a start marks it restarted), and only the latest carries the chat's last
    # update id.
    if row is None or row[1] == "restarted" or (
        row[1] == "finished"
        and conn.execute(sql.LATEST_SESSION_ID, (row[0],)).fetchone()[0] != stored.id
    ):
        raise ValueError(
            f"session {stored.id} of chat {stored.chat_id} was restarted or forgotten"
            " since it was read, or a newer one began; read the chat's current session again"
        )
    chat_id: int = row[0]
    return chat_id


def latest(conn: sqlite3.Connection, query: str, chat_id: int) -> StoredSession | None:
    """Return the one session `query` (CURRENT or LAST_FINISHED) finds for the chat, or None."""
    found = conn.execute(query, {"chat": chat_id}).fetchone()
    if found is None:
        return None
    answers = [Answer(*answer) for answer in conn.execute(sql.ANSWERS, (found[0],))]
    stored = _stored(found, answers)
    if stored.revises is None:
        return stored
    revising = _revising(conn, stored.revises)
    return replace(stored, session=replace(stored.session, revising=revising))


def _revising(conn: sqlite3.Connection, revised: int) -> Revision:
    """Return what a version that changed answers of version `revised` is changing: its
    answers, then those an open `revised` still carried from the version before it."""
    answers: list[Answer] = []
    outcome: str | None = None
    while True:
        status, outcome, earlier = conn.execute(sql.REVISED, (revised,)).fetchone()
        asked = {answer.question for answer in answers}
        answers += [Answer(*row) for row in conn.execute(sql.ANSWERS, (revised,))
                    if row[0] not in asked]
        if status == "finished" or earlier is None:
            return Revision(tuple(answers), outcome)
        revised = earlier


def history(conn: sqlite3.Connection, chat_id: int) -> list[StoredSession]:
    """Return every session of the chat with its answers, oldest first."""
    answers: dict[int, list[Answer]] = {}
    for session_id, *answer in conn.execute(sql.HISTORY_ANSWERS, (chat_id,)):
        answers.setdefault(session_id, []).append(Answer(*answer))
    rows = conn.execute(sql.HISTORY, {"chat": chat_id})
    return [_stored(row, answers.get(row[0], [])) for row in rows]


def last_update(conn: sqlite3.Connection, chat_id: int) -> tuple[int | None, float | None]:
    """Return the chat's last handled update: its id and when it was recorded."""
    found: tuple[int | None, float | None] = conn.execute(
        sql.CHAT_LAST_UPDATE, {"chat": chat_id}).fetchone()
    return found


def touch_chat(
    conn: sqlite3.Connection, chat_id: int, now: float, *, active: bool, update_id: int | None
) -> None:
    """Create or update the chat's row, recording `update_id` (when given) as handled now."""
    conn.execute(sql.TOUCH_CHAT, (chat_id, int(active), now, update_id))


def note_update(conn: sqlite3.Connection, chat_id: int, now: float, update_id: int) -> None:
    """Record `update_id` as handled: on the chat's row and on its latest session, if any."""
    touch_chat(conn, chat_id, now, active=True, update_id=update_id)
    conn.execute(sql.NOTE_ON_SESSION, (update_id, chat_id, now))


def mark_shown(conn: sqlite3.Connection, marks: Iterable[tuple[int, int, float]]) -> None:
    """Record (answers, session id, updated_at) marks of replies that reached people."""
    conn.executemany(sql.MARK_SHOWN, marks)


def choose_language(conn: sqlite3.Connection, chat_id: int, now: float, language: str) -> None:
    """Record the language the chat chose; its open session is shown in it from now on."""
    conn.execute(sql.CHOOSE_LANGUAGE, (chat_id, now, language))
    conn.execute(sql.SESSION_LANGUAGE, (language, chat_id))


def chosen_language(conn: sqlite3.Connection, chat_id: int) -> str | None:
    """Return the language the chat chose with /language, or None."""
    row = conn.execute(sql.CHOSEN_LANGUAGE, (chat_id,)).fetchone()
    return None if row is None else row[0]


def is_active(conn: sqlite3.Connection, chat_id: int) -> bool:
    """Return False while the chat is marked inactive; unknown chats are active."""
    row = conn.execute(sql.IS_ACTIVE, (chat_id,)).fetchone()
    return row is None or row[0] == 1


def forget(conn: sqlite3.Connection, chat_id: int) -> int:
    """Delete the chat's sessions, answers and row; return how many sessions there were."""
    deleted = conn.execute(sql.FORGET_SESSIONS, (chat_id,)).rowcount
    conn.execute(sql.FORGET_CHAT, (chat_id,))
    return deleted


def _stored(row: Sequence[Any], answers: Iterable[Answer]) -> StoredSession:
    (session_id, chat_id, dialogue, version, current, status, outcome, started_at,
     updated_at, finished_at, last_update_id, last_update_at, shown, language, chosen,
     revises, origin) = row
    session = Session(
        dialogue, version, current, tuple(answers), outcome, started_at, finished_at,
        language or "",
    )
    return StoredSession(session_id, chat_id, session, status, updated_at, last_update_id,
                         last_update_at, shown, chosen, revises, origin)


def _add_answers(
    conn: sqlite3.Connection, session_id: int, first: int, answers: Sequence[Answer]
) -> None:
    conn.executemany(
        sql.ADD_ANSWER,
        [(session_id, position, answer.question, answer.option, answer.at)
         for position, answer in enumerate(answers, start=first)],
    )


def _common_prefix(before: Sequence[object], after: Sequence[object]) -> int:
    kept = 0
    for old, new in zip(before, after, strict=False):
        if old != new:
            break
        kept += 1
    return kept
