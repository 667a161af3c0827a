"""People with a plan: the option they pick at every question, read off the screen as labels."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.config import DEFAULT_DIALOGUE
from bot.engine import engine
from bot.engine.loader import load_dialogue
from bot.engine.model import Dialogue, Option, Question, Session
from testing.fakebot.server import Call
from testing.fakebot.user import FakeUser
from tests.reliability.harness import RunningBot

_NUMBER = re.compile(r"Question (\d+) of (\d+)")
SHIPPED = load_dialogue(DEFAULT_DIALOGUE)


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
    return Plan({qid: rng.choice(_one_press(q)).id for qid, q in dialogue.questions.items()})


def _one_press(question: Question) -> tuple[Option, ...]:
    """Return the options one press answers with: at a multiple question only the exclusive
    ones (the others check and wait for "Done": tests/e2e/test_multiple_choice.py)."""
    if not question.multiple:
        return question.options
    return tuple(option for option in question.options if option.exclusive)


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
    """Return whether `text` shows a recommendation: a pick, or a close call between two (in
    compact replies, under the choice)."""
    texts = dialogue.texts
    return any(heading.partition("{")[0] in text for heading in (
        texts.result_heading, texts.close_heading, texts.thin_heading))


def on_screen(user: FakeUser) -> str:
    """Return the text of the bot's latest message that shows a question or the result: what
    the person answers next, or their recommendation (other replies may have come since)."""
    for message in reversed(user.messages):
        if question_number(message.text) is not None or is_result(SHIPPED, message.text):
            return message.text
    raise LookupError(f"the bot has shown chat {user.chat_id} no question yet")


def showing_next(user: FakeUser) -> Callable[[Call], bool]:
    """Match the bot showing the chat what comes next: a message sent, or (compact replies)
    the pressed message edited into the next question or the result. An edit that only marks
    a choice (separate replies) shows nothing new."""
    def matches(call: Call) -> bool:
        if call.succeeded("sendMessage", user.chat_id):
            return True
        text = str(call.params.get("text", ""))
        return call.succeeded("editMessageText", user.chat_id) and (
            question_number(text) is not None or is_result(SHIPPED, text))

    return matches


async def press_through(
    user: FakeUser, dialogue: Dialogue, plan: Plan, bot: RunningBot | None = None
) -> None:
    """Press the planned button on the latest question until the recommendation shows.

    With `bot`, each press waits until the bot is done with it rather than for its message:
    cheaper when hundreds of people wait at once.
    """
    while not is_result(dialogue, on_screen(user)):
        label = plan.label_for(dialogue, user.keyboard_message.text)
        if bot is None:
            await user.press(label, expect=showing_next(user))
        else:
            await bot.press(user, label)


def sent_texts(user: FakeUser) -> list[str]:
    """Return the text of everything the bot showed in the chat, as shown then (before later
    edits): its messages, and the edits that showed what came next."""
    shown = showing_next(user)
    return [str(call.params["text"]) for call in user.api.calls if shown(call)]


def shown_numbers(user: FakeUser) -> list[int]:
    """Return the question numbers of the bot's messages in the chat, in the order sent."""
    numbers = [question_number(text) for text in sent_texts(user)]
    return [n for n in numbers if n is not None]
