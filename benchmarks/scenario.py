"""The people of every benchmark: who presses what, and the updates Telegram would deliver."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any

from benchmarks.stub import BOT_USER
from bot.config import DEFAULT_DIALOGUE
from bot.engine import engine
from bot.engine.loader import load_dialogue
from bot.engine.model import Dialogue

JSONDict = dict[str, Any]
FIRST_CHAT = 10_000_000


def dialogue() -> Dialogue:
    """Return the real dialogue, loaded and checked by our loader."""
    return load_dialogue(DEFAULT_DIALOGUE)


@dataclass(frozen=True)
class Person:
    """One person's whole way through the dialogue: /start, then these presses in order."""

    chat_id: int
    presses: tuple[tuple[str, str], ...]  # (question id, option id)

    @property
    def updates(self) -> int:
        """Return how many updates this person sends: /start and every press."""
        return 1 + len(self.presses)


def people(dialogue: Dialogue, count: int, *, first_chat: int = FIRST_CHAT) -> list[Person]:
    """Return `count` people, each answering every question at random (seeded by chat id)."""
    return [person(dialogue, chat_id) for chat_id in range(first_chat, first_chat + count)]


def person(dialogue: Dialogue, chat_id: int) -> Person:
    """Return the person in this chat, answering every question at random (seeded by chat id)."""
    rng = random.Random(chat_id)
    session = engine.start(dialogue, 0.0).session
    presses: list[tuple[str, str]] = []
    while session.current is not None:
        question = dialogue.questions[session.current]
        # One press each: at a multiple question its exclusive option (the others check).
        option = rng.choice([o for o in question.options if not question.multiple or o.exclusive])
        presses.append((question.id, option.id))
        session = engine.press(dialogue, session, f"{question.id}:{option.id}", 1.0).session
    return Person(chat_id, tuple(presses))


def label(dialogue: Dialogue, question_id: str, option_id: str) -> str:
    """Return the label of an option, as the person sees it on the button."""
    option = dialogue.questions[question_id].option(option_id)
    if option is None:
        raise LookupError(f"question {question_id!r} has no option {option_id!r}")
    return option.label


def user_json(chat_id: int) -> JSONDict:
    """Return the Bot API `User` of the person in a private chat."""
    return {"id": chat_id, "is_bot": False, "first_name": "Ann", "language_code": "en"}


def chat_json(chat_id: int) -> JSONDict:
    """Return the Bot API `Chat` of a private chat."""
    return {"id": chat_id, "type": "private", "first_name": "Ann"}


def start_update(update_id: int, chat_id: int) -> JSONDict:
    """Return the update of a person sending /start."""
    return {"update_id": update_id, "message": {
        "message_id": 1, "date": int(time.time()), "chat": chat_json(chat_id),
        "from": user_json(chat_id), "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }}


def text_update(update_id: int, chat_id: int, text: str, message_id: int) -> JSONDict:
    """Return the update of a person typing `text` (an answer in their own words)."""
    return {"update_id": update_id, "message": {
        "message_id": message_id, "date": int(time.time()), "chat": chat_json(chat_id),
        "from": user_json(chat_id), "text": text,
    }}


def press_update(update_id: int, chat_id: int, data: str, message_id: int) -> JSONDict:
    """Return the update of a person pressing a button with `data` on the bot's message."""
    message = {"message_id": message_id, "date": int(time.time()), "chat": chat_json(chat_id),
               "from": BOT_USER, "text": "?"}
    return {"update_id": update_id, "callback_query": {
        "id": f"{chat_id}-{update_id}", "from": user_json(chat_id), "data": data,
        "chat_instance": str(chat_id), "message": message,
    }}
