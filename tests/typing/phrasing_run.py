"""Type everyday phrasings to the running bot and count how each was taken.

One chat per question: the person presses their way to the question once, then types each
phrasing, taps the intended option once when asked "Did you mean ...?", reads what was
stored, and goes /back to the question for the next phrasing. A set per language:
phrasings.yaml (English, the dialogue's own), phrasings.ru.yaml, phrasings.es.yaml, typed by
people whose Telegram speaks that language.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from testing.fakebot.user import FakeUser
from tests.reliability.harness import RunningBot

PHRASINGS = Path(__file__).with_name("phrasings.yaml")
LANGUAGES = ("en", "ru", "es")


def phrasings_file(language: str) -> Path:
    """Return the set of phrasings in `language` (English: the dialogue's own)."""
    return PHRASINGS if language == "en" else PHRASINGS.with_name(f"phrasings.{language}.yaml")

Outcome = Literal["understood", "asked_then_understood", "wrong", "asked_without_it", "missed"]

# How the person answers the questions before the one being tried: any path that asks it.
ON_THE_WAY = {"use": "home", "work": "fit", "hours": "mid", "comfort": "none",
              "isolation": "some", "leak": "yes", "sound": "wide", "budget": "mid",
              "anc": "no", "wireless": "no", "mic": "no"}
ROUTE_TO = {"work": {"use": "studio"}}  # a question only some answers lead to


def phrasings(language: str = "en") -> list[tuple[str, str, str]]:
    """Return (question, option, phrasing) for every phrasing in the language's set."""
    data = yaml.safe_load(phrasings_file(language).read_text(encoding="utf-8"))
    return [(question, str(option), str(text))
            for question, options in data.items()
            for option, texts in options.items()
            for text in texts]


@dataclass
class Tally:
    """How the phrasings were taken, and the ones not taken as meant."""

    counts: Counter[Outcome] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Return how many phrasings were typed."""
        return sum(self.counts.values())

    def share(self, *outcomes: Outcome) -> float:
        """Return the fraction of phrasings that ended in one of `outcomes`."""
        return sum(self.counts[o] for o in outcomes) / max(self.total, 1)

    def summary(self) -> str:
        """Return the figures in one line."""
        parts = (f"{o} {self.counts[o]} ({self.share(o):.1%})" for o in (
            "understood", "asked_then_understood", "wrong", "asked_without_it", "missed"))
        return f"{self.total} phrasings: " + ", ".join(parts)


def current(bot: RunningBot, chat_id: int) -> str | None:
    """Return the question the chat's latest session stands at, as stored."""
    rows = bot.rows("SELECT current_question FROM sessions WHERE chat_id = ? "
                    "ORDER BY id DESC LIMIT 1", chat_id)
    return rows[0][0] if rows else None


async def reach(bot: RunningBot, user: FakeUser, question: str) -> None:
    """Start afresh and press the way to `question`."""
    await user.send("/start")
    choices = {**ON_THE_WAY, **ROUTE_TO.get(question, {})}
    view = bot.dialogue.speaking(user.language_code)
    while (at := current(bot, user.chat_id)) != question:
        assert at is not None, f"the route ended before {question!r}"
        option = view.questions[at].option(choices[at])
        assert option is not None
        await user.press(option.label, expect="editMessageText")


async def try_one(bot: RunningBot, user: FakeUser, question: str, option: str,
                  text: str) -> Outcome:
    """Type one phrasing at `question`; tap the intended option if asked; say how it went."""
    await user.send(text)
    outcome: Outcome = "understood"
    view = bot.dialogue.speaking(user.language_code)
    if user.last_text.startswith(view.texts.did_you_mean.partition("{")[0]):
        label = view.questions[question].option(option)
        if label is None or label.label not in user.last_buttons:
            return "asked_without_it"
        await user.press(label.label, expect="editMessageText")
        outcome = "asked_then_understood"
    stored = dict(bot.answers(user.chat_id)).get(question)
    if stored is None:
        return "missed"
    while current(bot, user.chat_id) != question:
        await user.send("/back")
    return outcome if stored == option else "wrong"


async def run_all(
    bot: RunningBot, user_for: dict[str, FakeUser], language: str = "en"
) -> Tally:
    """Type every phrasing of the language's set, each question in its own chat (whose
    person speaks `language`); return the tally."""
    tally = Tally()
    reached: set[str] = set()
    for question, option, text in phrasings(language):
        user = user_for[question]
        if question not in reached:
            await reach(bot, user, question)
            reached.add(question)
        outcome = await try_one(bot, user, question, option, text)
        tally.counts[outcome] += 1
        if outcome not in ("understood", "asked_then_understood"):
            tally.misses.append(f"{outcome}: {question}:{option} <- {text!r}")
    return tally
