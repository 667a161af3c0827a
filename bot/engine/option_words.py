"""What each option of a question answers to when typed, and a typed message read once.

Names are an option's label, the parts of its label between commas, colons and brackets (people
type "3+ hours", not "3+ hours, most days"), its synonyms, its id and, with `means`, the
shared vocabulary's words for yes, no or not sure. Each is folded as typed text is
(`folding`): stems, without case or accents. Built once per question and dialogue.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import cast

from bot.engine.folding import Token, fold, tokens
from bot.engine.model import Dialogue, Option, Question
from bot.engine.numbers import Amount, amounts, spelled_out
from bot.engine.vocabulary import Vocabulary

_PARTS = re.compile(r"[,:;()/]")

TYPO_MIN_LENGTH = 4
"""Shorter words are never taken for misspellings: too many words are one letter apart."""

MIN_WORD = 3
"""Label words (and parts of labels) shorter than this say too little to decide alone."""

MESSAGE_LIMIT = 1000
"""Characters of a message read; an answer is never longer (Telegram allows 4096)."""


@dataclass(frozen=True)
class Typed:
    """A typed message, read once for every question it may answer."""

    tokens: tuple[Token, ...]
    stems: tuple[str, ...]
    amounts: tuple[Amount, ...]


@dataclass(frozen=True)
class Name:
    """One thing an option answers to, folded: its stems, and those that may decide."""

    option: int
    stems: tuple[str, ...]
    content: tuple[str, ...]
    shared: bool  # the option's id or a vocabulary word: answers here, never fills elsewhere


def read(dialogue: Dialogue, text: str) -> Typed:
    """Read a typed message: its tokens, their stems and the amounts in it."""
    language = dialogue.language
    found = tokens(spelled_out(text[:MESSAGE_LIMIT], dialogue.words), language)
    return Typed(found, tuple(t.stem for t in found), tuple(amounts(found, dialogue.words)))


class QuestionWords:
    """What each option of one question answers to when typed, ready to look up."""

    def __init__(self, dialogue: Dialogue, question: Question) -> None:
        self.question = question
        self.words = dialogue.words
        self.ignored = _ignored(dialogue.words, question.unit is not None)
        self.names: dict[str, list[Name]] = defaultdict(list)
        self.exact: dict[tuple[str, ...], set[int]] = defaultdict(set)
        self.exact_content: dict[tuple[str, ...], set[int]] = defaultdict(set)
        self.label_words: dict[str, set[int]] = defaultdict(set)
        self.spellings: dict[str, set[int]] = defaultdict(set)
        for number, option in enumerate(question.options):
            self._add(number, option, dialogue)
        self.known = _known(dialogue)
        self.ranges = [(o.range, n) for n, o in enumerate(question.options) if o.range]

    def _add(self, number: int, option: Option, dialogue: Dialogue) -> None:
        own = (option.label, *label_parts(option.label, dialogue), *option.synonyms)
        meant = dialogue.words.meanings.get(option.means or "", ())
        shared = (option.id.replace("_", " "), *meant)
        everyday = {word for words in dialogue.words.meanings.values() for word in words}
        for text, is_shared in [*((t, fold(t) in everyday) for t in own),
                                *((t, True) for t in shared)]:
            found = tokens(text, dialogue.language)
            stems = tuple(t.stem for t in found)
            if not stems:
                continue
            content = tuple(t.stem for t in found if self.counts(t))
            name = Name(number, stems, content, is_shared)
            self.names[stems[0]].append(name)
            self.exact[stems].add(number)
            spoken = self._spoken(found)
            if content:  # not a name of small words and units alone ("for hours")
                self.exact_content[spoken].add(number)
            self.spellings.update({t.text: self.spellings[t.text] | {number}
                                   for t in found if self.counts(t) and t.text.isalpha()
                                   and len(t.text) >= TYPO_MIN_LENGTH and not is_shared})
        for token in tokens(option.label, dialogue.language):
            if (self.counts(token) and token.text not in self.words.negations
                    and len(token.text) >= MIN_WORD):
                self.label_words[token.stem].add(number)

    def _spoken(self, found: tuple[Token, ...]) -> tuple[str, ...]:
        """Return a name's stems without its small words ("money is no object" is "money no
        object"), unless that leaves less than half of it ("hard to say" is not "hard"):
        then only leading small words go ("At the office" is "office")."""
        kept = tuple(t.stem for t in found if t.text not in self.words.fillers)
        if 2 * len(kept) >= len(found):
            return kept
        lead = next((n for n, t in enumerate(found) if t.text not in self.words.fillers), 0)
        return tuple(t.stem for t in found[lead:])

    def counts(self, token: Token) -> bool:
        """Tell whether a token may decide anything here: not a small word, a unit, a sign."""
        return (
            token.text not in self.ignored
            and not (self.question.unit is not None and token.is_number)
            and (token.text.isalnum() or unicodedata.category(token.text[0]) == "So")
        )


def label_parts(label: str, dialogue: Dialogue) -> list[str]:
    """Return the parts of a label between commas, colons and brackets: people type those.

    ("3+ hours, most days" -> "3+ hours", "most days"; "Tight (under $50)" -> "Tight", ...)
    Only parts with a word of MIN_WORD letters or more say enough alone.
    """
    parts = [part.strip() for part in _PARTS.split(label)]
    if len(parts) < 2:
        return []
    return [part for part in parts if part != label and _telling(part, dialogue)]


def _telling(part: str, dialogue: Dialogue) -> bool:
    """Tell whether a part of a label says enough alone: a word of MIN_WORD letters or more."""
    found = tokens(part, dialogue.language)
    return any(len(t.text) >= MIN_WORD and t.text not in dialogue.words.fillers for t in found)


def _known(dialogue: Dialogue) -> frozenset[str]:
    """Return every word the dialogue and its vocabulary use: never taken for a typo."""
    found = cast(frozenset[str] | None, dialogue.memo.get("known"))
    if found is None:
        words = dialogue.words
        texts = [name for q in dialogue.questions.values() for o in q.options
                 for name in (o.label, *o.synonyms)]
        texts += [w for meaning in words.meanings.values() for w in meaning]
        found = frozenset(t.text for text in texts for t in tokens(text, dialogue.language))
        found |= words.fillers | words.negations
        dialogue.memo["known"] = found
    return found


def _ignored(words: Vocabulary, with_unit: bool) -> frozenset[str]:
    if not with_unit:
        return words.fillers
    units = {word for table in words.units.values() for word in table}
    qualifiers = {p for p in (*words.below, *words.above, *words.about) if " " not in p}
    return words.fillers | units | qualifiers


def words_of(dialogue: Dialogue, question: Question) -> QuestionWords:
    """Return the question's lookup tables, built once per dialogue."""
    cache = cast(dict[str, QuestionWords], dialogue.memo.setdefault("words", {}))
    found = cache.get(question.id)
    if found is None or found.question is not question:
        found = cache[question.id] = QuestionWords(dialogue, question)
    return found


