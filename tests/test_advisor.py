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


class FrontEnd(Advisor):
    """The Advisor as a front end uses it: each turn is shown, then reported as delivered,
    unless the test loses the reply (`lose_replies`), as a crash before the send would."""

    lose_replies = False

    async def start(
        self, chat_id: int, update_id: int | None = None, *, language: str | None = None,
        welcome: bool = True,
    ) -> Turn:
        return await self._show(chat_id, await super().start(chat_id, update_id,
                                                             language=language, welcome=welcome))

    async def press(
        self, chat_id: int, session_id: int | None, data: str, update_id: int | None = None,
        *, language: str | None = None,
    ) -> Turn:
        return await self._show(chat_id, await super().press(chat_id, session_id, data,
                                                             update_id, language=language))

    async def type_answer(
        self, chat_id: int, text: str, update_id: int | None = None, *,
        language: str | None = None,
    ) -> Turn:
        return await self._show(chat_id, await super().type_answer(chat_id, text, update_id,
                                                                   language=language))

    async def back(
        self, chat_id: int, update_id: int | None = None, *, language: str | None = None
    ) -> Turn:
        return await self._show(chat_id, await super().back(chat_id, update_id,
                                                            language=language))

    async def change(
        self, chat_id: int, update_id: int | None = None, *, language: str | None = None
    ) -> Turn:
        return await self._show(chat_id, await super().change(chat_id, update_id,
                                                              language=language))

    async def result(self, chat_id: int, *, language: str | None = None) -> Turn:
        return await self._show(chat_id, await super().result(chat_id, language=language))

    async def _show(self, chat_id: int, turn: Turn) -> Turn:
        if not self.lose_replies:
            await self.delivered(chat_id, turn)
        return turn


@pytest.fixture
def advisor(dialogue: Dialogue, store: MemoryStore, clock: Clock) -> FrontEnd:
    return FrontEnd(dialogue, store, clock=clock, idle_after=3600.0)


def labels(turn: Turn) -> list[str]:
    return [button.label for row in turn.reply.buttons for button in row]


async def answers(store: MemoryStore) -> list[tuple[str, str]]:
    stored = await store.current(CHAT)
    assert stored is not None
    return [(a.question, a.option) for a in stored.session.answers]


async def test_a_start_welcomes_and_asks_the_first_question(advisor: FrontEnd) -> None:
    turn = await advisor.start(CHAT, update_id=1)

    assert turn.kind == "question"
    assert turn.reply.text == "Hello there!\n\nStep 1/2\n\nWhere will you listen most?"
    assert labels(turn) == ["At home", "Commuting", "On stage", "In a studio", "Not sure"]
    assert turn.reply.buttons[0][0].data == "where:home"


async def test_an_update_handled_before_changes_nothing_and_shows_nothing(
    advisor: FrontEnd, store: MemoryStore, clock: Clock
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
    advisor: FrontEnd, store: MemoryStore, clock: Clock
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
    advisor: FrontEnd, store: MemoryStore, clock: Clock
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


async def test_a_press_again_after_its_reply_was_lost_shows_that_reply_once(
    advisor: FrontEnd, store: MemoryStore, clock: Clock
) -> None:
    started = await advisor.start(CHAT, update_id=1)
    advisor.lose_replies = True  # stored, then the bot stopped before the reply went out
    await advisor.press(CHAT, started.session_id, "where:commute", update_id=2)
    advisor.lose_replies = False
    clock.now += 1  # pressed again at once: not a double press, since nothing was shown

    turn = await advisor.press(CHAT, started.session_id, "where:commute", update_id=3)

    assert turn.kind == "question"
    assert turn.reply.text == "Step 2/2\n\nDo you want wireless?"
    assert turn.marked == "Where will you listen most?\n\n✅ Commuting"
    assert await answers(store) == [("where", "commute")]
    # Shown now: another press on that message is a double press, whatever it names and
    # however late it comes.
    clock.now += 60
    again = await advisor.press(CHAT, started.session_id, "where:home", update_id=4)
    assert (again.kind, again.reply.text) == ("stale", advisor.texts.stale)
    assert await answers(store) == [("where", "commute")]


async def test_a_lost_result_is_shown_when_the_last_button_is_pressed_again_once(
    advisor: FrontEnd, store: MemoryStore
) -> None:
    started = await advisor.start(CHAT, update_id=1)
    advisor.lose_replies = True
    done = await advisor.press(CHAT, started.session_id, "where:home", update_id=2)
    advisor.lose_replies = False
    assert done.kind == "result"

    shown = await advisor.press(CHAT, started.session_id, "where:home", update_id=3)
    assert (shown.kind, shown.reply.text) == ("result", done.reply.text)
    assert shown.marked == "Where will you listen most?\n\n✅ At home"
    once = await advisor.press(CHAT, started.session_id, "where:home", update_id=4)
    assert (once.kind, once.reply.text) == ("stale", advisor.texts.finished)
    assert [s.status for s in await store.history(CHAT)] == ["finished"]


async def test_typing_after_a_lost_result_shows_the_result(advisor: FrontEnd) -> None:
    started = await advisor.start(CHAT, update_id=1)
    advisor.lose_replies = True
    done = await advisor.press(CHAT, started.session_id, "where:home", update_id=2)
    advisor.lose_replies = False

    shown = await advisor.type_answer(CHAT, "At home", update_id=3)
    assert (shown.kind, shown.reply.text) == ("result", done.reply.text)
    after = await advisor.type_answer(CHAT, "thanks!", update_id=4)
    assert (after.kind, after.reply.text) == ("notice", advisor.texts.finished)


async def test_a_typed_answer_is_applied_only_to_a_question_that_was_shown(
    advisor: FrontEnd, store: MemoryStore
) -> None:
    await advisor.start(CHAT, update_id=1)
    advisor.lose_replies = True  # "Commuting" stored; the next question never went out
    await advisor.type_answer(CHAT, "Commuting", update_id=2)
    advisor.lose_replies = False

    # The person, seeing no reply, types their answer again: it must not answer question 2.
    again = await advisor.type_answer(CHAT, "Commuting", update_id=3)
    assert again.kind == "question"
    assert again.reply.text == "Step 2/2\n\nDo you want wireless?"
    assert await answers(store) == [("where", "commute")]
    taken = await advisor.type_answer(CHAT, "Wired", update_id=4)
    assert taken.kind == "result"
    assert await answers(store) == [("where", "commute"), ("wireless", "off")]


async def test_after_a_restore_every_input_first_shows_where_the_chat_stands(
    advisor: FrontEnd, store: MemoryStore
) -> None:
    started = await advisor.start(CHAT, update_id=1)
    assert started.session_id is not None
    await advisor.press(CHAT, started.session_id, "where:commute", update_id=2)
    store.restore()  # the database is put back from a backup made at this point
    restored_text = advisor.texts.restored + "\n\nStep 2/2\n\nDo you want wireless?"

    # A button from a session the backup does not have: shown where the chat stands.
    newer = await advisor.press(CHAT, started.session_id + 1, "wireless:on", update_id=3)
    assert (newer.kind, newer.reply.text) == ("question", restored_text)
    store.restore()
    # A button of an earlier question: the same, instead of a notice with nowhere to go.
    older = await advisor.press(CHAT, started.session_id, "where:home", update_id=4)
    assert (older.kind, older.reply.text) == ("question", restored_text)
    store.restore()
    typed = await advisor.type_answer(CHAT, "Wired", update_id=5)
    assert (typed.kind, typed.reply.text) == ("question", restored_text)
    assert await answers(store) == [("where", "commute")]
    # Once shown, the question on screen is the real one: its buttons answer it.
    answered = await advisor.press(CHAT, started.session_id, "wireless:off", update_id=6)
    assert answered.kind == "result"


async def test_sessions_stored_before_delivery_was_kept_use_the_double_press_window(
    advisor: FrontEnd, store: MemoryStore, clock: Clock
) -> None:
    started = await advisor.start(CHAT, update_id=1)
    await advisor.press(CHAT, started.session_id, "where:commute", update_id=2)
    store.forget_delivery(CHAT)  # as a row written before the bot kept track
    clock.now += 1
    quick = await advisor.press(CHAT, started.session_id, "where:commute", update_id=3)
    assert quick.kind == "stale"
    clock.now += 60
    late = await advisor.press(CHAT, started.session_id, "where:commute", update_id=4)
    assert late.kind == "question"


async def test_buttons_of_an_earlier_session_or_none_only_get_a_notice(
    advisor: FrontEnd, store: MemoryStore
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
    advisor: FrontEnd, store: MemoryStore, clock: Clock
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
    advisor: FrontEnd, dialogue: Dialogue, store: MemoryStore, tmp_path: Path
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
    advisor: FrontEnd, store: MemoryStore
) -> None:
    first = await advisor.back(CHAT, update_id=1)
    assert (first.kind, first.reply.text) == ("notice", advisor.texts.no_result)

    started = await advisor.start(CHAT, update_id=2)
    nothing = await advisor.back(CHAT, update_id=3)
    # Said under the question itself, to answer it right there; no welcome again.
    assert nothing.kind == "question"
    assert nothing.reply.text == (f"{advisor.texts.nothing_to_undo}\n\n"
                                  "Step 1/2\n\nWhere will you listen most?")
    assert labels(nothing) == ["At home", "Commuting", "On stage", "In a studio", "Not sure"]

    await advisor.press(CHAT, started.session_id, "where:commute", update_id=4)
    back = await advisor.back(CHAT, update_id=5)
    assert back.kind == "question"
    # Back at the first question it is asked again, without the welcome of a start.
    assert back.reply.text == "Step 1/2\n\nWhere will you listen most?"
    assert await answers(store) == []


async def test_typing_without_a_session_starts_one_and_a_reprompt_is_remembered(
    advisor: FrontEnd, store: MemoryStore, clock: Clock
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
    advisor: FrontEnd, store: MemoryStore
) -> None:
    assert (await advisor.result(CHAT)).reply.text == advisor.texts.no_result
    started = await advisor.start(CHAT, update_id=1)
    done = await advisor.press(CHAT, started.session_id, "where:home", update_id=2)
    await advisor.start(CHAT, update_id=3)

    shown = await advisor.result(CHAT)
    assert (shown.kind, shown.reply.text) == ("result", done.reply.text)
    assert "Open-back headphones" in shown.reply.text
    # Its buttons belong to that finished session, not to the one just started.
    current = await store.current(CHAT)
    assert current is not None
    assert shown.session_id == done.session_id != current.id


async def test_result_in_the_middle_of_a_first_session_shows_where_it_stands(
    advisor: FrontEnd, store: MemoryStore
) -> None:
    started = await advisor.start(CHAT, update_id=1)
    await advisor.press(CHAT, started.session_id, "where:commute", update_id=2)

    shown = await advisor.result(CHAT)

    assert shown.kind == "question"
    assert shown.reply.text == (f"{advisor.texts.no_result_yet}\n\nStep 2/2\n\n"
                                "Do you want wireless?")
    assert "/start" not in shown.reply.text  # nothing that would throw the progress away
    assert await answers(store) == [("where", "commute")]


async def test_my_data_lists_the_answers_and_forget_deletes_them(
    advisor: FrontEnd, store: MemoryStore
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
    advisor: FrontEnd, store: MemoryStore
) -> None:
    await advisor.start(CHAT, update_id=1)
    await advisor.mark_blocked(CHAT)
    assert not await store.is_active(CHAT)
    await advisor.type_answer(CHAT, "banana", update_id=2)
    assert await store.is_active(CHAT)


async def test_a_reload_switches_only_to_a_valid_dialogue(
    advisor: FrontEnd, dialogue: Dialogue, tmp_path: Path
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
