"""Everyday phrasings typed to the running bot land where a reader would put them.

Each set (tests/typing/phrasings.yaml in English, phrasings.ru.yaml, phrasings.es.yaml) is
typed over the fake Bot API to the real bot by people whose Telegram speaks that language; at
least 90% must be stored as meant, directly or after one "Did you mean" tap, and at most 2%
stored as another option. docs/dialogue-format.md quotes the figures they reach.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.fakebot.server import FakeBotApi
from tests.reliability.harness import running_bot
from tests.typing.phrasing_run import LANGUAGES, phrasings, run_all


@pytest.mark.parametrize(("language", "size"), [("en", 400), ("ru", 200), ("es", 200)])
def test_the_set_is_large_and_covers_every_question_and_option(language: str, size: int) -> None:
    found = phrasings(language)
    assert len(found) >= size
    covered = {(question, option) for question, option, _ in found}
    from bot.config import DEFAULT_DIALOGUE
    from bot.engine.loader import load_dialogue

    dialogue = load_dialogue(DEFAULT_DIALOGUE)
    every = {(q.id, o.id) for q in dialogue.questions.values() for o in q.options}
    assert covered == every


@pytest.mark.parametrize("language", LANGUAGES)
async def test_typed_phrasings_are_stored_as_meant(
    fake_api: FakeBotApi, tmp_path: Path, language: str
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        questions = sorted({question for question, _, _ in phrasings(language)})
        users = {q: fake_api.user(chat_id=5000 + n, language_code=language)
                 for n, q in enumerate(questions)}
        tally = await run_all(bot, users, language)
    report = tally.summary() + "\n" + "\n".join(tally.misses)
    assert tally.share("understood", "asked_then_understood") >= 0.90, report
    assert tally.share("wrong") <= 0.02, report
