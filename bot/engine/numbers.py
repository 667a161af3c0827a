"""Amounts in typed text: "about 100 dollars", "$200", "under 30", "2-3 hours", "half an hour".

Numbers written in words become digits through text2num (`alpha2digit`) for the languages it
knows (English and Spanish among them), and through number-parser for Russian, which text2num
does not read ("двести рублей", "около трёх часов": it knows the case forms). Small numbers
stay words in text2num's output ("two"), so a word right before a unit word is read with its
`text2num` as well. Words the vocabulary marks `literal` are hidden from both readers, which
would take Spanish "unos 50" for "1 50" and Russian "живу один" (alone) for "живу 1"; so is a
word for thousands right after digits ("5 тысяч"), read here instead. Units (with the rate of
each currency to the dialogue's), and the words that make an amount a ceiling, a floor or a
guess, come from the vocabulary.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import import_module

from number_parser import parse as parse_numbers
from number_parser import parse_number
from text_to_num import alpha2digit, text2num

from bot.engine.folding import Token
from bot.engine.vocabulary import Vocabulary

NUDGE = 1e-6
"""How far "under 50" lies below 50 and "over 50" above it."""

GUESS = 0.1
"""How far either way "about" stretches an amount (a tenth of it)."""

_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")


@dataclass(frozen=True)
class Amount:
    """An amount found in text: the values it means, [low, high), in `unit` (None: no unit)."""

    low: float
    high: float
    unit: str | None
    start: int
    end: int
    """The tokens it was read from: tokens[start:end]."""

    def overlaps(self, low: float, high: float) -> bool:
        """Tell whether any value meant lies in [low, high)."""
        if self.low == self.high:
            return low <= self.low < high
        return self.low < high and self.high > low


_HIDDEN = 0xE000  # private-use characters stand in for hidden words; both readers keep them
_HIDDEN_CHARS = re.compile("[\ue000-\uf8ff]")
NUMBER_PARSER = frozenset({"ru"})
"""Languages whose numbers in words number-parser reads (text2num does not know them)."""


def spelled_out(text: str, words: Vocabulary) -> str:
    """Return `text` with numbers written in words turned into digits, where a reader can."""
    language = words.language
    if language not in NUMBER_PARSER and not _knows(language):
        return text
    kept: list[str] = []

    def hide(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return chr(_HIDDEN + len(kept) - 1)

    hidden = _HIDDEN_CHARS.sub(" ", text)
    if (pattern := _kept(words.literal, words.thousand)) is not None:
        hidden = pattern.sub(hide, hidden)
    if language in NUMBER_PARSER:
        read = (str(parse_numbers(hidden, language=language))
                if _may_have_numbers(hidden, language) else hidden)
    else:
        read = str(alpha2digit(hidden, language))
    return _HIDDEN_CHARS.sub(lambda found: kept[ord(found.group(0)) - _HIDDEN], read)


NUMBER_TABLES = ("UNIT_NUMBERS", "DIRECT_NUMBERS", "TENS", "HUNDREDS", "BIG_POWERS_OF_TEN")
"""The tables of number words in number-parser's data module of a language (`info`)."""


def _may_have_numbers(text: str, language: str) -> bool:
    """Tell whether number-parser could find a number in `text`: a word of it is one of the
    language's number words. number-parser rebuilds its tables on every call (about 0.7 ms),
    which made checking the Russian translation take a third of a second; most texts have
    no number in words at all."""
    words = _number_words(language)
    return any(_plain(word) in words for word in re.findall(r"\w+", text))


@cache
def _number_words(language: str) -> frozenset[str]:
    """Return a language's number words as number-parser compares them."""
    info = import_module(f"number_parser.data.{language}").info
    return frozenset(_plain(word) for table in NUMBER_TABLES for word in info[table])


def _plain(word: str) -> str:
    """Return `word` lower-cased without accents, as number-parser compares words."""
    return "".join(char for char in unicodedata.normalize("NFD", word.lower())
                   if unicodedata.category(char) != "Mn")


@cache
def _kept(literal: frozenset[str], thousand: frozenset[str]) -> re.Pattern[str] | None:
    """Return what the readers must not see: literal words, and thousands after digits."""
    parts = [rf"\b(?:{'|'.join(map(re.escape, sorted(literal)))})\b"] if literal else []
    if thousand:
        parts.append(rf"(?<=\d)\s?(?:{'|'.join(map(re.escape, sorted(thousand)))})\b")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


@cache
def _knows(language: str) -> bool:
    try:
        alpha2digit("", language)
    except ValueError:
        return False
    return True


def amounts(tokens: tuple[Token, ...], words: Vocabulary) -> list[Amount]:
    """Return every amount in `tokens`, with its unit when a unit word stands by it."""
    found: list[Amount] = []
    i = 0
    while i < len(tokens):
        read = _amount(tokens, i, words, found[-1].end if found else 0)
        if read is None:
            i += 1
            continue
        found.append(read)
        i = read.end
    return found


def _amount(tokens: tuple[Token, ...], i: int, words: Vocabulary, free: int) -> Amount | None:
    """Read the amount starting at token i; tokens before `free` belong to another one."""
    first = _value(tokens, i, words)
    if first is None:
        return None
    value, j = first
    plus = j < len(tokens) and tokens[j].text == "+"  # "3+ hours": the + before the unit
    unit, factor, j, start = _unit(tokens, i, j + plus, words, free)
    if plus:
        value += NUDGE / factor
    low = high = value * factor
    second = _range_end(tokens, j, words)
    if second is not None:
        end_value, j, end_unit, end_factor = second
        unit = unit or end_unit
        high = end_value * (factor if end_unit is None else end_factor)
        low *= end_factor if unit == end_unit and factor == 1 else 1
        return Amount(min(low, high), max(low, high), unit, start, j)
    start, j, low, high = _qualified(tokens, start, j, low, words)
    return Amount(low, high, unit, start, j)


def _value(tokens: tuple[Token, ...], i: int, words: Vocabulary) -> tuple[float, int] | None:
    """Return the number starting at token i and the index after it, else None."""
    text = tokens[i].text
    after = tokens[i + 1].text if i + 1 < len(tokens) else ""
    if _DIGITS.fullmatch(text):
        number = _number(text)
        thousands = after in words.thousand  # "1.5k", "5 тысяч"
        return None if number is None else (number * 1000**thousands, i + 1 + thousands)
    if (not _is_unit(after, words) and after not in words.one
            and not _ranging(tokens, i, words)):
        return None
    if text in words.half:
        return 0.5, i + 1 + (after in words.one)
    if text in words.one:
        return 1.0, i + 1
    spelled = _spelled(text, words.language)
    return None if spelled is None else (spelled, i + 1)


def _ranging(tokens: tuple[Token, ...], i: int, words: Vocabulary) -> bool:
    """Tell whether a word at i starts a span to a number ("one to 3 hours")."""
    return (i + 2 < len(tokens) and tokens[i + 1].text in words.joiners
            and _DIGITS.fullmatch(tokens[i + 2].text) is not None)


def _number(text: str) -> float | None:
    """Return "1,000" as 1000 and "1.5" or "1,5" as 1.5; None for what is no number ("1.2.3")."""
    if _THOUSANDS.fullmatch(text):
        return float(text.replace(",", ""))
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def _spelled(word: str, language: str) -> float | None:
    if language in NUMBER_PARSER:
        found = parse_number(word, language=language)
        return None if found is None else float(found)
    if not _knows(language):
        return None
    try:
        return float(text2num(word, language))
    except ValueError:
        return None


def _is_unit(word: str, words: Vocabulary) -> bool:
    return any(word in table for table in words.units.values())


def _unit(
    tokens: tuple[Token, ...], i: int, j: int, words: Vocabulary, free: int
) -> tuple[str | None, float, int, int]:
    """Return (unit, factor, end, start): a unit word after the number, or a symbol before
    (a word too, in languages that put it first: Russian "минут 30")."""
    if j < len(tokens):
        for unit, table in words.units.items():
            if tokens[j].text in table:
                return unit, table[tokens[j].text], j + 1, i
    if i > free:
        before = tokens[i - 1].text
        for unit, table in words.units.items():
            if before in table and (words.unit_first or not before.isalpha()):
                return unit, table[before], j, i - 1
    return None, 1.0, j, i


def _range_end(
    tokens: tuple[Token, ...], j: int, words: Vocabulary
) -> tuple[float, int, str | None, float] | None:
    """Return the end of "50-100", "50 to 100", "2 or 3 hours": value, index, unit, factor."""
    k = j + 1 if j < len(tokens) and tokens[j].text in words.joiners else j
    if k < len(tokens) and tokens[k].text in words.units.get("currency", {}):
        k += 1  # "$50 to $100"
    if k >= len(tokens) or not _DIGITS.fullmatch(tokens[k].text):
        return None
    read = _value(tokens, k, words)
    if read is None:
        return None
    value, end = read
    unit, factor, end, _ = _unit(tokens, k, end, words, k)
    return value, end, unit, factor


def _qualified(
    tokens: tuple[Token, ...], start: int, end: int, value: float, words: Vocabulary
) -> tuple[int, int, float, float]:
    """Apply "under", "over", "about" (before) and "+", "ish", "or more" (after)."""
    texts = [token.text for token in tokens]
    for phrases, low, high in (
        (words.below, value - NUDGE, value - NUDGE),
        (words.above, value + NUDGE, value + NUDGE),
        (words.about, value * (1 - GUESS), value * (1 + GUESS)),
    ):
        for phrase in phrases:
            size = len(phrase.split())
            if texts[max(start - size, 0) : start] == phrase.split():
                return start - size, end, low, high
            if texts[end : end + size] == phrase.split() and phrase in ("+", "ish", "or so"):
                return start, end + size, low, high
    if texts[end : end + 2] == ["or", "more"]:
        return start, end + 2, value + NUDGE, value + NUDGE
    if texts[end : end + 2] in (["or", "less"], ["max"]):
        return start, end + 2, value - NUDGE, value - NUDGE
    return start, end, value, value
