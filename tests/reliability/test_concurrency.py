"""Two hundred people at once: chats run side by side, each chat strictly in order."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from bot.config import DEFAULT_DIALOGUE
from bot.engine.loader import load_dialogue
from testing.fakebot.server import FakeBotApi
from testing.fakebot.user import FakeUser
from tests.reliability.harness import RunningBot, running_bot
from tests.reliability.people import (
    Plan,
    is_result,
    press_through,
    question_number,
    random_plan,
    sent_texts,
)

USERS = 200
TYPED_AHEAD = 3  # answers typed in one burst after /start, before the first reply arrives


async def converse(bot: RunningBot, user: FakeUser, plan: Plan) -> None:
    """Type /start and the first answers in one burst, then press through the rest."""
    path = plan.path(bot.dialogue)
    burst = [user.queue_text("/start")]
    burst += [user.queue_text(plan.typed(bot.dialogue, q)) for q, _ in path[:TYPED_AHEAD]]
    await bot.until_handled(*burst, timeout=60)
    await press_through(user, bot.dialogue, plan, bot)


async def test_200_people_at_once_each_finish_their_own_session_with_replies_in_order(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    dialogue = load_dialogue(DEFAULT_DIALOGUE)
    rng = random.Random(200)
    people = [(fake_api.user(10_000 + n), random_plan(dialogue, rng)) for n in range(USERS)]
    for user, _ in people:
        user.timeout = 30.0
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        await asyncio.gather(*(converse(bot, user, plan) for user, plan in people))

    outcomes = set()
    for user, plan in people:
        path = plan.path(dialogue)
        assert bot.answers(user.chat_id) == path
        sessions = bot.rows("SELECT status, outcome FROM sessions WHERE chat_id = ?",
                            user.chat_id)
        assert sessions == [("finished", plan.outcome(dialogue))]
        # Every question once, in order, then the recommendation: no reply overtook another.
        texts = sent_texts(user)  # messages sent, and edits that showed the next question
        assert [question_number(text) for text in texts[:-1]] == list(range(1, len(path) + 1))
        assert is_result(dialogue, texts[-1])
        outcomes.add(plan.outcome(dialogue))
    assert len(outcomes) >= 4  # the people really took different ways through the dialogue
