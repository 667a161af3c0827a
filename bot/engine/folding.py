"""Typed text folded for matching: tokens without case, accents or punctuation, and word forms.

Word forms are folded by the Snowball stemmer of the dialogue's language (`snowballstemmer`):
it covers English, Russian and Spanish alike, needs no dictionary files and, unlike a
lemmatizer such as simplemma, also reduces words it has never seen (slang, typos, brand-new
words), which is what matching needs: "trains", "training" and "train" fold to one stem; the
stem itself is never shown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import snowballstemmer

STEMMERS = {"en": "english", "ru": "russian", "es": "spanish"}
"""The languages typed answers are understood in, and their Snowball algorithm."""

_APOSTROPHES = dict.fromkeys(map(ord, "'\u2019\u02bc`\u00b4"), None)
_SYMBOLS = frozenset("$€£¥₽+~<>")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|\S", re.UNICODE)
# Skin tones, joiners and variation selectors change how an emoji looks, not what it says;
# terminal colour codes (pasted by accident) say nothing either.
_EMOJI_DETAIL = re.compile("[\u200d\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]|\x1b\\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class Token:
    """One word, number or meaningful symbol of a text: as folded, and its stem."""

    text: str
    stem: str

    @property
    def is_number(self) -> bool:
        """Tell whether the token is written in digits."""
        return self.text[0].isdigit()


def fold(text: str) -> str:
    """Return `text` without case, accents, apostrophes or punctuation (emoji and $ € £ kept).

    Russian й is a letter of its own, not и with an accent (the Russian stemmer needs it:
    "большой" and "большая" share a stem only with it); ё loses its dots, as Russians often
    type it without them.
    """
    decomposed = unicodedata.normalize("NFKD", _EMOJI_DETAIL.sub("", text))
    decomposed = decomposed.replace("и\u0306", "й").replace("И\u0306", "Й")
    kept = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        if char.isalnum() or char in _SYMBOLS or char in ".," or _is_emoji(char):
            kept.append(char)
        elif ord(char) not in _APOSTROPHES:
            kept.append(" ")
    return " ".join("".join(kept).casefold().split())


def tokens(text: str, language: str) -> tuple[Token, ...]:
    """Return the words, numbers and symbols of `text`, folded, each with its stem."""
    found = _TOKEN.findall(fold(text))
    return tuple(Token(part, stem(part, language)) for part in found if part not in ".,")


def stem(word: str, language: str) -> str:
    """Return the stem of one folded word (numbers and symbols are their own stem)."""
    if not word[0].isalpha():
        return word
    return _stem(word, language)


@lru_cache(maxsize=65_536)
def _stem(word: str, language: str) -> str:
    return str(_stemmer(language).stemWord(word))


@cache
def _stemmer(language: str) -> Any:
    algorithm = STEMMERS.get(language)
    if algorithm is None:
        raise ValueError(f"no stemmer for language {language!r}; known: {', '.join(STEMMERS)}")
    return snowballstemmer.stemmer(algorithm)


def _is_emoji(char: str) -> bool:
    return unicodedata.category(char) == "So"
