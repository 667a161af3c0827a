"""Understand a typed answer to one question: its words, their forms, typos, amounts, yes/no.

How a question is answered, strongest evidence first:

1. the whole message is an option's label, synonym or id, or a word the vocabulary gives its
   `means` (word forms, case, accents and small words aside): that option;
2. the whole message is a bare number: the option at that position and the option whose
   `range` holds it, when they are the same or only one exists; asked back when they differ;
3. otherwise every piece of evidence is weighed: a label, synonym or vocabulary phrase found
   as whole words inside the message (1 point; a longer phrase hides the shorter ones it
   contains, so "not sure" is not "sure"), an amount in the question's unit (2 points, split
   when it spans options), a word of only one option's label (half a point), a close
   misspelling of a name's word (typo: 0.4, and never decides alone). A negation just before
   a phrase ("no mic", "don't want wireless") turns an option meaning yes into the one meaning
   no, and any other into no evidence at all.

The best option is taken when it has at least twice the points of the next and a point more;
two or three options about as strong, or a typo alone, are asked back ("Did you mean ...?");
anything else is not understood. Small words (the vocabulary's fillers) never decide.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal, cast

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.engine.folding import Token, fold, tokens
from bot.engine.model import Dialogue, Option, Question
from bot.engine.numbers import Amount, amounts, spelled_out
from bot.engine.vocabulary import Vocabulary

_PARTS = re.compile(r"[,:;()/]")

ASK_AT_MOST = 3
"""The most options a "Did you mean ...?" offers; more alike than that is not understood."""

NEGATION_REACH = 3
"""How many words before a phrase a negation still turns it around ("don't really need a mic")."""

TYPO_MIN_LENGTH = 4
"""Shorter words are never taken for misspellings: too many words are one letter apart."""

MIN_WORD = 3
"""Label words (and parts of labels) shorter than this say too little to decide alone."""

POSITION_DIGITS = 3
"""A bare number with more digits is never an option's position."""

Weight = float
Kind = Literal["match", "ask", "none"]


@dataclass(frozen=True)
class Typed:
    """A typed message, read once for every question it may answer."""

    tokens: tuple[Token, ...]
    stems: tuple[str, ...]
    amounts: tuple[Amount, ...]


@dataclass(frozen=True)
class Verdict:
    """What a message says about one question: an option, a few to ask about, or nothing."""

    kind: Kind
    options: tuple[Option, ...] = ()
    used: frozenset[int] = frozenset()
    """The tokens that decided, which no other question may use."""


@dataclass(frozen=True)
class _Name:
    option: int
    stems: tuple[str, ...]
    content: tuple[str, ...]
    shared: bool  # the option's id or a vocabulary word: answers here, never fills elsewhere


@dataclass(frozen=True)
class _Evidence:
    option: int
    start: int
    end: int
    weight: Weight
    kind: Literal["phrase", "number", "bare", "word", "typo"]  # bare: a number, no unit
    shared: bool = False

    @property
    def span(self) -> range:
        return range(self.start, self.end)


def read(dialogue: Dialogue, text: str) -> Typed:
    """Read a typed message: its tokens, their stems and the amounts in it."""
    language = dialogue.language
    found = tokens(spelled_out(text[:1000], language), language)
    return Typed(found, tuple(t.stem for t in found), tuple(amounts(found, dialogue.words)))


class QuestionWords:
    """What each option of one question answers to when typed, ready to look up."""

    def __init__(self, dialogue: Dialogue, question: Question) -> None:
        self.question = question
        self.words = dialogue.words
        self.ignored = _ignored(dialogue.words, question.unit is not None)
        self.names: dict[str, list[_Name]] = defaultdict(list)
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
            name = _Name(number, stems, content, is_shared)
            self.names[stems[0]].append(name)
            self.exact[stems].add(number)
            spoken = tuple(t.stem for t in found if t.text not in self.words.fillers)
            if content:  # "for hours" alone must not make every "... hour" this option
                self.exact_content[spoken].add(number)
            self.spellings.update({t.text: self.spellings[t.text] | {number}
                                   for t in found if self.counts(t) and t.text.isalpha()
                                   and len(t.text) >= TYPO_MIN_LENGTH and not is_shared})
        for token in tokens(option.label, dialogue.language):
            if (self.counts(token) and token.text not in self.words.negations
                    and len(token.text) >= MIN_WORD):
                self.label_words[token.stem].add(number)

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


def understand(dialogue: Dialogue, question: Question, typed: Typed) -> Verdict:
    """Return what `typed` answers to `question` (see the module's docstring for how)."""
    table = words_of(dialogue, question)
    everything = frozenset(range(len(typed.tokens)))
    if not typed.tokens:
        return Verdict("none")
    spoken = tuple(t.stem for t in typed.tokens if t.text not in table.words.fillers)
    for exact in (table.exact.get(typed.stems), table.exact_content.get(spoken)):
        if exact:
            return _verdict(question, sorted(exact), "match" if len(exact) == 1 else "ask",
                            everything)
    bare = _bare_number(table, typed)
    if bare is not None:
        return bare
    found = _evidence(table, typed)
    explained = {i for e in found for i in e.span}
    unexplained = sum(1 for i, t in enumerate(typed.tokens)
                      if i not in explained and table.counts(t) and t.text.isalpha())
    return _weigh(question, found, everything, unexplained)


def clear_match(
    dialogue: Dialogue, question: Question, typed: Typed, taken: set[int]
) -> Verdict | None:
    """Return the one option `typed` clearly names for a question not asked yet, else None.

    Clear: a label or synonym of its own (no vocabulary word, no typo, no lone label word, not
    only vague words such as "a lot") or an amount in the question's unit, not negated, on
    tokens no other answer took, and nothing in the message for any other option.
    """
    table = words_of(dialogue, question)
    evidence = [e for e in _evidence(table, typed, typos=False)
                if not set(e.span) & taken and e.kind != "word" and not e.shared]
    if any(e.kind == "phrase" and not _specific(table, typed, e) for e in evidence):
        return None
    if any(e.kind == "bare" for e in evidence):
        return None
    options = {e.option for e in evidence}
    if len(options) != 1 or any(e.weight < 1 for e in evidence):
        return None
    used = frozenset(i for e in evidence for i in e.span)
    return Verdict("match", (question.options[options.pop()],), used)


def _specific(table: QuestionWords, typed: Typed, evidence: _Evidence) -> bool:
    """Tell whether a phrase says more than a vague word ("a lot", "long") out of context."""
    return any(table.counts(typed.tokens[i]) and typed.tokens[i].text not in table.words.vague
               for i in evidence.span)


def _bare_number(table: QuestionWords, typed: Typed) -> Verdict | None:
    """Read a message that is one number alone: a position, a value, or both."""
    spoken = [t for t in typed.tokens if t.text not in table.words.fillers]
    if len(spoken) != 1 or not spoken[0].text.isdecimal():
        return None
    text = spoken[0].text
    options = table.question.options
    by_position = None
    if len(text) <= POSITION_DIGITS and 1 <= int(text) <= len(options):
        by_position = int(text) - 1
    by_value = [n for (low, high), n in table.ranges if low <= float(text) < high]
    found = sorted({*([by_position] if by_position is not None else []), *by_value})
    everything = frozenset(range(len(typed.tokens)))
    if not found:
        return Verdict("none") if not table.ranges else None
    return _verdict(table.question, found, "match" if len(found) == 1 else "ask", everything)


def _evidence(table: QuestionWords, typed: Typed, *, typos: bool = True) -> list[_Evidence]:
    found = _longest(_phrases(table, typed)) + _numbers(table, typed)
    found = _negated(table, typed, found)
    covered = {i for e in found for i in e.span}
    found += _label_words(table, typed, covered)
    if typos:
        covered |= {i for e in found for i in e.span}
        found += _typos(table, typed, covered)
    return found


def _phrases(table: QuestionWords, typed: Typed) -> list[_Evidence]:
    stems = typed.stems
    found = []
    for start, first in enumerate(stems):
        for name in table.names.get(first, ()):
            end = start + len(name.stems)
            if name.content and stems[start:end] == name.stems and not (
                _negates_next(table, typed, start, end)
            ):
                found.append(_Evidence(name.option, start, end, 1.0, "phrase", name.shared))
    return found


def _negates_next(table: QuestionWords, typed: Typed, start: int, end: int) -> bool:
    """Tell a "no" that negates the next word ("no bleed") from a "no" that answers."""
    following = typed.tokens[end] if end < len(typed.tokens) else None
    return (
        end - start == 1
        and typed.tokens[start].text in table.words.negations
        and following is not None
        and following.text not in table.words.fillers
    )


def _longest(found: list[_Evidence]) -> list[_Evidence]:
    """Drop phrases inside a longer phrase of another option ("sure" inside "not sure")."""
    kept, seen = [], set()
    for evidence in found:
        inside = any(
            other.option != evidence.option
            and other.start <= evidence.start and evidence.end <= other.end
            and other.end - other.start > evidence.end - evidence.start
            for other in found
        )
        key = (evidence.option, evidence.start, evidence.end)
        if not inside and key not in seen:
            seen.add(key)
            kept.append(evidence)
    return kept


def _numbers(table: QuestionWords, typed: Typed) -> list[_Evidence]:
    unit = table.question.unit
    if unit is None:
        return []
    found = []
    for amount in typed.amounts:
        if amount.unit not in (None, unit):
            continue
        hits = [n for (low, high), n in table.ranges if amount.overlaps(low, high)]
        weight = 2.0 if len(hits) == 1 else 1.0
        kind: Literal["number", "bare"] = "bare" if amount.unit is None else "number"
        found += [_Evidence(n, amount.start, amount.end, weight, kind) for n in hits]
    return found


def _negated(table: QuestionWords, typed: Typed, found: list[_Evidence]) -> list[_Evidence]:
    """Turn negated evidence around: for the option meaning no, or into nothing."""
    options = table.question.options
    # A negation inside a phrase is that phrase's ("not sure"), unless the phrase says no
    # itself ("I don't" in "I don't need a mic").
    covered = {i for e in found if not (e.shared and options[e.option].means == "no")
               for i in e.span}
    negations = {i for i, t in enumerate(typed.tokens)
                 if t.text in table.words.negations and i not in covered}
    if not negations:
        return found
    meaning_no = next((n for n, o in enumerate(options) if o.means == "no"), None)
    kept = []
    for evidence in found:
        if not negations & set(range(evidence.start - NEGATION_REACH, evidence.start)):
            kept.append(evidence)
        elif options[evidence.option].means == "yes" and meaning_no is not None:
            start = min(negations & set(range(evidence.start - NEGATION_REACH, evidence.start)))
            kept.append(_Evidence(meaning_no, start, evidence.end, 1.0, "phrase"))
    return kept


def _label_words(table: QuestionWords, typed: Typed, covered: set[int]) -> list[_Evidence]:
    found = []
    for i, token in enumerate(typed.tokens):
        owners = table.label_words.get(token.stem)
        if i not in covered and owners and len(owners) == 1 and table.counts(token):
            found.append(_Evidence(next(iter(owners)), i, i + 1, 0.5, "word"))
    return found


def _typos(table: QuestionWords, typed: Typed, covered: set[int]) -> list[_Evidence]:
    found = []
    for i, token in enumerate(typed.tokens):
        word = token.text
        if i in covered or len(word) < TYPO_MIN_LENGTH or not table.counts(token):
            continue
        if word in table.known or token.stem in table.label_words:
            continue
        limit = 1 if len(word) < 8 else 2
        close = process.extract(word, list(table.spellings), scorer=OSA.distance,
                                score_cutoff=limit, limit=None)
        if not close:
            continue
        best = min(distance for _, distance, _ in close)
        owners = {n for spelling, distance, _ in close if distance == best
                  for n in table.spellings[spelling]}
        found += [_Evidence(n, i, i + 1, 0.4, "typo") for n in owners]
    return found


WEAK = frozenset({"bare", "word"})
"""Evidence that decides only in a short message: a number without a unit, one label word."""


def _weigh(
    question: Question, found: list[_Evidence], everything: frozenset[int], unexplained: int
) -> Verdict:
    """Take the clear winner, ask about two or three alike, else nothing.

    `unexplained` counts the message's words no evidence explains: weak evidence amid many
    of them ("1; DELETE FROM sessions WHERE 1=1") is no answer.
    """
    points: dict[int, Weight] = defaultdict(float)
    sure: set[int] = set()
    for evidence in found:
        points[evidence.option] += evidence.weight
        if evidence.kind != "typo":
            sure.add(evidence.option)
    if not points:
        return Verdict("none")
    said = {question.options[n].means for n in sure}
    if {"yes", "no"} <= said:  # "yeah, I don't want to annoy people": ask, never guess
        both = [n for n in sorted(sure) if question.options[n].means in ("yes", "no")]
        return _verdict(question, both, "ask", everything)
    ranked = sorted(points, key=lambda n: (-points[n], n))
    best = points[ranked[0]]
    runner_up = points[ranked[1]] if len(ranked) > 1 else 0.0
    if ranked[0] in sure and best >= 2 * runner_up and best - runner_up >= 0.5:
        mine = [e for e in found if e.option == ranked[0]]
        if unexplained > 1 and all(e.kind in WEAK for e in mine):
            return Verdict("none")
        return Verdict("match", (question.options[ranked[0]],),
                       frozenset(i for e in mine for i in e.span))
    alike = [n for n in ranked if points[n] * 2 > best]
    if len(alike) > ASK_AT_MOST:
        return Verdict("none")
    return _verdict(question, sorted(alike), "ask", everything)


def _verdict(
    question: Question, options: list[int], kind: Kind, used: frozenset[int]
) -> Verdict:
    if kind == "ask" and len(options) > ASK_AT_MOST:
        return Verdict("none")
    return Verdict(kind, tuple(question.options[n] for n in options), used)
