"""A session whose answers a person changes is stored as a new version: every earlier answer
stays, the session reads back as revised, and both stores keep the same rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.engine.model import Answer, Revision, Session
from bot.storage.base import SessionStore
from bot.storage.memory import MemoryStore
from bot.storage.sqlite import SqliteStore
from tests.dbfile import read_rows
from tests.storage.sessions import CHAT, session, ticking

ANSWERED = (("usage", "commute", 510.0), ("budget", "mid", 520.0), ("fit", "yes", 530.0))
ANSWERED_TAIL = tuple(Answer(q, o, at) for q, o, at in ANSWERED[1:])


@pytest.fixture(params=["sqlite", "memory"])
async def any_store(request: pytest.FixtureRequest, db_path: Path) -> AsyncIterator[SessionStore]:
    opened: SessionStore
    if request.param == "sqlite":
        opened = await SqliteStore.open(db_path, clock=ticking())
    else:
        opened = MemoryStore(clock=ticking())
    yield opened
    await opened.close()


def done(*answers: tuple[str, str, float], outcome: str = "iem") -> Session:
    return session(*answers, current=None, outcome=outcome, finished_at=600.0)


def changing(before: Session, keep: int, current: str) -> Session:
    """The session the engine makes to answer `current` again: the answers before it kept."""
    return replace(before, current=current, answers=before.answers[:keep], outcome=None,
                   finished_at=None, revising=Revision(before.answers, before.outcome))


async def test_a_finished_session_changed_stays_finished_and_the_new_version_links_back(
    any_store: SessionStore,
) -> None:
    first = await any_store.begin(CHAT, done(*ANSWERED))
    revised = await any_store.revise(first, changing(first.session, 1, "budget"), update_id=9)

    assert revised.id != first.id
    assert (revised.status, revised.revises, revised.origin) == ("active", first.id, first.id)
    assert revised.lineage == first.lineage == first.id
    current = await any_store.current(CHAT)
    assert current is not None
    assert current.id == revised.id
    assert current.session.revising == Revision(first.session.answers, "iem")
    assert current.session.chosen() == {"usage": "commute"}
    assert current.last_update_id == 9
    # The finished version keeps its answers, and is still the last recommendation.
    history = await any_store.history(CHAT)
    assert [(s.id, s.status) for s in history] == [(first.id, "finished"),
                                                   (revised.id, "active")]
    assert history[0].session.answers == first.session.answers
    last = await any_store.last_finished(CHAT)
    assert last is not None
    assert last.id == first.id


async def test_finishing_the_new_version_makes_it_the_recommendation(
    any_store: SessionStore,
) -> None:
    first = await any_store.begin(CHAT, done(*ANSWERED))
    revised = await any_store.revise(first, changing(first.session, 1, "budget"))
    again = done(("usage", "commute", 510.0), ("budget", "high", 700.0), ("fit", "yes", 530.0),
                 outcome="custom")
    saved = await any_store.save(revised, replace(again, revising=revised.session.revising))

    last = await any_store.last_finished(CHAT)
    assert last is not None
    assert (last.id, last.session.outcome) == (saved.id, "custom")
    # A second change starts from the newest version, and shares the first one's origin.
    third = await any_store.revise(saved, changing(saved.session, 0, "usage"))
    assert (third.revises, third.origin) == (saved.id, first.id)
    current = await any_store.current(CHAT)
    assert current is not None
    assert current.session.revising == Revision(saved.session.answers, "custom")
    statuses = [s.status for s in await any_store.history(CHAT)]
    assert statuses == ["finished", "finished", "active"]


async def test_changing_an_open_session_carries_the_answers_it_still_had(
    any_store: SessionStore,
) -> None:
    first = await any_store.begin(CHAT, session(*ANSWERED, current="color"))
    revised = await any_store.revise(first, changing(first.session, 0, "usage"))
    assert [s.status for s in await any_store.history(CHAT)] == ["restarted", "active"]
    # Changed again before that change reached the end: the first answers still count.
    moved = await any_store.save(revised, replace(
        revised.session, current="budget",
        answers=(Answer("usage", "home", 800.0),)))
    later = replace(moved.session, current="usage", answers=(),
                    revising=Revision((Answer("usage", "home", 800.0), *ANSWERED_TAIL), None))
    again = await any_store.revise(moved, later)
    current = await any_store.current(CHAT)
    assert current is not None
    assert current.id == again.id
    assert current.session.revising == later.revising


async def test_a_version_of_a_replaced_session_is_refused(any_store: SessionStore) -> None:
    first = await any_store.begin(CHAT, done(*ANSWERED))
    await any_store.revise(first, changing(first.session, 1, "budget"))
    with pytest.raises(ValueError, match="read the chat's current session again"):
        await any_store.revise(first, changing(first.session, 2, "fit"))


async def test_forget_deletes_every_version(any_store: SessionStore) -> None:
    first = await any_store.begin(CHAT, done(*ANSWERED))
    await any_store.revise(first, changing(first.session, 1, "budget"))
    assert await any_store.forget(CHAT) == 2
    assert await any_store.history(CHAT) == []


async def test_a_version_reads_back_from_the_file_as_it_was_stored(db_path: Path) -> None:
    store = await SqliteStore.open(db_path, clock=ticking())
    first = await store.begin(CHAT, done(*ANSWERED))
    revised = await store.revise(first, changing(first.session, 1, "budget"))
    await store.close()

    reopened = await SqliteStore.open(db_path, clock=ticking(2000.0))
    try:
        current = await reopened.current(CHAT)
    finally:
        await reopened.close()
    assert current == replace(revised, last_update_at=current.last_update_at if current else 0)
    assert read_rows(db_path, "SELECT id, status, revises, origin, started_at FROM sessions"
                              " ORDER BY id") == [
        (first.id, "finished", None, None, 500.0),
        (revised.id, "active", first.id, first.id, 500.0),
    ]
    assert read_rows(db_path, "SELECT session_id, question_id, option_id FROM answers"
                              " ORDER BY session_id, position") == [
        (first.id, "usage", "commute"), (first.id, "budget", "mid"), (first.id, "fit", "yes"),
        (revised.id, "usage", "commute"),
    ]

