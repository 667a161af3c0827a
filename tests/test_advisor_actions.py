"""The Advisor's action buttons (back, change an answer, why not, what would change this, start
over) over the in-memory store: what they store, and the stale and lost-reply rules for them."""

from __future__ import annotations

import pytest

from bot.advisor import Turn
from bot.engine.loader import load_dialogue
from bot.engine.model import Dialogue
from bot.storage.memory import MemoryStore
from tests.test_advisor import CHAT, SMALL, Clock, FrontEnd, labels


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock: Clock) -> MemoryStore:
    return MemoryStore(clock)


@pytest.fixture
def dialogue() -> Dialogue:
    return load_dialogue(SMALL)


@pytest.fixture
def advisor(dialogue: Dialogue, store: MemoryStore, clock: Clock) -> FrontEnd:
    return FrontEnd(dialogue, store, clock=clock, idle_after=3600.0)


async def finish(advisor: FrontEnd, clock: Clock) -> Turn:
    """Start and answer "At home": open-back wins, closed-back runs up."""
    started = await advisor.start(CHAT, update_id=1)
    clock.now += 10
    return await advisor.press(CHAT, started.session_id, "where:home", update_id=2)


async def test_explanations_answer_on_the_result_and_change_nothing(
    advisor: FrontEnd, store: MemoryStore, clock: Clock
) -> None:
    done = await finish(advisor, clock)
    assert labels(done)[:3] == ["Change an answer", "Why not Closed-back headphones?",
                                "What would change this?"]
    before = await store.current(CHAT)

    why = await advisor.press(CHAT, done.session_id, "!whynot:closed_back", update_id=3)
    what = await advisor.press(CHAT, done.session_id, "!whatif", update_id=4)
    listed = await advisor.press(CHAT, done.session_id, "!change", update_id=5)

    assert [t.kind for t in (why, what, listed)] == ["explanation"] * 3
    assert why.reply.text.startswith("Why not Closed-back headphones?")
    assert "If your answer to “Where will you listen most?” were" in what.reply.text
    assert labels(listed) == ["Where will you listen most?: At home"]
    after = await store.current(CHAT)
    assert after is not None
    assert before is not None
    assert (after.id, after.session) == (before.id, before.session)
    assert await store.last_update_id(CHAT) == 5  # each remembered: no second reply
    assert (await advisor.press(CHAT, done.session_id, "!whatif", update_id=4)).kind == (
        "duplicate")


async def test_changing_an_answer_stores_a_new_version_and_a_second_tap_is_stale(
    advisor: FrontEnd, store: MemoryStore, clock: Clock
) -> None:
    done = await finish(advisor, clock)
    asked = await advisor.press(CHAT, done.session_id, "!change:where", update_id=3)
    assert asked.kind == "question"
    assert asked.session_id != done.session_id
    assert asked.reply.text.startswith("Your answer was “At home”. Pick the new one:")
    again = await advisor.press(CHAT, done.session_id, "!change:where", update_id=4)
    assert again.kind == "stale"

    clock.now += 10
    result = await advisor.press(CHAT, asked.session_id, "where:studio", update_id=5)
    assert result.kind == "question"  # studio work asks about the click track
    result = await advisor.press(CHAT, asked.session_id, "monitor:yes", update_id=6)
    assert result.kind == "result"
    assert result.reply.text.startswith("Where will you listen most?: At home → In a studio: ")
    history = await store.history(CHAT)
    assert [(s.status, s.revises) for s in history] == [("finished", None),
                                                       ("finished", done.session_id)]


async def test_a_lost_reply_to_change_is_shown_again_when_the_button_is_pressed_again(
    advisor: FrontEnd, clock: Clock
) -> None:
    done = await finish(advisor, clock)
    advisor.lose_replies = True  # stored, then the bot stopped before the question went out
    asked = await advisor.press(CHAT, done.session_id, "!change:where", update_id=3)
    advisor.lose_replies = False

    again = await advisor.press(CHAT, done.session_id, "!change:where", update_id=4)

    assert (again.kind, again.session_id) == ("question", asked.session_id)
    assert "Where will you listen most?" in again.reply.text


async def test_back_buttons_undo_only_from_the_question_they_are_on(
    advisor: FrontEnd, store: MemoryStore
) -> None:
    started = await advisor.start(CHAT, update_id=1)
    second = await advisor.press(CHAT, started.session_id, "where:commute", update_id=2)
    assert second.reply.buttons[-1][0].data == "!back:wireless"

    stale = await advisor.press(CHAT, second.session_id, "!back:where", update_id=3)
    assert stale.kind == "stale"
    back = await advisor.press(CHAT, second.session_id, "!back:wireless", update_id=4)
    assert back.kind == "question"
    assert back.marked == "Do you want wireless?\n\n◀ Back"
    stored = await store.current(CHAT)
    assert stored is not None
    assert stored.session.answers == ()
    twice = await advisor.press(CHAT, second.session_id, "!back:wireless", update_id=5)
    assert twice.kind == "stale"


async def test_start_over_from_the_result_skips_the_welcome(
    advisor: FrontEnd, clock: Clock
) -> None:
    done = await finish(advisor, clock)
    again = await advisor.press(CHAT, done.session_id, "!start", update_id=3)
    assert again.kind == "question"
    assert again.reply.text == "Step 1/2\n\nWhere will you listen most?"


async def test_change_before_any_answer_shows_the_first_question(advisor: FrontEnd) -> None:
    assert (await advisor.change(CHAT, update_id=1)).reply.text == advisor.texts.no_result
    await advisor.start(CHAT, update_id=2)
    shown = await advisor.change(CHAT, update_id=3)
    assert shown.kind == "question"
    assert shown.reply.text.startswith(advisor.texts.change_none)
