"""What Telegram does wrong: 429, 5xx, timeouts, blocked chats, stale edits and queries, bugs,
and one person flooding the bot."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from telegram.error import TimedOut

from bot.engine.model import Session
from bot.storage.base import StoredSession
from bot.storage.sqlite import SqliteStore
from bot.telegram.botapi import AdvisorBot
from bot.telegram.delivery import ChatOrderedProcessor, RetryingRateLimiter
from testing.fakebot.server import Call, FakeBotApi
from testing.fakebot.user import FakeUser
from tests.reliability.harness import RunningBot, running_bot
from tests.reliability.people import Plan, is_result, on_screen

CHAT = 5001
Q2 = "How long do you usually listen in one go?"
QUERY_TOO_OLD = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


def sends(api: FakeBotApi, mark: int, chat_id: int = CHAT) -> list[Call]:
    """Return every sendMessage or editMessageText attempt to the chat since `mark`."""
    return [c for c in api.calls[mark:] if c.method in {"sendMessage", "editMessageText"}
            and str(c.params.get("chat_id")) == str(chat_id)]


def errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.fixture
async def bot(fake_api: FakeBotApi, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """A bot whose retries back off quickly, with a person at the first question.

    Separate replies: a press's next question is a sendMessage, then its mark an edit; the
    faults of compact replies, where the edit is the reply, are tested below with their own.
    """
    async with running_bot(fake_api, tmp_path / "bot.db", backoff=0.05,
                           reply_mode="separate") as running:
        await running.until_handled(fake_api.user(CHAT).queue_text("/start"))
        yield running


@pytest.fixture
async def compact(fake_api: FakeBotApi, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The same with compact replies: a press edits its message into the next question."""
    async with running_bot(fake_api, tmp_path / "bot.db", backoff=0.05,
                           reply_mode="compact") as running:
        await running.until_handled(fake_api.user(CHAT).queue_text("/start"))
        yield running


async def test_a_429_is_waited_out_and_the_reply_arrives_once(
    bot: RunningBot, fake_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    fake_api.fail_next("sendMessage", status=429, retry_after=1)
    mark = len(fake_api.calls)
    await bot.press(fake_api.user(CHAT), "Commute & travel")

    refused, delivered, edited = sends(fake_api, mark)
    assert refused.injected
    assert (delivered.method, delivered.error) == ("sendMessage", None)
    assert Q2 in delivered.params["text"]
    assert delivered.at - refused.at >= 1.0  # Telegram's retry_after, waited out
    assert edited.method == "editMessageText"
    assert bot.answers(CHAT) == [("use", "commute")]
    assert not errors(caplog)


async def test_server_errors_are_retried_with_growing_pauses(
    bot: RunningBot, fake_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    bot.retrying.backoff = 0.2  # wide enough apart to tell the pauses from scheduling noise
    fake_api.fail_next("sendMessage", status=502, times=2)
    mark = len(fake_api.calls)
    await bot.press(fake_api.user(CHAT), "Commute & travel")

    first, second, delivered, _ = sends(fake_api, mark)
    assert first.injected
    assert second.injected
    assert delivered.error is None
    assert Q2 in delivered.params["text"]
    assert second.at - first.at < delivered.at - second.at  # 0.2 s, then 0.4 s (+ jitter)
    assert not errors(caplog)


async def test_after_the_last_retry_the_error_is_logged_and_the_person_can_go_on(
    bot: RunningBot, fake_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    user = fake_api.user(CHAT)
    fake_api.fail_next("sendMessage", status=500, times=4)  # every attempt fails
    mark = len(fake_api.calls)
    await bot.press(user, "Commute & travel")

    attempts = sends(fake_api, mark)
    assert [c.injected for c in attempts] == [True, True, True, True, False]
    [record] = errors(caplog)
    assert str(CHAT) in record.getMessage()
    assert record.exc_info is not None  # the traceback is in the log
    # The answer was stored before the reply failed; the apology shows the question it lost.
    assert bot.answers(CHAT) == [("use", "commute")]
    assert user.last_text.startswith(bot.dialogue.texts.error)
    assert Q2 in user.last_text
    await bot.press(user, "3+ hours, most days")
    assert "Question 3 of " in user.last_text
    assert bot.answers(CHAT) == [("use", "commute"), ("hours", "long")]


async def test_a_send_that_times_out_is_sent_again_and_arrives_once(
    fake_api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db", read_timeout=0.3,
                           backoff=0.05, reply_mode="separate") as bot:
        user = fake_api.user(CHAT)
        await bot.until_handled(user.queue_text("/start"))
        fake_api.delay_next("sendMessage", 1.0)
        mark = len(fake_api.calls)
        await bot.press(user, "Commute & travel")

        timed_out, delivered, _ = sends(fake_api, mark)
        assert timed_out.error is not None
        assert "cancelled" in timed_out.error
        assert delivered.error is None
        assert Q2 in delivered.params["text"]
        assert [m.text for m in user.messages].count(delivered.params["text"]) == 1
    assert not errors(caplog)


async def test_a_chat_that_blocked_the_bot_is_marked_inactive_and_left_alone(
    bot: RunningBot, fake_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    user = fake_api.user(CHAT)
    question = user.keyboard_message
    user.block()
    mark = len(fake_api.calls)
    await bot.press(user, "Commute & travel")

    [refused] = sends(fake_api, mark)  # no edit, no apology after the 403
    assert refused.error is not None
    assert "blocked" in refused.error
    assert bot.rows("SELECT active FROM chats WHERE chat_id = ?", CHAT) == [(0,)]
    assert bot.answers(CHAT) == [("use", "commute")]  # stored before the send
    assert question.buttons  # the question was not touched either
    assert not errors(caplog)

    user.unblock()
    await bot.until_handled(user.queue_text("/start"))
    assert bot.rows("SELECT active FROM chats WHERE chat_id = ?", CHAT) == [(1,)]


async def test_message_not_modified_and_query_too_old_do_not_fail_the_update(
    bot: RunningBot, fake_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    user = fake_api.user(CHAT)
    fake_api.fail_next("answerCallbackQuery", status=400, description=QUERY_TOO_OLD)
    fake_api.fail_next("editMessageText", status=400, description=NOT_MODIFIED)
    await bot.press(user, "Commute & travel")
    assert "Question 2 of " in user.last_text
    await bot.press(user, "3+ hours, most days")
    assert "Question 3 of " in user.last_text
    assert bot.answers(CHAT) == [("use", "commute"), ("hours", "long")]
    assert not errors(caplog)


async def test_in_compact_mode_a_429_on_the_edit_is_waited_out_and_it_arrives_once(
    compact: RunningBot, fake_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    fake_api.fail_next("editMessageText", status=429, retry_after=1)
    mark = len(fake_api.calls)
    await compact.press(fake_api.user(CHAT), "Commute & travel")

    refused, delivered = sends(fake_api, mark)  # the edit is the reply: nothing else
    assert refused.injected
    assert (delivered.method, delivered.error) == ("editMessageText", None)
    assert Q2 in delivered.params["text"]
    assert delivered.at - refused.at >= 1.0
    assert compact.answers(CHAT) == [("use", "commute")]
    assert not errors(caplog)


async def test_in_compact_mode_an_edit_that_fails_for_good_is_apologised_for_with_the_question(
    compact: RunningBot, fake_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    user = fake_api.user(CHAT)
    fake_api.fail_next("editMessageText", status=500, times=4)  # every attempt fails
    await compact.press(user, "Commute & travel")

    [record] = errors(caplog)
    assert str(CHAT) in record.getMessage()
    assert compact.answers(CHAT) == [("use", "commute")]
    assert user.last_text.startswith(compact.dialogue.texts.error)
    assert Q2 in user.last_text
    await compact.press(user, "3+ hours, most days")
    assert "Question 3 of " in user.keyboard_message.text
    assert compact.answers(CHAT) == [("use", "commute"), ("hours", "long")]


async def test_in_compact_mode_a_message_that_cannot_be_edited_gets_the_reply_anew(
    compact: RunningBot, fake_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    user = fake_api.user(CHAT)
    question = user.keyboard_message
    fake_api.fail_next("editMessageText", status=400,
                       description="Bad Request: message can't be edited")
    await compact.press(user, "Commute & travel")
    assert question.buttons  # untouched: Telegram refused the edit
    assert "✅ Commute & travel\n\nQuestion 2 of " in user.last_text  # sent as a new message
    # "Not modified" means the message shows it already: a double press found it done.
    fake_api.fail_next("editMessageText", status=400, description=NOT_MODIFIED)
    await compact.press(user, "3+ hours, most days")
    assert compact.answers(CHAT) == [("use", "commute"), ("hours", "long")]
    assert not errors(caplog)


class FlakyStore(SqliteStore):
    """A store whose next `save` fails the way a bug would."""

    failures = 0

    async def save(
        self, stored: StoredSession, session: Session, *, update_id: int | None = None
    ) -> StoredSession:
        if FlakyStore.failures:
            FlakyStore.failures -= 1
            raise RuntimeError("the store broke in a way nobody planned for")
        return await super().save(stored, session, update_id=update_id)


async def test_any_other_failure_is_logged_with_its_traceback_and_the_person_told(
    fake_api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db", store_type=FlakyStore) as bot:
        user = fake_api.user(CHAT)
        await bot.until_handled(user.queue_text("/start"))
        FlakyStore.failures = 1
        update_id, query_id = user.queue_press("Commute & travel")
        await bot.until_handled(update_id)

        [record] = errors(caplog)
        assert f"chat {CHAT}" in record.getMessage()
        assert record.exc_info is not None
        assert isinstance(record.exc_info[1], RuntimeError)
        assert bot.answers(CHAT) == []  # nothing half-stored
        answered = [c for c in fake_api.calls if c.method == "answerCallbackQuery"
                    and c.params.get("callback_query_id") == query_id]
        assert [c.error for c in answered] == [None]  # no spinner left on the button
        # The apology repeats the question the press failed on; pressing it again works.
        assert user.last_text.startswith(bot.dialogue.texts.error)
        assert "Question 1 of " in user.last_text
        await bot.press(user, "Commute & travel")
        assert "Question 2 of " in user.last_text
        assert bot.answers(CHAT) == [("use", "commute")]


FLOOD_EVERY = 0.02  # seconds between bursts
FLOOD_BURST = 20  # messages a burst: up to 1000 a second


class Flood:
    """One person sending gibberish in bursts, hundreds of messages a second."""

    def __init__(self, user: FakeUser) -> None:
        self.user = user
        self.update_ids: list[int] = []
        self.stop = asyncio.Event()

    @property
    def sent(self) -> int:
        """Return how many messages were sent so far."""
        return len(self.update_ids)

    def handled(self, bot: RunningBot) -> int:
        """Return how many of the flood's messages the bot has finished with."""
        return sum(1 for update_id in self.update_ids if bot.handled[update_id])

    async def run(self) -> None:
        """Send until `stop` is set."""
        while not self.stop.is_set():
            for _ in range(FLOOD_BURST):
                self.update_ids.append(self.user.queue_text(f"spam {self.sent}"))
            await asyncio.sleep(FLOOD_EVERY)


async def test_one_person_flooding_cannot_starve_another(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        flood, other = Flood(fake_api.user(5101)), fake_api.user(5102)
        flooding = asyncio.create_task(flood.run())
        try:
            # The flood is in full swing before the other person starts.
            await fake_api.wait_for(counting_replies(flood.user, 50), timeout=10)
            started, before = time.monotonic(), flood.sent
            await bot.until_handled(other.queue_text("/start"))
            overtaken = []  # flood messages finished while each press of the other waited
            while not is_result(bot.dialogue, on_screen(other)):
                label = PLAN.label_for(bot.dialogue, other.keyboard_message.text)
                handled = flood.handled(bot)
                await bot.press(other, label)
                overtaken.append(flood.handled(bot) - handled)
            took, during = time.monotonic() - started, flood.sent - before
        finally:
            flood.stop.set()
            await flooding

    assert during / took > 150, f"the flood was not a flood: {during} messages in {took:.1f} s"
    assert took < 10, f"the other person's dialogue took {took:.1f} s under the flood"
    # The flooder's chat runs one message at a time beside the other chat, so only a few of
    # its messages finish while one press waits; not the hundred queued behind each other.
    assert max(overtaken) < 25, overtaken


async def test_a_chat_sending_thousands_at_once_is_dropped_unread_past_its_backlog(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        flooder, other = fake_api.user(5201), fake_api.user(5202)
        for number in range(5_000):
            flooder.queue_text(f"spam {number}")
        # Behind all 5,000 in Telegram's queue: the bot has to fetch its way through them, and
        # a generous 10 s is all it gets (reading and scheduling each took 2.5 to 3 s in all).
        await bot.until_handled(other.queue_text("/start"), timeout=10)
        while not is_result(bot.dialogue, on_screen(other)):
            await bot.press(other, PLAN.label_for(bot.dialogue, other.keyboard_message.text))
        advisor_bot, processor = bot.app.bot, bot.app.update_processor
        assert isinstance(advisor_bot, AdvisorBot)
        assert isinstance(processor, ChatOrderedProcessor)

    # The flood was read no further than its backlog: most of it was dropped before it was
    # parsed, and hardly any was parsed and scheduled only to be dropped then.
    assert advisor_bot.dropped > 2_500, advisor_bot.dropped
    assert processor.dropped < processor.backlog, processor.dropped
    read = 5_000 - advisor_bot.dropped - processor.dropped
    answered = [c for c in fake_api.calls if c.succeeded("sendMessage", flooder.chat_id)]
    assert len(answered) <= read


PLAN = Plan({"use": "home", "hours": "mid", "comfort": "none", "isolation": "none",
             "leak": "no", "sound": "wide", "budget": "mid", "anc": "no", "wireless": "no",
             "mic": "no", "work": "mix"})


def counting_replies(user: FakeUser, count: int) -> Callable[[Call], bool]:
    """Return a predicate true once the bot has sent `count` messages to the user's chat."""
    seen = 0

    def predicate(call: Call) -> bool:
        nonlocal seen
        seen += call.method == "sendMessage" and call.params.get("chat_id") == user.chat_id
        return seen >= count

    return predicate


async def test_a_hanging_button_answer_never_holds_back_the_next_question(
    bot: RunningBot, fake_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    fake_api.delay_next("answerCallbackQuery", 60, times=5)  # Telegram does not answer
    mark = len(fake_api.calls)
    await bot.press(fake_api.user(CHAT), "Commute & travel")

    sent = next(c for c in fake_api.calls[mark:] if c.succeeded("sendMessage", CHAT))
    assert Q2 in sent.params["text"]
    # The question went out while the answer hung; that was given up after one more try.
    answers = [c for c in fake_api.calls[mark:] if c.method == "answerCallbackQuery"]
    assert answers
    assert all(answer.error and sent.index < answer.index for answer in answers)
    assert bot.answers(CHAT) == [("use", "commute")]
    assert any("its spinner stops by itself" in r.getMessage() for r in caplog.records)
    assert not errors(caplog)


async def test_a_button_answer_is_tried_twice_at_most_and_other_calls_four_times() -> None:
    tried: list[str] = []

    async def hanging(endpoint: str) -> bool:
        tried.append(endpoint)
        raise TimedOut

    retrying = RetryingRateLimiter(backoff=0)
    for endpoint in ("answerCallbackQuery", "sendMessage"):
        with pytest.raises(TimedOut):
            await retrying.process_request(hanging, (endpoint,), {}, endpoint, {}, None)
    assert tried == ["answerCallbackQuery"] * 2 + ["sendMessage"] * 4
