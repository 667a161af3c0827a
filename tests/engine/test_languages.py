"""The built-in texts and vocabularies of each language the engine speaks."""

from __future__ import annotations

import string
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from bot.engine import numbers
from bot.engine.checks import SHORT_TEXTS
from bot.engine.default_texts import own_texts
from bot.engine.folding import STEMMERS, fold, stem, tokens
from bot.engine.model import Texts
from bot.engine.numbers import amounts, spelled_out
from bot.engine.vocabulary import builtin

TYPING = Path(__file__).parent.parent / "typing"

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


@pytest.mark.parametrize(("language", "typed", "amount"), [
    ("ru", "около двухсот долларов", (180.0, 220.0, "currency")),  # number-parser's Russian
    ("ru", "до 5 тысяч рублей", (55.5, 55.6, "currency")),  # thousands after digits, rubles
    ("ru", "минут 30", (0.5, 0.5, "hours")),  # the unit word may come first
    ("ru", "от 50 до 100 баксов", (50.0, 100.0, "currency")),
    ("es", "unos cincuenta euros", (49.5, 60.5, "currency")),  # "unos" is about, not 1
    ("es", "5 mil pesos", (275.0, 275.0, "currency")),
    ("es", "de 2 a 3 horas", (2.0, 3.0, "hours")),
])
def test_amounts_are_read_as_written_in_each_language(
    language: str, typed: str, amount: tuple[float, float, str]
) -> None:
    words = builtin(language)
    found = amounts(tokens(spelled_out(typed, words), language), words)
    low, high, unit = amount
    assert found[0].unit == unit
    assert found[0].low == pytest.approx(low, abs=0.1)
    assert found[0].high == pytest.approx(high, abs=0.1)


def test_words_a_number_reader_would_misread_are_left_alone() -> None:
    assert spelled_out("я живу один", builtin("ru")) == "я живу один"
    assert spelled_out("en mi cuarto", builtin("es")) == "en mi cuarto"
    assert spelled_out("двести рублей", builtin("ru")) == "200 рублей"


def test_russian_short_i_keeps_its_word_forms_together() -> None:
    assert stem(fold("большой"), "ru") == stem(fold("большая"), "ru")
    assert fold("Ёлка") == "елка"


def test_russian_numbers_read_the_same_whether_or_not_number_parser_is_asked_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # spelled_out asks number-parser only when a word is one of its number words (each call
    # rebuilds its tables); every phrasing of the Russian set must read exactly as if it had
    # been asked every time, numbers in words in any case form included.
    phrasings = yaml.safe_load((TYPING / "phrasings.ru.yaml").read_text(encoding="utf-8"))
    typed = [text for options in phrasings.values() for texts in options.values()
             for text in texts]
    typed += ["около трёх часов", "тысяча рублей", "пятьсот", "двадцать одна минута",
              "полтора часа", "сорок пять минут", "девяносто девять", "ноль"]
    words = builtin("ru")
    read = [spelled_out(text, words) for text in typed]
    asked = sum(numbers._may_have_numbers(text, "ru") for text in typed)
    monkeypatch.setattr(numbers, "_may_have_numbers", lambda text, language: True)
    assert [spelled_out(text, words) for text in typed] == read
    assert sum(any(c.isdigit() for c in r) for r in read) >= 8  # numbers in words were read
    assert asked < len(typed) / 2  # and the check does skip most texts
