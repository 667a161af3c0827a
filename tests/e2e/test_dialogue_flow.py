"""A person talks to the real bot through the fake Bot API, from /start to the advice."""

from __future__ import annotations

from pathlib import Path

from testing.fakebot.server import FakeBotApi
from tests.reliability.harness import running_bot

FLYER = [
    ("use", "commute"),
    ("hours", "long"),
    ("comfort", "none"),
    ("isolation", "lot"),
    ("leak", "yes"),
    ("sound", "detail"),
    ("budget", "high"),
    ("anc", "no"),
    ("wireless", "no"),
    ("mic", "no"),
]


async def test_a_full_dialogue_with_typing_back_gibberish_and_a_stale_button(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    # Separate replies, message by message; compact ones: tests/e2e/test_compact_replies.py.
    async with running_bot(fake_api, tmp_path / "bot.db", reply_mode="separate") as bot:
        user = fake_api.user(chat_id=1001, first_name="Ann")

        await user.send("/start")
        assert "I'll help you choose between headphones and in-ear monitors" in user.last_text
        assert "Question 1 of " in user.last_text
        assert "Where or how will you listen most?" in user.last_text
        assert "Commute & travel" in user.last_buttons
        first_question = user.last_message

        await user.press("Commute & travel", expect="editMessageText")
        # The pressed question now shows the choice and has no buttons left.
        assert first_question.text.endswith("✅ Commute & travel")
        assert first_question.buttons == []
        assert "Question 2 of " in user.last_text
        assert "How long do you usually listen in one go?" in user.last_text
        hours_question = user.last_message
        under_an_hour = hours_question.button("Under an hour").callback_data or ""
        assert "◀ Back" in user.last_buttons

        await user.send("3+ hours, most days")
        assert "Question 3 of " in user.last_text

        await user.send("blorp")
        assert "didn't catch that" in user.last_text
        # The re-prompt carries the question's buttons again: nobody is stuck.
        assert user.last_message.labels[-2:] == ["Nothing in particular", "Done ▶"]

        await user.press("Nothing in particular", expect="editMessageText")
        assert "Question 4 of " in user.last_text

        # The hours question was answered by typing: it shows the answer and its buttons went,
        # as after a press. One still pressed (an old client) is from the past.
        assert hours_question.text.endswith("✅ 3+ hours, most days")
        assert hours_question.buttons == []
        await user.press_data(under_an_hour, message_id=hours_question.message_id,
                              expect="answer")
        assert user.last_answer is not None
        assert "earlier question" in str(user.last_answer.get("text"))
        assert bot.answers(1001) == FLYER[:3]

        await user.send("/back")
        assert "Question 3 of " in user.last_text
        assert bot.answers(1001) == FLYER[:2]

        await user.press("Nothing in particular", expect="editMessageText")
        for label in (
            "A lot: trains, planes, loud places",
            "Yes, people sit close",
            "Close, isolated and detailed",
            "High ($150–400)",
            "No",
            "No, wired",
            "No",
        ):
            await user.press(label, expect="editMessageText")

        result = user.last_text
        assert result.startswith("My pick for you: ")
        assert "Why: because" in result
        assert "Before you buy:" in result
        assert user.last_buttons == ["✏️ Change an answer", "Why not entry-level IEMs?",
                                     "What would change this?", "🔄 Start over", "📤 Share"]

        sessions = bot.rows("SELECT status, outcome, current_question FROM sessions")
        assert sessions == [("finished", "iem_multi_driver", None)]
        assert bot.answers(1001) == FLYER

    presses = [c for c in fake_api.calls if c.method == "answerCallbackQuery"]
    assert len(presses) == 11  # ten accepted presses and the stale one, each answered once
    commands = next(c for c in fake_api.calls if c.method == "setMyCommands")
    assert [c["command"] for c in commands.params["commands"]] == [
        "start", "back", "result", "change", "help", "mydata", "forget", "language",
    ]


async def test_result_repeats_the_advice_and_start_begins_again_keeping_history(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        user = fake_api.user(chat_id=1002)
        await user.send("/result")
        assert "No recommendation yet" in user.last_text
        await user.send("/start")
        # Words of a label are enough when no other option has them.
        for typed in ("commute", "most days", "nothing", "a lot", "yes", "detailed", "high",
                      "no", "wired", "no"):
            await user.send(typed)
        advice = user.last_text
        assert advice.startswith("My pick for you: ")

        assert bot.answers(1002) == FLYER
        await user.send("/result")
        assert user.last_text == advice
        await user.send("/start")
        assert "Question 1 of " in user.last_text
        assert bot.rows("SELECT status FROM sessions ORDER BY id") == [("finished",), ("active",)]
        await user.send("/result")
        assert user.last_text == advice
