"""The Advisor's rules, over the in-memory store: no PTB, no HTTP, no file.

Each test drives the real engine on a small dialogue through the Advisor and checks what a
person would be shown and what would be stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.advisor import CONTINUE, RESTART, Advisor, Turn
from bot.engine.loader import load_dialogue
from bot.engine.model import Dialogue
from bot.storage.memory import MemoryStore

if TYPE_CHECKING:  # mypy checks here that MemoryStore has every method of the port
    from bot.storage.base import SessionStore

    _CONFORMS: type[SessionStore] = MemoryStore

SMALL = Path(__file__).parent / "data" / "valid" / "small.yaml"
CHAT = 11
DAY = 24 * 3600.0


class Clock:
    """A clock the test moves by hand; the store and the Advisor both read it."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


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
def advisor(dialogue: Dialogue, store: MemoryStore, clock: Clock) -> Advisor:
    return Advisor(dialogue, store, clock=clock, idle_after=3600.0)


def labels(turn: Turn) -> list[str]:
    return [button.label for row in turn.reply.buttons for button in row]


async def answers(store: MemoryStore) -> list[tuple[str, str]]:
    stored = await store.current(CHAT)
    assert stored is not None
    return [(a.question, a.option) for a in stored.session.answers]


async def test_a_start_welcomes_and_asks_the_first_question(advisor: Advisor) -> None:
    turn = await advisor.start(CHAT, update_id=1)

    assert turn.kind == "question"
    assert turn.reply.text == "Hello there!\n\nStep 1/2\n\nWhere will you listen most?"
    assert labels(turn) == ["At home", "Commuting", "On stage", "In a studio", "Not sure"]
    assert turn.reply.buttons[0][0].data == "where:home"


async def test_an_update_handled_before_changes_nothing_and_shows_nothing(
    advisor: Advisor, store: MemoryStore, clock: Clock
) -> None:
    started = await advisor.start(CHAT, update_id=1)
    await advisor.press(CHAT, started.session_id, "where:commute", update_id=2)
    clock.now += 60  # a re-delivery comes after a restart, long after the update

    for again in (advisor.press(CHAT, started.session_id, "where:commute", update_id=2),
                  advisor.start(CHAT, update_id=1),
                  advisor.type_answer(CHAT, "Wired", update_id=2),
                  advisor.back(CHAT, update_id=2)):
        turn = await again
        assert turn.kind == "duplicate"
        assert not turn.shows_something
    assert await answers(store) == [("where", "commute")]
    assert len(await store.history(CHAT)) == 1


async def test_a_lower_update_id_after_a_quiet_week_is_answered(
    advisor: Advisor, store: MemoryStore, clock: Clock
) -> None:
    started = await advisor.start(CHAT, update_id=500)
    await advisor.press(CHAT, started.session_id, "where:commute", update_id=501)
    clock.now += 8 * DAY  # Telegram numbers updates afresh after a week without any

    turn = await advisor.start(CHAT, update_id=7)
    assert turn.kind == "question"
    turn = await advisor.press(CHAT, turn.session_id, "where:home", update_id=8)
    assert turn.kind == "result"
    assert await answers(store) == [("where", "home")]
    # Counted from there: 8 again is a re-delivery.
    again = await advisor.press(CHAT, turn.session_id, "where:home", update_id=8)
    assert again.kind == "duplicate"


async def test_a_quick_second_press_counts_once_and_gets_a_notice(
    advisor: Advisor, store: MemoryStore, clock: Clock
) -> None:
    started = await advisor.start(CHAT, update_id=1)
    first = await advisor.press(CHAT, started.session_id, "where:commute", update_id=2)
    clock.now += 1
    second = await advisor.press(CHAT, started.session_id, "where:commute", update_id=3)

    assert first.kind == "question"
    assert first.marked == "Where will you listen most?\n\n✅ Commuting"
    assert second.kind == "stale"
    assert second.reply.text == advisor.texts.stale
    assert await answers(store) == [("where", "commute")]


async def test_a_press_again_long_after_shows_the_question_whose_reply_was_lost(
    advisor: Advisor, store: MemoryStore, clock: Clock
) -> None:
    started = await advisor.start(CHAT, update_id=1)
    await advisor.press(CHAT, started.session_id, "where:commute", update_id=2)
    clock.now += 60  # the bot stopped before the next question went out; they press again

    turn = await advisor.press(CHAT, started.session_id, "where:commute", update_id=3)

    assert turn.kind == "question"
    assert turn.reply.text == "Step 2/2\n\nDo you want wireless?"
    assert turn.marked == "Where will you listen most?\n\n✅ Commuting"
    assert await answers(store) == [("where", "commute")]
    # Another option on that message shows the same: what was stored, and the next question.
    other = await advisor.press(CHAT, started.session_id, "where:home", update_id=4)
    assert (other.kind, other.marked) == ("question", turn.marked)
    assert await answers(store) == [("where", "commute")]


async def test_buttons_of_an_earlier_session_or_none_only_get_a_notice(
    advisor: Advisor, store: MemoryStore
) -> None:
    nothing = await advisor.press(CHAT, 99, "where:home", update_id=1)
    assert (nothing.kind, nothing.reply.text) == ("notice", advisor.texts.no_result)

    first = await advisor.start(CHAT, update_id=2)
    second = await advisor.start(CHAT, update_id=3)
    old = await advisor.press(CHAT, first.session_id, "where:home", update_id=4)
    assert (old.kind, old.reply.text) == ("stale", advisor.texts.stale)

    done = await advisor.press(CHAT, second.session_id, "where:home", update_id=5)
    assert done.kind == "result"
    late = await advisor.press(CHAT, first.session_id, "where:home", update_id=6)
    assert (late.kind, late.reply.text) == ("stale", advisor.texts.finished)
    assert [s.status for s in await store.history(CHAT)] == ["restarted", "finished"]


async def test_after_a_long_pause_the_next_input_offers_to_continue_or_start_over(
    advisor: Advisor, store: MemoryStore, clock: Clock
) -> None:
    started = await advisor.start(CHAT, update_id=1)
    await advisor.press(CHAT, started.session_id, "where:commute", update_id=2)
    clock.now += 2 * 3600

    offer = await advisor.type_answer(CHAT, "Wired", update_id=3)
    assert offer.kind == "idle"
    assert offer.reply.text == advisor.texts.idle
    assert [b.data for row in offer.reply.buttons for b in row] == [CONTINUE, RESTART]
    assert await answers(store) == [("where", "commute")]  # the typed answer waits

    going_on = await advisor.press(CHAT, offer.session_id, CONTINUE, update_id=4)
    assert going_on.kind == "question"
    assert going_on.reply.text == "Step 2/2\n\nDo you want wireless?"
    assert going_on.marked == f"{advisor.texts.idle}\n\n✅ {advisor.texts.idle_continue}"

    clock.now += 2 * 3600
    offer = await advisor.press(CHAT, going_on.session_id, "wireless:off", update_id=5)
    anew = await advisor.press(CHAT, offer.session_id, RESTART, update_id=6)
    assert anew.reply.text.startswith("Hello there!")
    assert [s.status for s in await store.history(CHAT)] == ["restarted", "active"]


async def test_a_session_the_new_dialogue_no_longer_fits_starts_again_saying_why(
    advisor: Advisor, dialogue: Dialogue, store: MemoryStore, tmp_path: Path
) -> None:
    started = await advisor.start(CHAT, update_id=1)
    await advisor.press(CHAT, started.session_id, "where:commute", update_id=2)
    # The question the session waits at is gone from the new version: renamed.
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(SMALL.read_text(encoding="utf-8").replace("wireless", "cable"),
                       encoding="utf-8")
    assert (await advisor.reload(renamed)).switched

    turn = await advisor.type_answer(CHAT, "Wired", update_id=3)

    assert turn.kind == "question"
    assert turn.reply.text == (f"{dialogue.texts.dialogue_changed}\n\nStep 1/2\n\n"
                               "Where will you listen most?")
    assert [s.status for s in await store.history(CHAT)] == ["restarted", "active"]


async def test_back_returns_to_the_question_asked_before_and_at_the_first_says_so(
    advisor: Advisor, store: MemoryStore
) -> None:
    first = await advisor.back(CHAT, update_id=1)
    assert (first.kind, first.reply.text) == ("notice", advisor.texts.no_result)

    started = await advisor.start(CHAT, update_id=2)
    nothing = await advisor.back(CHAT, update_id=3)
    assert (nothing.kind, nothing.reply.text) == ("notice", advisor.texts.nothing_to_undo)

    await advisor.press(CHAT, started.session_id, "where:commute", update_id=4)
    back = await advisor.back(CHAT, update_id=5)
    assert back.kind == "question"
    # Back at the first question it is asked again, without the welcome of a start.
    assert back.reply.text == "Step 1/2\n\nWhere will you listen most?"
    assert await answers(store) == []


async def test_typing_without_a_session_starts_one_and_a_reprompt_is_remembered(
    advisor: Advisor, store: MemoryStore, clock: Clock
) -> None:
    turn = await advisor.type_answer(CHAT, "hello", update_id=1)
    assert turn.kind == "question"
    assert turn.reply.text.startswith("Hello there!\n\n")

    unclear = await advisor.type_answer(CHAT, "banana", update_id=2)
    assert unclear.kind == "reprompt"
    assert "At home" in [b.label for row in unclear.reply.buttons for b in row]
    assert await store.last_update_id(CHAT) == 2
    clock.now += 60
    assert (await advisor.type_answer(CHAT, "banana", update_id=2)).kind == "duplicate"

    understood = await advisor.type_answer(CHAT, "house", update_id=3)
    assert understood.kind == "result"
    assert await answers(store) == [("where", "home")]


async def test_a_finished_session_is_shown_by_result_and_survives_a_new_start(
    advisor: Advisor, store: MemoryStore
) -> None:
    assert (await advisor.result(CHAT)).text == advisor.texts.no_result
    started = await advisor.start(CHAT, update_id=1)
    done = await advisor.press(CHAT, started.session_id, "where:home", update_id=2)
    await advisor.start(CHAT, update_id=3)

    shown = await advisor.result(CHAT)
    assert shown.text == done.reply.text
    assert "Open-back headphones" in shown.text


async def test_my_data_lists_the_answers_and_forget_deletes_them(
    advisor: Advisor, store: MemoryStore
) -> None:
    assert (await advisor.my_data(CHAT)).text == advisor.texts.mydata_empty
    started = await advisor.start(CHAT, update_id=1)
    await advisor.press(CHAT, started.session_id, "where:commute", update_id=2)

    listed = (await advisor.my_data(CHAT)).text
    assert listed.startswith(advisor.texts.mydata_heading.format(chat_id=CHAT))
    assert "Where will you listen most? → Commuting" in listed

    assert await advisor.forget(CHAT) == 1
    assert await store.current(CHAT) is None
    assert (await advisor.my_data(CHAT)).text == advisor.texts.mydata_empty


async def test_a_chat_marked_blocked_is_inactive_until_it_writes_again(
    advisor: Advisor, store: MemoryStore
) -> None:
    await advisor.start(CHAT, update_id=1)
    await advisor.mark_blocked(CHAT)
    assert not await store.is_active(CHAT)
    await advisor.type_answer(CHAT, "banana", update_id=2)
    assert await store.is_active(CHAT)


async def test_a_reload_switches_only_to_a_valid_dialogue(
    advisor: Advisor, dialogue: Dialogue, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(SMALL.read_text(encoding="utf-8").replace("start: where", "start: nowhere"),
                      encoding="utf-8")
    refused = await advisor.reload(broken)
    assert not refused.switched
    assert "start 'nowhere' is not a question" in refused.message
    assert advisor.dialogue is dialogue

    edited = tmp_path / "edited.yaml"
    edited.write_text(SMALL.read_text(encoding="utf-8").replace("version: 2", "version: 5"),
                      encoding="utf-8")
    switched = await advisor.reload(edited)
    assert switched.switched
    assert switched.message.startswith("small_advisor v5:")
    assert advisor.dialogue.version == "5"
