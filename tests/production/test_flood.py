"""Flood control in virtual time, refereed by the fake server's model of Telegram's limits."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.advisor import Advisor
from bot.config import DEFAULT_DIALOGUE, Settings
from bot.engine.loader import load_dialogue
from bot.storage.sqlite import SqliteStore
from bot.telegram.delivery import RetryingRateLimiter
from bot.telegram.flood import FloodControl, NotSentError, cosmetic
from bot.telegram.limits import Bucket, Window, classify, overall_pace
from bot.telegram.runner import build_application
from testing.fakebot.checks import ApiError, SendLimiter
from testing.fakebot.server import FakeBotApi
from tests.reliability.harness import running_bot


class VirtualTime:
    """A clock and a sleep for FloodControl: time jumps straight to the next sleeper's wake-up."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), future))
        await future

    async def run(
        self, *coroutines: Awaitable[Any], return_exceptions: bool = False
    ) -> list[Any]:
        """Run the coroutines to the end, advancing time whenever all of them sleep."""
        tasks = [asyncio.ensure_future(c) for c in coroutines]
        while not all(task.done() for task in tasks):
            for _ in range(50):  # let woken tasks reach their next sleep or their end
                await asyncio.sleep(0)
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)  # a sleep that was cancelled
            if self._sleepers:
                self.now, _, future = heapq.heappop(self._sleepers)
                future.set_result(None)
        return await asyncio.gather(*tasks, return_exceptions=return_exceptions)


class Referee:
    """Telegram's side: admits each send with the fake server's limits, records when it went."""

    def __init__(self, time: VirtualTime) -> None:
        self.time = time
        self.limits = SendLimiter()
        self.sent: list[tuple[float, int, int]] = []  # (when, chat, number within the chat)
        self.refused: list[ApiError] = []

    def request(self, chat: int, number: int) -> Callable[[], Coroutine[Any, Any, bool]]:
        async def send() -> bool:
            try:
                self.limits.admit(chat, chat > 0, self.time.now)
            except ApiError as error:
                self.refused.append(error)
                raise
            self.sent.append((self.time.now, chat, number))
            return True

        return send

    def times(self, chat: int) -> list[float]:
        return [when for when, sent_chat, _ in self.sent if sent_chat == chat]


@pytest.fixture
def time() -> VirtualTime:
    return VirtualTime()


def limiter(time: VirtualTime, **rates: Any) -> FloodControl:
    retrying = RetryingRateLimiter(sleep=time.sleep)
    return FloodControl(retrying, clock=time.clock, sleep=time.sleep, **rates)


async def send(flood: FloodControl, request: Callable[[], Coroutine[Any, Any, bool]], chat: int,
               endpoint: str = "sendMessage") -> Any:
    return await flood.process_request(request, (), {}, endpoint, {"chat_id": chat}, None)


async def test_one_chat_at_a_normal_pace_never_waits(time: VirtualTime) -> None:
    flood, referee = limiter(time), Referee(time)

    async def person() -> None:
        for number in range(20):
            await send(flood, referee.request(7, number), 7)
            await send(flood, referee.request(7, number), 7, "editMessageText")
            await time.sleep(3.0)  # reading the next question before pressing

    await time.run(person())
    assert len(referee.sent) == 40
    # Only the second of two messages in a row waits, one slot of the overall pace.
    assert flood.delayed == 20
    assert flood.waited == pytest.approx(20 * 1.05 / 30)


async def test_a_private_chat_gets_a_short_burst_then_about_one_message_a_second(
    time: VirtualTime,
) -> None:
    flood, referee = limiter(time), Referee(time)
    await time.run(*(send(flood, referee.request(7, n), 7) for n in range(8)))
    sent = referee.times(7)
    assert sent[2] < 0.1  # three at once, paced only by the overall limit
    gaps = [later - earlier for earlier, later in itertools.pairwise(sent[2:])]
    assert all(0.95 < gap < 1.1 for gap in gaps), gaps
    assert [number for _, _, number in referee.sent] == list(range(8))  # in order
    assert referee.refused == []


async def test_a_group_gets_at_most_twenty_messages_a_minute(time: VirtualTime) -> None:
    flood, referee = limiter(time), Referee(time)
    await time.run(*(send(flood, referee.request(-100, n), -100) for n in range(45)))
    sent = referee.times(-100)
    assert sent[19] < 1.0  # twenty at once, paced only by the overall limit
    assert max(sum(1 for t in sent if start <= t < start + 60) for start in sent) <= 20
    assert sent[-1] < 140  # not slower than it must be: 45 sends need over 2 minutes
    assert referee.refused == []


async def test_many_chats_at_once_share_thirty_messages_a_second_in_order(
    time: VirtualTime,
) -> None:
    flood, referee = limiter(time), Referee(time)
    chats = range(1, 301)
    await time.run(*(send(flood, referee.request(chat, n), chat)
                     for n in range(2) for chat in chats))
    sent = [when for when, _, _ in referee.sent]
    assert len(sent) == 600
    assert max(sum(1 for t in sent if start <= t < start + 1) for start in sent) <= 30
    assert sent[-1] < 600 / 30 * 1.1  # close to the limit, not far below it
    for chat in chats:
        assert [n for _, c, n in referee.sent if c == chat] == [0, 1]
    assert referee.refused == []


async def test_a_mix_of_chats_and_groups_never_draws_a_429_from_telegram(
    time: VirtualTime,
) -> None:
    flood, referee = limiter(time), Referee(time)

    async def chat_sends(chat: int, count: int, pause: float) -> None:
        for number in range(count):
            await send(flood, referee.request(chat, number), chat)
            await time.sleep(pause)

    people = [chat_sends(chat, 6, 0.3 * (chat % 4)) for chat in range(1, 120)]
    groups = [chat_sends(-chat, 25, 0.5) for chat in range(1, 4)]
    await time.run(*people, *groups)
    assert len(referee.sent) == 119 * 6 + 3 * 25
    assert referee.refused == []


async def test_answering_a_button_press_never_waits_behind_queued_messages(
    time: VirtualTime,
) -> None:
    flood, referee = limiter(time), Referee(time)
    answered: list[float] = []

    async def answer() -> bool:
        answered.append(time.now)
        return True

    async def press_later() -> None:
        await time.sleep(0.5)
        await flood.process_request(
            answer, (), {}, "answerCallbackQuery", {"callback_query_id": "1"}, None
        )

    queued = [send(flood, referee.request(chat, 0), chat) for chat in range(1, 301)]
    await time.run(*queued, press_later())
    assert answered == [0.5]
    assert max(referee.times(300)) > 9  # the sends were still queued when it was answered


async def test_a_429_that_slips_through_is_waited_out_and_the_retry_is_paced_too(
    time: VirtualTime,
) -> None:
    flood = limiter(time)
    attempts: list[float] = []

    async def refused_once() -> bool:
        attempts.append(time.now)
        if len(attempts) == 1:
            raise RetryAfter(timedelta(seconds=3))
        return True

    for _ in range(3):  # empty the chat's burst
        await time.run(send(flood, Referee(time).request(7, 0), 7))
    assert await time.run(send(flood, refused_once, 7)) == [True]
    assert attempts[0] == pytest.approx(1.05)  # its own slot
    assert attempts[1] == pytest.approx(attempts[0] + 3)  # retry_after, then a free slot
    assert flood.retrying.retries == 1


async def mark(flood: FloodControl, request: Callable[[], Coroutine[Any, Any, bool]],
               chat: int, message_id: int = 1) -> Any:
    """Send a cosmetic edit of a message, as the bot marks a pressed question."""
    with cosmetic():
        return await flood.process_request(
            request, (), {}, "editMessageText", {"chat_id": chat, "message_id": message_id},
            None)


async def test_replies_go_before_cosmetic_edits_queued_earlier(time: VirtualTime) -> None:
    flood, referee = limiter(time), Referee(time)
    # Sixty chats' marks are queued first, then each chat's next reply: the replies go first.
    marks = [mark(flood, referee.request(chat, 1), chat) for chat in range(1, 61)]
    replies = [send(flood, referee.request(chat, 0), chat) for chat in range(1, 61)]
    await time.run(*marks, *replies)
    order = [number for _, _, number in referee.sent]
    assert order == [0] * 60 + [1] * 60
    assert referee.refused == []


async def test_a_stale_cosmetic_edit_is_dropped_and_replies_keep_the_budget(
    time: VirtualTime,
) -> None:
    flood, referee = limiter(time, patience=2.0), Referee(time)
    # Replies for 120 chats need 4 s of the budget; marks of 20 of them wait behind...
    replies = [send(flood, referee.request(chat, 0), chat) for chat in range(1, 121)]
    marks = [mark(flood, referee.request(chat, 1), chat) for chat in range(1, 21)]
    results = await time.run(*replies, *marks, return_exceptions=True)
    # ...and are dropped after 2 s, not sent late.
    assert all(result is True for result in results[:120])
    assert all(isinstance(result, NotSentError) for result in results[120:])
    assert [number for _, _, number in referee.sent] == [0] * 120
    assert flood.dropped == 20


async def test_a_newer_edit_of_a_message_replaces_a_cosmetic_one_still_waiting(
    time: VirtualTime,
) -> None:
    flood, referee = limiter(time), Referee(time)
    busy = [send(flood, referee.request(chat, 0), chat) for chat in range(2, 40)]
    older = mark(flood, referee.request(1, 1), 1, message_id=9)
    newer = mark(flood, referee.request(1, 2), 1, message_id=9)
    results = await time.run(*busy, older, newer, return_exceptions=True)
    assert isinstance(results[-2], NotSentError)
    assert results[-1] is True
    assert [number for _, chat, number in referee.sent if chat == 1] == [2]


async def test_a_chat_has_one_message_on_its_way_at_a_time(time: VirtualTime) -> None:
    flood = limiter(time)
    on_the_way, most = 0, 0

    def slow(number: int) -> Callable[[], Coroutine[Any, Any, bool]]:
        async def request() -> bool:
            nonlocal on_the_way, most
            on_the_way += 1
            most = max(most, on_the_way)
            await time.sleep(0.3 if number == 0 else 0.01)  # the first is slow on the network
            on_the_way -= 1
            arrived.append(number)
            return True
        return request

    arrived: list[int] = []
    await time.run(*(send(flood, slow(n), 7) for n in range(3)))
    assert most == 1
    assert arrived == [0, 1, 2]


async def test_stopping_drops_cosmetic_edits_and_gives_up_what_cannot_go_in_time(
    time: VirtualTime,
) -> None:
    flood, referee = limiter(time), Referee(time)

    async def stop_soon() -> None:
        await time.sleep(1.0)
        flood.give_up_after(2.0)

    # 150 chats' replies need 5 s of the budget, and there are marks behind them.
    replies = [send(flood, referee.request(chat, 0), chat) for chat in range(1, 151)]
    marks = [mark(flood, referee.request(chat, 1), chat) for chat in range(1, 11)]
    results = await time.run(*replies, *marks, stop_soon(), return_exceptions=True)
    sent = [result for result in results[:150] if result is True]
    assert 3 * 28 < len(sent) < 3 * 30  # what the budget allowed until the deadline at 3 s
    assert all(isinstance(result, NotSentError) for result in results[len(sent):160])
    assert max(when for when, _, _ in referee.sent) < 3.0
    assert (flood.dropped, flood.given_up) == (10, 150 - len(sent))
    # Once stopping, a cosmetic edit is not even queued, and after the deadline nothing is.
    with pytest.raises(NotSentError):
        await mark(flood, referee.request(1, 2), 1)
    with pytest.raises(NotSentError):
        await send(flood, referee.request(1, 3), 1)


async def test_a_paid_broadcast_budget_sends_a_thousand_a_second_within_the_limit(
    time: VirtualTime,
) -> None:
    flood = limiter(time, overall=overall_pace(1000))
    referee = Referee(time)
    referee.limits = SendLimiter(overall_per_second=1000)
    await time.run(*(send(flood, referee.request(chat, 0), chat) for chat in range(1, 2001)))
    sent = [when for when, _, _ in referee.sent]
    assert referee.refused == []
    assert max(sum(1 for t in sent if start <= t < start + 1) for start in sent) <= 1000
    assert sent[-1] < 2000 / 1000 * 1.1  # close to the budget


async def test_without_pacing_the_same_burst_draws_429s(time: VirtualTime) -> None:
    referee = Referee(time)
    results = await time.run(*(
        RetryingRateLimiter(attempts=1).process_request(
            referee.request(chat, 0), (), {}, "sendMessage", {"chat_id": chat}, None
        )
        for chat in range(1, 61)
    ), return_exceptions=True)
    # The referee is strict: only the pacing keeps it quiet in the tests above.
    assert sum(isinstance(result, ApiError) for result in results) == 30


@pytest.mark.parametrize(
    ("endpoint", "data", "expected"),
    [
        ("sendMessage", {"chat_id": 5}, ("private", 5)),
        ("editMessageText", {"chat_id": -5, "message_id": 1}, ("group", -5)),
        ("sendMessage", {"chat_id": "-1001234"}, ("group", -1001234)),
        ("sendMessage", {"chat_id": "@channel"}, ("group", "@channel")),
        ("editMessageText", {"inline_message_id": "abc"}, ("overall", None)),
        ("answerCallbackQuery", {"callback_query_id": "1"}, ("free", None)),
        ("getMe", {}, ("free", None)),
        ("setWebhook", {"url": "https://x"}, ("free", None)),
        ("deleteMessage", {"chat_id": 5, "message_id": 1}, ("free", None)),
    ],
)
def test_only_what_puts_a_message_in_a_chat_is_paced(
    endpoint: str, data: dict[str, Any], expected: tuple[str, object]
) -> None:
    assert classify(endpoint, data) == expected


def test_limits_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="count >= 1"):
        Window(0, 1.0)
    with pytest.raises(ValueError, match="per_second > 0"):
        Bucket(3, 0.0)
    with pytest.raises(ValueError, match="margin"):
        FloodControl(margin=-0.1)


@pytest.mark.parametrize(("switch", "limiter"), [(True, FloodControl),
                                                 (False, RetryingRateLimiter)])
async def test_flood_control_can_be_switched_off_to_measure_the_bot_alone(
    tmp_path: Path, switch: bool, limiter: type[object]
) -> None:
    store = await SqliteStore.open(tmp_path / "bot.db")
    try:
        settings = Settings(token="123:ABC", flood_control=switch)
        app = build_application(settings, Advisor(load_dialogue(DEFAULT_DIALOGUE), store))
        assert type(app.bot.rate_limiter) is limiter
    finally:
        await store.close()


async def test_a_press_is_answered_while_the_replies_before_it_wait_for_their_turn(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db", flood_control=True) as bot:
        user = fake_api.user(4200)
        await user.send("/start")  # one of the chat's burst of three
        mark = len(fake_api.calls)
        helps = [user.queue_text("/help") for _ in range(5)]  # the rest wait about a second each
        press, query = user.queue_press("Commute & travel")
        await bot.until_handled(*helps, press, timeout=20)

    calls = fake_api.calls[mark:]
    answered = next(c.index for c in calls if c.params.get("callback_query_id") == query)
    replies = [c for c in calls if c.succeeded("sendMessage", user.chat_id)
               or c.succeeded("editMessageText", user.chat_id)]
    assert [c.params["text"] for c in replies[:5]] == [bot.dialogue.texts.help] * 5
    assert "Question 2 of " in replies[5].params["text"]  # every reply in order...
    # ...and the press was answered before the replies queued ahead of it had gone.
    assert answered < replies[2].index


@pytest.mark.parametrize(("send_rate", "paid"), [(30.0, None), (1000.0, True)])
async def test_a_send_rate_above_telegrams_thirty_sends_as_a_paid_broadcast(
    fake_api: FakeBotApi, tmp_path: Path, send_rate: float, paid: bool | None
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db", flood_control=True,
                           send_rate=send_rate):
        sent = await fake_api.user(4300).send("/start")
    assert sent is not None
    assert sent.params.get("allow_paid_broadcast") is paid
