"""Languages through the real bot and the fake Bot API: Telegram's language_code, /language,
the command menus and descriptions registered per language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import DEFAULT_DIALOGUE
from bot.engine.loader import load_dialogue
from bot.engine.model import Dialogue
from testing.fakebot.server import FakeBotApi
from testing.fakebot.user import FakeUser
from tests.reliability.harness import running_bot

LATIN_WORDS_ALLOWED = {  # names and standards that stay Latin in any language
    "anc", "iem", "iems", "ipx4", "mmcx", "pin", "tws", "bluetooth", "ba", "id", "us", "dj",
    "beamforming", "in", "ear", "true", "wireless", "start", "back", "result", "help", "hi",
    "end", "fi", "on",
}


@pytest.fixture(scope="module")
def dialogue() -> Dialogue:
    return load_dialogue(DEFAULT_DIALOGUE)


def foreign_words(text: str) -> list[str]:
    """Return the Latin-script words of `text` that are not names every language keeps."""
    return [word for word in re.findall(r"[A-Za-z][A-Za-z0-9]*", text)
            if word.lower() not in LATIN_WORDS_ALLOWED]


async def walk_to_the_result(user: FakeUser, view: Dialogue) -> list[str]:
    """Start, press the first button of every question until the result; return every text
    and button label the person saw, the result's buttons included."""
    await user.send("/start")
    seen = []
    while view.texts.progress.partition("{")[0] in user.last_text:
        seen += [user.last_text, *user.last_buttons]
        if view.texts.button_done in user.last_buttons:  # a multiple question: check, "Done"
            await user.press(user.last_buttons[0], expect="editMessageReplyMarkup")
            seen += user.last_buttons  # the check mark, in the language
            await user.press(view.texts.button_done, expect="editMessageText")
            continue
        await user.press(user.last_buttons[0], expect="editMessageText")
    return [*seen, *user.texts, *user.last_buttons]


@pytest.mark.parametrize("person", [
    ("ru", "ru", r"[а-яё]"), ("es-MX", "es", r"[a-zñáéíóú¿¡]")], ids=["ru", "es-MX"])
async def test_a_whole_dialogue_comes_in_the_persons_language(
    fake_api: FakeBotApi, tmp_path: Path, dialogue: Dialogue, person: tuple[str, str, str],
) -> None:
    code, language, script = person  # Telegram's language_code, what it means, its letters
    user = fake_api.user(chat_id=7001, language_code=code)
    view = dialogue.speaking(language)
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        seen = await walk_to_the_result(user, view)
        assert bot.rows("SELECT language, status FROM sessions") == [(language, "finished")]
    assert seen[0].startswith(view.texts.welcome)
    assert user.last_text.startswith(view.texts.result_heading.partition("{")[0])
    english = {dialogue.texts.welcome, *(q.text for q in dialogue.questions.values())}
    for text in seen:
        assert re.search(script, text.lower()), text
        assert not any(sentence in text for sentence in english), text
        if language == "ru":
            assert foreign_words(text) == [], text


async def test_a_language_the_dialogue_lacks_gets_its_own(
    fake_api: FakeBotApi, tmp_path: Path, dialogue: Dialogue
) -> None:
    user = fake_api.user(chat_id=7002, language_code="fr")
    async with running_bot(fake_api, tmp_path / "bot.db"):
        await user.send("/start")
        assert user.last_text.startswith(dialogue.texts.welcome)


async def test_language_switches_mid_dialogue_keeping_answers_and_survives_a_restart(
    fake_api: FakeBotApi, tmp_path: Path, dialogue: Dialogue
) -> None:
    db = tmp_path / "bot.db"
    user = fake_api.user(chat_id=7003, language_code="en")
    ru = dialogue.speaking("ru")
    async with running_bot(fake_api, db) as bot:
        await user.send("/start")
        await user.press("Commute & travel", expect="editMessageText")
        await user.send("/language")
        assert user.last_text == dialogue.texts.language_prompt
        assert user.last_buttons == ["English", "Español", "Русский"]
        await user.press("Русский", expect="editMessageText")
        shown = user.last_text  # the language menu, made into the question (compact replies)
        assert shown.startswith(f"{ru.texts.language_prompt}\n\n✅ Русский\n\n")
        assert ru.texts.language_chosen in shown
        assert ru.questions["hours"].text in shown
        assert user.last_buttons == [
            *(o.label for o in ru.questions["hours"].options), ru.texts.button_back]
        assert bot.answers(7003) == [("use", "commute")]
        await user.press("1–3 часа", expect="editMessageText")
        assert bot.answers(7003) == [("use", "commute"), ("hours", "mid")]

    async with running_bot(fake_api, db) as bot:
        await user.send("/help")  # the person's Telegram still says en
        assert user.last_text == ru.texts.help
        await user.send("/start")
        assert user.last_text.startswith(ru.texts.welcome)
        assert bot.rows("SELECT language FROM chats WHERE chat_id = 7003") == [("ru",)]


async def test_commands_and_descriptions_are_registered_once_per_language(
    fake_api: FakeBotApi, tmp_path: Path, dialogue: Dialogue
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db"):
        pass
    calls = [c for c in fake_api.calls if c.method == "setMyCommands"]
    assert sorted(c.params.get("language_code", "") for c in calls) == ["", "en", "es", "ru"]
    for language in ("en", "es", "ru"):
        texts = dialogue.speaking(language).texts
        menu = fake_api.commands(language)
        assert [c["command"] for c in menu][:2] == ["start", "back"]
        assert [c["description"] for c in menu] == [
            getattr(texts, f"command_{c['command']}") for c in menu]
        assert fake_api.description(language) == texts.description
        assert fake_api.description(language, short=True) == texts.short_description
    assert fake_api.commands() == fake_api.commands("en")
    assert fake_api.description() == dialogue.texts.description
