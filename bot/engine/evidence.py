"""The evidence a typed message gives for each option of one question.

Phrases (names found as whole words inside the message, a longer one hiding the shorter ones
inside it), amounts in the question's unit, negations that turn a phrase around, single words
of only one option's label, and misspellings of the dialogue's words (rapidfuzz's optimal
string alignment distance: one edit in a short word, two in a long one). `matching` weighs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.engine.option_words import TYPO_MIN_LENGTH, QuestionWords, Typed

NEGATION_REACH = 3
"""How many words before a phrase a negation still turns it around ("don't really need a mic")."""

Weight = float


@dataclass(frozen=True)
class Evidence:
    """Something in the message that points at one option, and how strongly."""

    option: int
    start: int
    end: int
    weight: Weight
    kind: Literal["phrase", "number", "bare", "word", "typo"]  # bare: a number, no unit
    shared: bool = False

    @property
    def span(self) -> range:
        return range(self.start, self.end)


def collect(table: QuestionWords, typed: Typed, *, typos: bool = True) -> list[Evidence]:
    found = _longest(_phrases(table, typed)) + _numbers(table, typed)
    found = _negated(table, typed, found)
    covered = {i for e in found for i in e.span}
    found += _label_words(table, typed, covered)
    if typos:
        covered |= {i for e in found for i in e.span}
        found += _typos(table, typed, covered)
    return found


def _phrases(table: QuestionWords, typed: Typed) -> list[Evidence]:
    stems = typed.stems
    found = []
    for start, first in enumerate(stems):
        for name in table.names.get(first, ()):
            end = start + len(name.stems)
            if name.content and stems[start:end] == name.stems and not (
                _negates_next(table, typed, start, end)
            ):
                found.append(Evidence(name.option, start, end, 1.0, "phrase", name.shared))
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


def _longest(found: list[Evidence]) -> list[Evidence]:
    """Drop phrases inside a longer phrase: of another option ("sure" inside "not sure"),
    and of the same one, which would count the same words twice ("sure" in "for sure")."""
    kept, seen = [], set()
    for evidence in found:
        inside = any(
            other.start <= evidence.start and evidence.end <= other.end
            and other.end - other.start > evidence.end - evidence.start
            for other in found
        )
        key = (evidence.option, evidence.start, evidence.end)
        if not inside and key not in seen:
            seen.add(key)
            kept.append(evidence)
    return kept


def _numbers(table: QuestionWords, typed: Typed) -> list[Evidence]:
    unit = table.question.unit
    if unit is None:
        return []
    found = []
    implied = table.words.implied.get(unit, 1.0)  # a number without a unit word
    for amount in typed.amounts:
        if amount.unit not in (None, unit):
            continue
        scale = 1.0 if amount.unit else implied
        hits = [n for (low, high), n in table.ranges
                if amount.overlaps(low / scale, high / scale)]
        weight = 2.0 if len(hits) == 1 else 1.0
        kind: Literal["number", "bare"] = "bare" if amount.unit is None else "number"
        found += [Evidence(n, amount.start, amount.end, weight, kind) for n in hits]
    return found


def _negated(table: QuestionWords, typed: Typed, found: list[Evidence]) -> list[Evidence]:
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
            kept.append(Evidence(meaning_no, start, evidence.end, 1.0, "phrase"))
    return kept


def _label_words(table: QuestionWords, typed: Typed, covered: set[int]) -> list[Evidence]:
    found = []
    for i, token in enumerate(typed.tokens):
        owners = table.label_words.get(token.stem)
        if i not in covered and owners and len(owners) == 1 and table.counts(token):
            found.append(Evidence(next(iter(owners)), i, i + 1, 0.5, "word"))
    return found


def _typos(table: QuestionWords, typed: Typed, covered: set[int]) -> list[Evidence]:
    """Return misspellings of the question's words, for every option nearly as close.

    Nearly as close: within the edit limit of the word's length, so all of them are asked
    back; a typo alone never decides.
    """
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
        owners = {n for spelling, _, _ in close for n in table.spellings[spelling]}
        found += [Evidence(n, i, i + 1, 0.4, "typo") for n in sorted(owners)]
    return found


