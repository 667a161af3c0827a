"""At-least-once delivery: an update that comes twice counts once; so does a double press."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from testing.fakebot.server import FakeBotApi
from testing.fakebot.user import FakeUser
from tests.reliability.harness import Clock, RunningBot, running_bot


def replies(api: FakeBotApi, chat_id: int) -> list[tuple[str, Any]]:
    """Return every message the bot sent or edited in the chat, in order."""
    return [
        (call.method, call.params.get("text")) for call in api.calls
        if call.succeeded("sendMessage", chat_id) or call.succeeded("editMessageText", chat_id)
    ]


def stored(bot: RunningBot, chat_id: int) -> tuple[list[tuple[Any, ...]], ...]:
    """Return everything stored about the chat."""
    return (
        bot.rows("SELECT id, status, current_question, outcome, last_update_id FROM sessions"
                 " WHERE chat_id = ? ORDER BY id", chat_id),
        bot.rows("SELECT a.session_id, a.position, a.question_id, a.option_id FROM answers a"
                 " JOIN sessions s ON s.id = a.session_id WHERE s.chat_id = ?"
                 " ORDER BY a.session_id, a.position", chat_id),
        bot.rows("SELECT chat_id, active, last_update_id FROM chats WHERE chat_id = ?",
                 chat_id),
    )


async def delivered_again(bot: RunningBot, api: FakeBotApi, user: FakeUser,
                          update_id: int, clock: Clock) -> None:
    """Deliver `update_id` once more and check the bot neither says nor stores anything."""
    await bot.until_handled(update_id)
    before = replies(api, user.chat_id), stored(bot, user.chat_id)
    # A re-delivery comes after a restart, long after the update: no double press then.
    clock.advance(60)
    api.redeliver(update_id)
    await bot.until_handled(update_id, times=2)
    assert (replies(api, user.chat_id), stored(bot, user.chat_id)) == before


@pytest.mark.parametrize("kind", ["press", "text", "/start", "/back", "an old /start"])
async def test_an_update_delivered_twice_changes_nothing_the_second_time(
    fake_api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    clock = Clock()
    async with running_bot(fake_api, tmp_path / "bot.db", clock=clock) as bot:
        user = fake_api.user(chat_id=3001)
        first_start = user.queue_text("/start")
        await bot.until_handled(first_start)
        await bot.press(user, "Commute & travel")
        if kind == "press":
            update_id, _ = user.queue_press("3+ hours, most days")
        elif kind == "text":
            update_id = user.queue_text("3+ hours, most days")
        elif kind == "an old /start":
            # Re-delivered after later updates were handled: it must not start over.
            await bot.press(user, "3+ hours, most days")
            update_id = first_start
        else:
            update_id = user.queue_text(kind)
        await delivered_again(bot, fake_api, user, update_id, clock)
    assert not [r for r in caplog.records if r.levelname in {"ERROR", "CRITICAL"}]


@pytest.mark.parametrize("reply_mode", ["compact", "separate"])
async def test_a_quick_double_press_counts_once_and_the_second_gets_a_notice(
    fake_api: FakeBotApi, tmp_path: Path, reply_mode: str
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db", reply_mode=reply_mode) as bot:
        user = fake_api.user(chat_id=3002)
        await bot.until_handled(user.queue_text("/start"))
        question = user.keyboard_message
        first, _ = user.queue_press("Workouts", message=question)
        second, second_query = user.queue_press("Workouts", message=question)
        await bot.until_handled(first, second)

    assert bot.answers(3002) == [("use", "gym")]
    shown = [text for _, text in replies(fake_api, 3002) if "Question " in str(text)]
    assert len(shown) == 2  # the first question, then the second one once
    assert "Question 2 of " in shown[-1]
    notice = next(call for call in fake_api.calls if call.method == "answerCallbackQuery"
                  and call.params.get("callback_query_id") == second_query)
    assert notice.params.get("text") == bot.dialogue.texts.stale


async def test_after_a_quiet_week_lower_update_ids_are_new_and_a_redelivery_still_is_not(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    clock = Clock()
    db = tmp_path / "bot.db"
    user = fake_api.user(chat_id=3003)
    fake_api.number_updates_from(900_000)
    async with running_bot(fake_api, db, clock=clock) as bot:
        await bot.until_handled(user.queue_text("/start"))
        await bot.press(user, "Commute & travel")
    assert bot.answers(3003) == [("use", "commute")]

    # Eight days without a single update: Telegram picks the next id at random, here lower.
    clock.advance(8 * 24 * 3600)
    fake_api.number_updates_from(1_000)
    async with running_bot(fake_api, db, clock=clock) as bot:
        await user.send("/start")
        assert "Question 1 of " in user.last_text
        await user.press("Workouts", expect="editMessageText")
        assert "Question 2 of " in user.last_text
        typed = user.queue_text("2")
        await bot.until_handled(typed)
        assert bot.answers(3003) == [("use", "gym"), ("hours", "mid")]
        # The ids go on from there, and one of them delivered again is still a re-delivery.
        await delivered_again(bot, fake_api, user, typed, clock)
    assert bot.answers(3003) == [("use", "gym"), ("hours", "mid")]
