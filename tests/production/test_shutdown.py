"""SIGTERM under load: updates in flight are finished, the offset confirmed, nothing lost or
answered twice after a restart; a shutdown that hangs is cut short by the watchdog."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from testing.fakebot.server import Call, FakeBotApi
from testing.fakebot.user import FakeUser
from tests.dbfile import latest_answers, read_rows
from tests.production.harness import BotProcess, bot_process, calls_in, press

PATH = [
    ("Commute & travel", ("use", "commute")),
    ("3+ hours, most days", ("hours", "long")),
    ("Nothing in particular", ("comfort", "none")),
    ("A lot: trains, planes, loud places", ("isolation", "lot")),
    ("Yes, people sit close", ("leak", "yes")),
    ("Close, isolated and detailed", ("sound", "detail")),
]
USERS = 16


async def started(api: FakeBotApi, bot: BotProcess) -> None:
    """Wait until the bot polls (a fresh process takes a second or two to import PTB)."""
    try:
        # deleteWebhook comes right before the first getUpdates, which is recorded only when
        # its long poll ends.
        await api.wait_for(lambda call: call.method == "deleteWebhook", timeout=30)
    except TimeoutError:
        pytest.fail(f"the bot did not start polling; its log:\n{bot.log}")


def fetched(calls: list[Call]) -> list[dict[str, Any]]:
    """Return every update the bot fetched in these calls (some perhaps more than once)."""
    return [update for call in calls if call.method == "getUpdates" and call.error is None
            for update in call.result or []]


def presses(calls: list[Call]) -> dict[str, tuple[int, int]]:
    """Return (update id, chat) of every button press fetched, by callback query id."""
    return {
        update["callback_query"]["id"]: (
            update["update_id"], update["callback_query"]["message"]["chat"]["id"])
        for update in fetched(calls) if "callback_query" in update
    }


@pytest.mark.parametrize("reply_mode", ["compact", "separate"])
async def test_sigterm_under_load_finishes_in_flight_updates_and_loses_nothing(
    fake_api: FakeBotApi, tmp_path: Path, reply_mode: str
) -> None:
    db = tmp_path / "bot.db"
    # What shows the next question: the pressed message edited, or a new message.
    reply = "editMessageText" if reply_mode == "compact" else "sendMessage"
    users = [fake_api.user(chat_id=4000 + n, first_name=f"U{n}") for n in range(USERS)]
    presses_done = 0
    enough = asyncio.Event()

    async def walk(user: FakeUser) -> None:
        nonlocal presses_done
        user.timeout = 40  # a press sent while the bot restarts waits for the new process
        await user.send("/start")
        for label, _ in PATH:
            await press(user, label)
            presses_done += 1
            if presses_done >= USERS * 2:
                enough.set()

    # Flood control off: this test is about stopping, and the fake enforces no limits here.
    async with bot_process(fake_api, tmp_path, db, FLOOD_CONTROL="off",
                           REPLY_MODE=reply_mode) as first:
        await started(fake_api, first)
        walking = asyncio.gather(*(walk(user) for user in users))
        await asyncio.wait_for(enough.wait(), 30)
        # Hold the next replies, so that presses are mid-flight when the signal comes.
        fake_api.delay_next(reply, 0.5, times=4)
        in_flight = await fake_api.wait_for(lambda call: call.method == "answerCallbackQuery")
        signalled = len(fake_api.calls)
        assert await first.stop(signal.SIGTERM) == 0
    end_of_first = len(fake_api.calls)
    first_calls = fake_api.calls[:end_of_first]

    # Every press the first process stored got its reply from it, the ones in flight when the
    # signal came included...
    first_question = 0 if reply_mode == "compact" else 1
    for user in users:
        replies = calls_in(fake_api, reply, user.chat_id, 0, end_of_first)
        assert len(replies) - first_question == len(latest_answers(db, user.chat_id))
    update_id, _ = presses(first_calls)[in_flight.params["callback_query_id"]]
    assert [call for call in first_calls[signalled:] if call.method == reply]
    # ...and its last getUpdates confirmed every update whose press it answered.
    polls = [call for call in first_calls if call.method == "getUpdates" and call.error is None]
    confirmed = polls[-1].params.get("offset")
    assert polls[-1].params.get("timeout") == 0
    assert fake_api.confirmed_offset == confirmed
    answered_first = {call.params["callback_query_id"] for call in first_calls
                      if call.method == "answerCallbackQuery"}
    assert max(presses(first_calls)[query][0] for query in answered_first) < confirmed
    assert update_id < confirmed

    async with bot_process(fake_api, tmp_path, db, FLOOD_CONTROL="off",
                           REPLY_MODE=reply_mode) as second:
        await asyncio.wait_for(walking, 60)
        assert await second.stop(signal.SIGINT) == 0

    # Nothing lost: every user reached the end of the path, and the database agrees.
    for user in users:
        assert latest_answers(db, user.chat_id) == [answer for _, answer in PATH]
        assert "Question 7 of " in user.keyboard_message.text
    # Nothing answered twice: one answer per press, one message per update, no repeated text.
    answered = Counter(call.params["callback_query_id"] for call in fake_api.calls
                       if call.method == "answerCallbackQuery")
    assert set(answered.values()) == {1}
    assert len(answered) == USERS * len(PATH)
    sent = 1 if reply_mode == "compact" else 1 + len(PATH)  # the first question, and...
    for user in users:
        assert len(calls_in(fake_api, "sendMessage", user.chat_id)) == sent
        assert len(calls_in(fake_api, "editMessageText", user.chat_id)) == len(PATH)
        assert len(set(user.texts)) == len(user.texts)
    for log in (first.log, second.log):
        assert "stopped cleanly" in log
        assert " ERROR " not in log
        assert " CRITICAL " not in log  # PTB's alarm when a stop meets a poll is INFO here
    assert "SIGTERM: stopping within 20 s" in first.log
    assert "SIGINT: stopping within 20 s" in second.log
    # The second process was given only what the first had not confirmed.
    assert min(update["update_id"] for update in fetched(fake_api.calls[end_of_first:])) >= (
        confirmed)


async def test_a_shutdown_that_hangs_ends_after_stop_timeout_with_exit_code_3(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with bot_process(fake_api, tmp_path, tmp_path / "bot.db", STOP_TIMEOUT="1") as bot:
        await started(fake_api, bot)
        user = fake_api.user(chat_id=4100)
        await user.send("/start")
        # The next reply hangs longer than the whole stop may take (PTB gives up after 5 s).
        for method in ("sendMessage", "editMessageText"):
            fake_api.delay_next(method, 30, times=5)
        await user.press("Workouts", expect="answer")  # answered: the reply is on its way
        assert await bot.stop(signal.SIGTERM, timeout=15) == 3
    assert "did not stop within 1 s (STOP_TIMEOUT): exiting with code 3" in bot.log
    assert "stopped cleanly" not in bot.log


async def test_sigterm_under_flood_control_stops_cleanly_within_stop_timeout(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    db = tmp_path / "bot.db"
    people = [fake_api.user(chat_id=4200 + n) for n in range(40)]
    flooder = fake_api.user(chat_id=4300)
    async with bot_process(fake_api, tmp_path, db, FLOOD_CONTROL="on", STOP_TIMEOUT="6") as bot:
        await started(fake_api, bot)
        for user in people:
            user.queue_text("/start")
        # Sixty replies to one chat go out at about one a second: a minute of paced work,
        # ten times what the stop may take.
        for _ in range(60):
            flooder.queue_text("/help")
        for user in people:  # once everyone has the first question, all press at once
            await fake_api.wait_for(counting_sends(user.chat_id, 1), timeout=30, since=0)
        for user in people:
            user.queue_press("Commute & travel")
        await fake_api.wait_for(lambda call: call.method == "answerCallbackQuery", timeout=30)
        assert await bot.stop(signal.SIGTERM, timeout=15) == 0

    log = bot.log
    assert "stopped cleanly" in log
    assert " ERROR " not in log
    assert " CRITICAL " not in log  # the watchdog would have exited 3 at 6 s
    assert "not sent: the bot is stopping" in log  # what could not go in time was given up
    sent_to_flooder = calls_in(fake_api, "sendMessage", flooder.chat_id)
    assert 4 <= len(sent_to_flooder) < 60
    # Every press the bot answered was stored first, whether its reply went or not.
    answered = {call.params["callback_query_id"] for call in fake_api.calls
                if call.method == "answerCallbackQuery" and call.error is None}
    stored = read_rows(db, "SELECT count(*) FROM answers WHERE question_id = 'use'")[0][0]
    assert stored >= len(answered) > 0


def counting_sends(chat_id: int, count: int) -> Callable[[Call], bool]:
    """Return a predicate true once `count` messages went to the chat."""
    seen = 0

    def predicate(call: Call) -> bool:
        nonlocal seen
        seen += call.succeeded("sendMessage", chat_id)
        return seen >= count

    return predicate
