"""REPLY_MODE=compact: a press turns its own message into the next question, the choice on top."""

from __future__ import annotations

import signal
from pathlib import Path

from testing.fakebot.server import FakeBotApi
from tests.dbfile import read_rows
from tests.e2e.test_dialogue_flow import FLYER
from tests.production.harness import bot_process
from tests.reliability.harness import running_bot
from tests.reliability.test_recovery import until_polling

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
            last = number == len(LABELS)
            # (the last: the result goes out, then its question is marked)
            await user.press(label, expect="editMessageText")
            # One message for the questions: the question answered and its choice on top,
            # then what comes next, with its buttons.
            assert user.messages[0] is message
            if not last:
                assert user.messages == [message]
                assert message.text.startswith(f"{question}\n\n✅ {label}\n\n")
                assert f"Question {number + 1} of " in message.text
                assert message.buttons
            previous = message.text

        # The result is a screen of its own, title first; the last question shows the choice.
        assert message.text.endswith(f"\n\n✅ {LABELS[-1]}")
        assert message.buttons == []
        [_, result] = user.messages
        assert result.text.startswith("My pick for you: ")
        assert "Start over" in " ".join(result.labels)
        assert bot.answers(1101) == FLYER

    calls = fake_api.calls[mark:]
    methods = [c.method for c in calls if c.method != "getUpdates"]
    # Two calls a press, in either order: the answer and the edit; a message sent only for
    # the result, its question marked after it.
    assert [sorted(methods[i:i + 2]) for i in range(0, len(methods) - 3, 2)] == [
        ["answerCallbackQuery", "editMessageText"]] * (len(LABELS) - 1)
    assert sorted(methods[-3:]) == ["answerCallbackQuery", "editMessageText", "sendMessage"]
    assert methods[-3:].index("sendMessage") < methods[-3:].index("editMessageText")
    assert not [c for c in calls if c.error and c.method != "getUpdates"]  # stopping cuts a poll


async def test_a_press_whose_edit_was_lost_is_shown_the_next_question_on_that_message(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    db, user = tmp_path / "bot.db", fake_api.user(chat_id=1102)
    async with bot_process(fake_api, tmp_path, db, FLOOD_CONTROL="off") as bot:
        await until_polling(fake_api, 0)
        await user.send("/start")
        message = user.keyboard_message
        fake_api.delay_next("editMessageText", 60)  # the edit never reaches the person
        user.queue_press("Commute & travel", message=message)
        await fake_api.wait_held("editMessageText")  # stored, and its edit on the way
        await bot.stop(signal.SIGKILL)
    fake_api.clear_delays()
    assert "Question 1 of " in message.text  # what they still see
    assert message.buttons
    assert read_rows(db, "SELECT option_id FROM answers") == [("commute",)]

    mark = len(fake_api.calls)
    async with bot_process(fake_api, tmp_path, db, FLOOD_CONTROL="off"):
        await until_polling(fake_api, mark)
        await user.press("Commute & travel", message=message, expect="editMessageText")
        assert user.messages == [message]
        assert "✅ Commute & travel\n\nQuestion 2 of " in message.text
        assert "3+ hours, most days" in message.labels
        assert read_rows(db, "SELECT option_id FROM answers") == [("commute",)]  # not twice

        await user.press("3+ hours, most days", expect="editMessageText")
        assert "Question 3 of " in message.text
    assert read_rows(db, "SELECT option_id FROM answers ORDER BY position") == [
        ("commute",), ("long",)]


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
