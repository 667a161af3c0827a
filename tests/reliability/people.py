"""People with a plan: the option they pick at every question, read off the screen as labels."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.engine import engine
from bot.engine.model import Dialogue, Question, Session
from testing.fakebot.user import FakeUser
from tests.reliability.harness import RunningBot

_NUMBER = re.compile(r"Question (\d+) of (\d+)")


@dataclass(frozen=True)
class Plan:
    """The option id a person picks at each question they may be asked."""

    choices: Mapping[str, str]

    def path(self, dialogue: Dialogue) -> list[tuple[str, str]]:
        """Return (question, option) of every answer, as the pure engine routes them."""
        return [(a.question, a.option) for a in self._finished(dialogue).answers]

    def outcome(self, dialogue: Dialogue) -> str:
        """Return the outcome these answers lead to."""
        outcome = self._finished(dialogue).outcome
        assert outcome is not None
        return outcome

    def label_for(self, dialogue: Dialogue, text: str) -> str:
        """Return the label this person presses on the question whose message is `text`."""
        question = question_on_screen(dialogue, text)
        option = question.option(self.choices[question.id])
        assert option is not None
        return option.label

    def typed(self, dialogue: Dialogue, question_id: str) -> str:
        """Return what this person types to answer `question_id`: the option's number, or
        its label where a number would be an amount (a question with a unit)."""
        question = dialogue.questions[question_id]
        if question.unit is not None:
            option = question.option(self.choices[question_id])
            assert option is not None
            return option.label
        options = [option.id for option in question.options]
        return str(options.index(self.choices[question_id]) + 1)

    def _finished(self, dialogue: Dialogue) -> Session:
        session = engine.start(dialogue, 0.0).session
        while session.current is not None:
            data = f"{session.current}:{self.choices[session.current]}"
            session = engine.press(dialogue, session, data, 0.0).session
        return session


def random_plan(dialogue: Dialogue, rng: random.Random) -> Plan:
    """Return a plan with a random option at every question."""
    return Plan({qid: rng.choice(q.options).id for qid, q in dialogue.questions.items()})


def question_on_screen(dialogue: Dialogue, text: str) -> Question:
    """Return the question a message shows (its text ends the message)."""
    found = [q for q in dialogue.questions.values() if text.endswith(q.text)]
    if len(found) != 1:
        raise LookupError(f"no single question ends this message: {text[-80:]!r}")
    return found[0]


def question_number(text: str) -> int | None:
    """Return N of a "Question N of M" message, or None for any other message."""
    found = _NUMBER.search(text)
    return int(found.group(1)) if found else None


def is_result(dialogue: Dialogue, text: str) -> bool:
    """Return whether `text` is a recommendation: a pick, or a close call between two."""
    texts = dialogue.texts
    return text.startswith((texts.result_heading.partition("{")[0],
                            texts.close_heading.partition("{")[0],
                            texts.thin_heading.partition("{")[0]))


async def press_through(
    user: FakeUser, dialogue: Dialogue, plan: Plan, bot: RunningBot | None = None
) -> None:
    """Press the planned button on the latest question until the recommendation shows.

    With `bot`, each press waits until the bot is done with it rather than for its message:
    cheaper when hundreds of people wait at once.
    """
    while not is_result(dialogue, user.last_text):
        label = plan.label_for(dialogue, user.keyboard_message.text)
        if bot is None:
            await user.press(label, expect="sendMessage")
        else:
            await bot.press(user, label)


def sent_texts(user: FakeUser) -> list[str]:
    """Return the text of every message the bot sent to the chat, as sent (before edits)."""
    return [str(call.params["text"]) for call in user.api.calls
            if call.succeeded("sendMessage", user.chat_id)]


def shown_numbers(user: FakeUser) -> list[int]:
    """Return the question numbers of the bot's messages in the chat, in the order sent."""
    numbers = [question_number(text) for text in sent_texts(user)]
    return [n for n in numbers if n is not None]
