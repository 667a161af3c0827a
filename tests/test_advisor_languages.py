"""The Advisor's languages: which one a chat gets, and choosing one, without PTB."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.advisor import LANGUAGE, Advisor
from bot.engine.loader import load_dialogue
from bot.storage.memory import MemoryStore

TINY = Path(__file__).parent / "data" / "translated" / "tiny.yaml"


@pytest.fixture
def advisor() -> Advisor:
    return Advisor(load_dialogue(TINY), MemoryStore())


async def test_the_persons_language_else_the_dialogues(advisor: Advisor) -> None:
    assert (await advisor.start(1, language="ru-RU")).reply.text.startswith("Привет!")
    assert (await advisor.start(2, language="fr")).reply.text.startswith("Hello there!")
    assert (await advisor.start(3)).reply.text.startswith("Hello there!")


async def test_a_chosen_language_wins_over_the_persons(advisor: Advisor) -> None:
    menu = await advisor.language_menu(1, "es")
    assert menu.text == "¿En qué idioma te hablo?"
    assert [row[0].label for row in menu.buttons] == ["English", "Español", "Русский"]
    chosen = await advisor.press(1, None, f"{LANGUAGE}ru", language="es")
    assert (chosen.kind, chosen.reply.text) == ("language", "Готово: теперь говорю по-русски.")
    assert chosen.marked == "На каком языке мне говорить?\n\n✅ Русский"
    turn = await advisor.start(1, language="es")
    assert turn.reply.text.startswith("Привет!")
    assert turn.session is not None
    assert turn.session.language == "ru"


async def test_switching_mid_dialogue_shows_the_open_question_again(advisor: Advisor) -> None:
    started = await advisor.start(1, language="en")
    switched = await advisor.press(1, started.session_id, f"{LANGUAGE}es", language="en")
    assert switched.kind == "question"
    assert "¿Dónde vas a escuchar más?" in switched.reply.text
    assert [b.data for row in switched.reply.buttons for b in row] == [
        "where:home", "where:commute"]


async def test_a_language_the_dialogue_lacks_is_only_a_notice(advisor: Advisor) -> None:
    turn = await advisor.press(1, None, f"{LANGUAGE}fr", language="en")
    assert turn.kind == "stale"
    assert await advisor.speaking(1) is advisor.dialogue
