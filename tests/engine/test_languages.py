"""The built-in texts and vocabularies of each language the engine speaks."""

from __future__ import annotations

import string
from dataclasses import fields

import pytest

from bot.engine.checks import SHORT_TEXTS
from bot.engine.default_texts import own_texts
from bot.engine.folding import STEMMERS
from bot.engine.model import Texts
from bot.engine.vocabulary import builtin

LANGUAGES = sorted(STEMMERS)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_words_every_text_with_the_same_placeholders(language: str) -> None:
    mine, english = own_texts(language), own_texts("en")
    keys = {field.name for field in fields(Texts)}
    assert set(mine) == keys, f"bot/engine/texts/{language}.yaml: add {keys - set(mine)}"
    for key in keys:
        assert placeholders(mine[key]) == placeholders(english[key]), key
        assert len(mine[key]) <= SHORT_TEXTS.get(key, 4096), key


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_a_vocabulary_for_typed_answers(language: str) -> None:
    words = builtin(language)
    assert words.language == language
    assert all(words.meanings[meaning] for meaning in ("yes", "no", "unsure"))
    assert {"currency", "hours"} <= set(words.units)
    assert words.negations
    assert words.fillers
    assert words.joiners
