"""`python -m bot` killed with SIGKILL again and again while people press and type.

Half of the people press buttons, half type the option's label; when the bot does not answer
in time, they do what people do: look at the screen and answer again. After the last kill the
bot runs on until everyone is through. Whatever the kills hit, nobody is left stuck, nothing
is stored that a person did not answer to that question, and every result arrives.

The size is the acceptance run's (100 people, 8 kills 1 to 8 s apart); SIGKILL_LOOP_PEOPLE and
SIGKILL_LOOP_KILLS make it smaller or larger.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pytest

from bot.config import DEFAULT_DIALOGUE
from bot.engine.loader import load_dialogue
from bot.engine.model import Dialogue
from testing.fakebot.server import FakeBotApi
from testing.fakebot.user import FakeUser
from tests.dbfile import read_rows
from tests.reliability.harness import bot_process
from tests.reliability.people import Plan, is_result, random_plan, showing_next

PEOPLE = int(os.environ.get("SIGKILL_LOOP_PEOPLE", "100"))
KILLS = int(os.environ.get("SIGKILL_LOOP_KILLS", "8"))
PATIENCE = 4.0  # seconds a person waits for a reaction before answering again
THINKING = (0.5, 4.0)  # seconds between seeing a question and answering it
SEND_DELAY = 0.3  # seconds each message takes to reach the person while the kills go on


@dataclass
class Person:
    """Someone with a plan who answers whatever question is on their screen."""

    user: FakeUser
    plan: Plan
    types: bool
    rng: random.Random
    tries: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    async def go(self, dialogue: Dialogue) -> None:
        """Answer until the result is on the screen."""
        await self._act(lambda: self.user.queue_text("/start"))
        while not self._sees_result(dialogue):
            await asyncio.sleep(self.rng.uniform(*THINKING))
            label = self.plan.label_for(dialogue, self.user.keyboard_message.text)
            if self.types:  # the label, as typed: "Yes" answers several questions alike
                await self._act(partial(self.user.queue_text, label))
            else:
                await self._act(partial(self._press, label))
        self.done.set()

    def _press(self, label: str) -> int:
        return self.user.queue_press(label)[0]

    def _sees_result(self, dialogue: Dialogue) -> bool:
        return any(is_result(dialogue, m.text) for m in self.user.messages[-2:])

    async def _act(self, act: Callable[[], int]) -> None:
        """Do something, then wait for any new message from the bot, or give up waiting."""
        self.tries += 1
        mark = len(self.user.api.calls)
        act()
        # No reaction in time: the bot is down, or the reply was lost; look again then. A
        # reaction is a new message, or (compact replies) the pressed one made the next.
        with contextlib.suppress(TimeoutError):
            await self.user.api.wait_for(showing_next(self.user), since=mark, timeout=PATIENCE)


def answers(db: Path, chat_id: int) -> list[tuple[str, str]]:
    return [(q, o) for q, o in read_rows(
        db, "SELECT a.question_id, a.option_id FROM answers a JOIN sessions s"
        " ON s.id = a.session_id WHERE s.chat_id = ? ORDER BY s.id, a.position", chat_id)]


def results_sent(api: FakeBotApi, dialogue: Dialogue, chat_id: int) -> int:
    return sum(1 for call in api.calls if call.succeeded("sendMessage", chat_id)
               and is_result(dialogue, str(call.params.get("text"))))


@pytest.mark.timeout(300)
async def test_kill_after_kill_everyone_finishes_with_only_their_own_answers(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    dialogue = load_dialogue(DEFAULT_DIALOGUE)
    rng = random.Random(16)
    people = [Person(fake_api.user(30_000 + n), random_plan(dialogue, rng), types=n % 2 == 1,
                     rng=random.Random(n)) for n in range(PEOPLE)]
    db, log = tmp_path / "bot.db", tmp_path / "bot.log"
    # Every message takes a network's while to go out: a kill often lands after an answer
    # was stored and before its reply arrived, the window this is about.
    for reply in ("sendMessage", "editMessageText"):
        fake_api.delay_next(reply, SEND_DELAY, times=1_000_000)
    going = [asyncio.create_task(person.go(dialogue)) for person in people]
    kills: list[int] = []
    try:
        for _ in range(KILLS):
            async with bot_process(fake_api, db, log) as process:
                await asyncio.sleep(rng.uniform(1.0, 8.0))  # the loop's schedule of kills
                kills.append(sum(not p.done.is_set() for p in people))
                process.kill()
                await process.wait()
        fake_api.clear_delays()
        async with bot_process(fake_api, db, log):
            async with asyncio.timeout(240):
                await asyncio.gather(*going)
    finally:
        for task in going:
            task.cancel()
        await asyncio.gather(*going, return_exceptions=True)

    assert read_rows(db, "PRAGMA integrity_check") == [("ok",)]
    wrong = {}
    for person in people:
        chat = person.user.chat_id
        # Everyone finished with the outcome their own answers lead to.
        assert read_rows(db, "SELECT status, outcome FROM sessions WHERE chat_id = ?"
                         " ORDER BY id DESC LIMIT 1", chat) == [
            ("finished", person.plan.outcome(dialogue))], chat
        # No stored answer is one the person did not give to that very question.
        given = answers(db, chat)
        wrong[chat] = [(q, o) for q, o in given if person.plan.choices[q] != o]
        # And their result reached them at least once.
        assert results_sent(fake_api, dialogue, chat) >= 1, chat
    assert {chat: w for chat, w in wrong.items() if w} == {}
    sent = sum(results_sent(fake_api, dialogue, p.user.chat_id) for p in people)
    # The run's figures, for whoever runs it with -s.
    report = (f"\nSIGKILL loop: {PEOPLE} people, {KILLS} kills with {kills} people mid-dialogue;"
              f" {sum(p.tries for p in people)} presses and messages; {sent} results sent for"
              f" {PEOPLE} people; 0 wrong answers; integrity ok")
    print(report)  # noqa: T201 (a report)
    # The kills hit people in the middle of the dialogue (else this tested nothing).
    assert kills[0] == PEOPLE
    assert sum(1 for alive in kills if alive) >= KILLS // 2, kills
