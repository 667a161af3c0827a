"""A burst of users against a fake that enforces Telegram's send limits: nobody notices them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import DEFAULT_DIALOGUE
from bot.engine.loader import load_dialogue
from testing.fakebot.server import Call, FakeBotApi
from tests.reliability.harness import running_bot

ERROR_TEXT = load_dialogue(DEFAULT_DIALOGUE).texts.error


async def replies(api: FakeBotApi, methods: set[str], count: int, since: int) -> None:
    """Wait until the bot has made `count` successful calls of `methods` since call `since`."""
    made = 0

    def enough(call: Call) -> bool:
        nonlocal made
        made += call.method in methods and call.error is None
        return made >= count

    # One waiter for everyone: 500 waiting users would load the event loop more than the bot.
    await api.wait_for(enough, since=since, timeout=100)


@pytest.mark.slow
@pytest.mark.parametrize("people", [500])
async def test_a_burst_of_users_gets_every_reply_in_order_without_a_429_surfacing(
    limited_api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture, people: int
) -> None:
    caplog.set_level(logging.WARNING)
    users = [limited_api.user(chat_id=10_000 + n, first_name=f"P{n}") for n in range(people)]

    async with running_bot(limited_api, tmp_path / "bot.db", flood_control=True) as bot:
        mark = len(limited_api.calls)
        for user in users:  # everyone at once...
            user.queue_text("/start")
        await replies(limited_api, {"sendMessage"}, people, mark)
        mark = len(limited_api.calls)
        for user in users:  # ...and again
            user.queue_press("Commute & travel")
        await replies(limited_api, {"sendMessage", "editMessageText"}, 2 * people, mark)
        stored = bot.rows("SELECT count(*) FROM answers WHERE question_id = 'use'")

    for user in users:
        assert len(user.texts) == 2, user.texts
        assert user.texts[0].endswith("✅ Commute & travel")
        assert "Question 2 of " in user.texts[1]
    assert stored == [(people,)]
    # Every press was answered in time (the fake refuses answers after 15 s, as Telegram does).
    answers = [call for call in limited_api.calls if call.method == "answerCallbackQuery"]
    assert len(answers) == people
    assert [call.error for call in answers if call.error] == []
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors[0].getMessage()
    assert not [call for call in limited_api.calls if call.params.get("text") == ERROR_TEXT]
    # Pacing, not waiting out 429s, is what keeps it quiet: without it some 2,700 of the 1,500
    # sends and their retries are refused and a fifth of the people miss a reply. With it a few
    # are, when the event loop (bot, fake and 500 people in one process) stalls and paced sends
    # reach the fake bunched up.
    refused = [call for call in limited_api.calls if call.error and "Too Many" in call.error]
    assert len(refused) <= 3 * people // 20, f"{len(refused)} of {3 * people} sends refused"
