"""`python -m bot` killed with SIGKILL while 30 people press, then started on the same file."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import DEFAULT_DIALOGUE
from bot.engine.loader import load_dialogue
from bot.engine.model import Dialogue
from testing.fakebot.server import Call, FakeBotApi
from testing.fakebot.user import FakeUser
from tests.dbfile import read_rows
from tests.reliability.harness import Clock, bot_process, running_bot
from tests.reliability.people import (
    Plan,
    is_result,
    press_through,
    random_plan,
    sent_texts,
    showing_next,
    shown_numbers,
)

PEOPLE = 30
KILL_AFTER_SENDS = 90  # of roughly 300 messages the whole run sends
HUNG_PRESSES = 8  # presses stored whose reply is held back when the process dies


def counting(method: str, count: int) -> Callable[[Call], bool]:
    """Return a predicate true at the `count`-th successful call of `method` it sees."""
    seen = 0

    def predicate(call: Call) -> bool:
        nonlocal seen
        seen += call.method == method and call.error is None
        return seen >= count

    return predicate


@pytest.mark.parametrize("reply_mode", ["compact", "separate"])
async def test_after_sigkill_every_replied_answer_is_kept_and_everyone_continues(
    fake_api: FakeBotApi, tmp_path: Path, reply_mode: str
) -> None:
    dialogue = load_dialogue(DEFAULT_DIALOGUE)
    rng = random.Random(7)
    people = [(fake_api.user(20_000 + n), random_plan(dialogue, rng)) for n in range(PEOPLE)]
    db = tmp_path / "bot.db"
    # What shows the next question: a new message, or (compact) the pressed one edited.
    reply = "editMessageText" if reply_mode == "compact" else "sendMessage"

    async with bot_process(fake_api, db, tmp_path / "bot.log",
                           REPLY_MODE=reply_mode) as process:
        await asyncio.gather(*(user.send("/start") for user, _ in people))
        pressing = [asyncio.create_task(press_through(user, dialogue, plan))
                    for user, plan in people]
        mark = len(fake_api.calls)
        await fake_api.wait_for(counting(reply, KILL_AFTER_SENDS), since=mark)
        # From here on replies hang: the answers behind them are stored, their replies never
        # arrive. That is the window a crash can fall into, held open wide.
        fake_api.delay_next(reply, 60, times=PEOPLE)
        await fake_api.wait_held(reply, count=HUNG_PRESSES)
        process.kill()
        await process.wait()
    for task in pressing:
        task.cancel()
    await asyncio.gather(*pressing, return_exceptions=True)
    fake_api.clear_delays()  # what is left of the hang must not reach the next run

    assert read_rows(db, "PRAGMA integrity_check") == [("ok",)]
    # Counted before the restart: a restarted bot that is handed the dead one's unconfirmed
    # updates again sends their missing replies itself, before anyone presses anything.
    hung = [reply_lost(user, plan, db, dialogue) for user, plan in people]
    assert sum(hung) >= HUNG_PRESSES, "the crash did not hit the window under test"
    clock = Clock()
    clock.advance(60)  # people come back a minute later: a press is no double press then
    async with running_bot(fake_api, db, clock=clock, reply_mode=reply_mode) as bot:
        # /help goes behind whatever each chat still had queued: once it is answered, the
        # restarted bot has dealt with everything the dead one left.
        await asyncio.gather(*(user.send("/help", expect=saying(user, dialogue.texts.help))
                               for user, _ in people))
        for user, plan in people:
            await check_and_continue(user, plan, bot.db_path, dialogue)
        await asyncio.gather(*(press_through(user, dialogue, plan) for user, plan in people))

    for user, plan in people:
        path = plan.path(dialogue)
        assert stored_answers(db, user.chat_id) == path
        assert read_rows(db, "SELECT status, outcome FROM sessions WHERE chat_id = ?",
                         user.chat_id) == [("finished", plan.outcome(dialogue))]
        # Each question reached the person once, in order: nothing repeated, nothing skipped.
        assert shown_numbers(user) == list(range(1, len(path) + 1))
    assert read_rows(db, "PRAGMA integrity_check") == [("ok",)]


def midway(
    user: FakeUser, plan: Plan, db: Path, dialogue: Dialogue
) -> tuple[list[tuple[str, str]], int] | None:
    """Return the person's stored answers, checked to be their own in order, and the number of
    the question on screen; None once they have their result."""
    if any(is_result(dialogue, text) for text in sent_texts(user)):
        return None
    stored = stored_answers(db, user.chat_id)
    assert stored == plan.path(dialogue)[: len(stored)]
    return stored, max(shown_numbers(user))


def reply_lost(user: FakeUser, plan: Plan, db: Path, dialogue: Dialogue) -> bool:
    """Tell whether the crash stored the person's latest answer but lost the reply to it."""
    found = midway(user, plan, db, dialogue)
    if found is None:
        return False
    stored, shown = found
    return len(stored) == shown


async def check_and_continue(user: FakeUser, plan: Plan, db: Path, dialogue: Dialogue) -> None:
    """Check what survived for one person and press their latest question."""
    path = plan.path(dialogue)
    # Only this person's own answers, in order; every one whose reply was sent is kept, and
    # at most the answer to the question on screen is stored without its reply.
    found = midway(user, plan, db, dialogue)
    if found is None:
        assert stored_answers(db, user.chat_id) == path
        return
    stored, shown = found
    assert len(stored) in (shown - 1, shown), (user.chat_id, shown, stored)
    # The question on screen still has its buttons (they go only once the next one is out).
    shown_now = await user.press(plan.label_for(dialogue, user.keyboard_message.text),
                                 expect=showing_next(user))
    assert shown_now is not None
    # Whether the press was lost or its reply was, the person now sees the next question.
    text = str(shown_now.params["text"])
    assert f"Question {shown + 1} of " in text or is_result(dialogue, text)
    assert stored_answers(db, user.chat_id) == path[:shown]


def saying(user: FakeUser, text: str) -> Callable[[Call], bool]:
    """Return a predicate for the bot's message `text` to the user's chat."""
    def predicate(call: Call) -> bool:
        return (call.method == "sendMessage" and call.params.get("text") == text
                and str(call.params.get("chat_id")) == str(user.chat_id))

    return predicate


def stored_answers(db: Path, chat_id: int) -> list[tuple[str, str]]:
    """Return (question, option) of every answer stored for the chat, in order."""
    return read_rows(db, "SELECT a.question_id, a.option_id FROM answers a JOIN sessions s"
                     " ON s.id = a.session_id WHERE s.chat_id = ? ORDER BY s.id, a.position",
                     chat_id)
