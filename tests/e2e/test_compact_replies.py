"""REPLY_MODE=compact: a press turns its own message into the next question, the choice on top."""

from __future__ import annotations

import copy
from pathlib import Path

from testing.fakebot.server import FakeBotApi
from tests.e2e.test_dialogue_flow import FLYER
from tests.reliability.harness import Clock, running_bot

LABELS = [
    "Commute & travel", "3+ hours, most days", "Nothing in particular",
    "A lot: trains, planes, loud places", "Yes, people sit close",
    "Close, isolated and detailed", "High ($150–400)", "No", "No, wired", "No",
]


async def test_each_press_edits_its_message_into_the_next_question_keeping_the_choice(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db", reply_mode="compact") as bot:
        user = fake_api.user(chat_id=1101)
        await user.send("/start")
        [message] = user.messages
        previous = message.text
        mark = len(fake_api.calls)
        for number, label in enumerate(LABELS, start=1):
            question = previous.rsplit("\n\n", 1)[-1]
            await user.press(label, expect="editMessageText")
            # One message all along: the question answered and its choice on top, then what
            # comes next, with its buttons.
            assert user.messages == [message]
            assert message.text.startswith(f"{question}\n\n✅ {label}\n\n")
            if number < len(LABELS):
                assert f"Question {number + 1} of " in message.text
                assert message.buttons
            previous = message.text

        assert "My pick for you: " in message.text
        assert message.buttons == []
        assert bot.answers(1101) == FLYER

    calls = fake_api.calls[mark:]
    methods = [c.method for c in calls if c.method != "getUpdates"]
    # Two calls a press, in either order: the answer and the edit; no message sent.
    assert [sorted(methods[i:i + 2]) for i in range(0, len(methods), 2)] == [
        ["answerCallbackQuery", "editMessageText"]] * len(LABELS)
    assert not [c for c in calls if c.error and c.method != "getUpdates"]  # stopping cuts a poll


async def test_a_press_whose_edit_was_lost_is_shown_the_next_question_on_that_message(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    clock = Clock()
    async with running_bot(fake_api, tmp_path / "bot.db", reply_mode="compact",
                           clock=clock) as bot:
        user = fake_api.user(chat_id=1102)
        await user.send("/start")
        message = user.keyboard_message
        asked = copy.deepcopy(message)
        await user.press("Commute & travel", expect="editMessageText")
        # The answer is stored; as if the bot had stopped before its edit reached Telegram,
        # the message shows the first question again, buttons and all.
        message.text, message.buttons = asked.text, asked.buttons
        message.reply_markup = asked.reply_markup
        clock.advance(60)  # a while later: not a double press

        await user.press("Commute & travel", expect="editMessageText")
        assert user.messages == [message]
        assert "✅ Commute & travel\n\nQuestion 2 of " in message.text
        assert "3+ hours, most days" in message.labels
        assert bot.answers(1102) == FLYER[:1]  # nothing stored twice

        await user.press("3+ hours, most days", expect="editMessageText")
        assert "Question 3 of " in message.text
        assert bot.answers(1102) == FLYER[:2]


async def test_a_typed_answer_and_back_send_new_messages_and_old_buttons_stay_old(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db", reply_mode="compact") as bot:
        user = fake_api.user(chat_id=1103)
        await user.send("/start")
        first = user.keyboard_message
        await user.send("commute")  # typed: nothing was pressed, so nothing to edit
        assert "Question 2 of " in user.last_text
        assert len(user.messages) == 2
        await user.press("Workouts", message=first, expect="answer")  # answered by typing
        assert user.last_answer is not None
        assert "earlier question" in str(user.last_answer.get("text"))
        await user.send("/back")
        assert "Question 1 of " in user.last_text
        await user.press("Workouts", expect="editMessageText")
        assert "✅ Workouts\n\nQuestion 2 of " in user.last_text
        assert bot.answers(1103) == [("use", "gym")]
