"""A person who comes back after a long pause is asked whether to continue or start over."""

from __future__ import annotations

from pathlib import Path

from testing.fakebot.server import FakeBotApi
from tests.dbfile import write_rows
from tests.reliability.harness import RunningBot, running_bot

DAY = 86_400


def age(bot: RunningBot, chat_id: int, seconds: float) -> None:
    """Make the chat's open session look untouched for `seconds` longer, as time would."""
    write_rows(bot.db_path, "UPDATE sessions SET updated_at = updated_at - ? WHERE chat_id = ?"
               " AND status = 'active'", seconds, chat_id)


async def test_a_long_pause_offers_continue_or_start_over_across_restarts(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    db = tmp_path / "bot.db"
    user = fake_api.user(chat_id=4001)
    async with running_bot(fake_api, db) as bot:
        await user.send("/start")
        await user.press("Commute & travel", expect="editMessageText")
        await user.press("3+ hours, most days", expect="editMessageText")

    # An hour is no pause worth asking about.
    async with running_bot(fake_api, db) as bot:
        age(bot, 4001, 3600)
        await user.send("blorp")
        assert "didn't catch that" in user.last_text

    # Two days pass while the bot is down: the pause is data in the database, not a timer.
    async with running_bot(fake_api, db) as bot:
        age(bot, 4001, 2 * DAY)
        await user.send("Nothing in particular")
        assert "You stopped in the middle of the questions" in user.last_text
        assert user.last_buttons == ["Continue where I left off", "Start over"]
        assert bot.answers(4001) == [("use", "commute"), ("hours", "long")]
        offer = user.last_message

        await user.press("Continue where I left off", expect="editMessageText")
        assert "✅ Continue where I left off" in offer.text
        assert "Question 3 of " in user.keyboard_message.text
        await user.press("Nothing in particular", expect="editMessageText")
        assert bot.answers(4001)[-1] == ("comfort", "none")

    async with running_bot(fake_api, db) as bot:
        age(bot, 4001, 2 * DAY)
        await user.press("Some: office chatter, a café", expect="sendMessage")
        assert user.last_buttons == ["Continue where I left off", "Start over"]
        await user.press("Start over", expect="editMessageText")
        assert "Question 1 of " in user.keyboard_message.text
        assert bot.rows("SELECT status FROM sessions ORDER BY id") == [
            ("restarted",), ("active",)
        ]
