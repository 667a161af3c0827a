"""Understand a typed answer to one question: its words, their forms, typos, amounts, yes/no.

How a question is answered, in this order:

1. a bare number alone: the option at that position and the option whose `range` holds it,
   when they agree or only one exists; asked back when they differ (`_bare_number`);
2. the whole message is one of an option's names (`option_words`), word forms, case, accents
   and small words aside: that option;
3. otherwise the evidence (`evidence`) is weighed: a name found inside the message (1 point),
   an amount in the question's unit (2, split when it spans options), a word of only one
   option's label (half), a misspelling (0.4, never decides alone). The best option is taken
   when it has at least twice the points of the next; two or three alike, a typo alone, or
   yes and no at once are asked back ("Did you mean ...?"); weak evidence (a lone label word,
   a number without a unit) in a message of other words, or nothing, is not understood.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from bot.engine.evidence import Evidence, Weight, collect
from bot.engine.model import Dialogue, Option, Question
from bot.engine.option_words import QuestionWords, Typed, words_of

ASK_AT_MOST = 3
"""The most options a "Did you mean ...?" offers; more alike than that is not understood."""

POSITION_DIGITS = 3
"""A bare number with more digits is never an option's position."""

Kind = Literal["match", "ask", "none"]


@dataclass(frozen=True)
class Verdict:
    """What a message says about one question: an option, a few to ask about, or nothing."""

    kind: Kind
    options: tuple[Option, ...] = ()
    used: frozenset[int] = frozenset()
    """The tokens that decided, which no other question may use."""


def understand(dialogue: Dialogue, question: Question, typed: Typed) -> Verdict:
    """Return what `typed` answers to `question` (see the module's docstring for how)."""
    table = words_of(dialogue, question)
    everything = frozenset(range(len(typed.tokens)))
    if not typed.tokens:
        return Verdict("none")
    bare = _bare_number(table, typed)
    if bare is not None:
        return bare
    spoken = tuple(t.stem for t in typed.tokens if t.text not in table.words.fillers)
    for exact in (table.exact.get(typed.stems), table.exact_content.get(spoken)):
        if exact:
            return _verdict(question, sorted(exact), "match" if len(exact) == 1 else "ask",
                            everything)
    found = collect(table, typed)
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
    tokens no other answer took, and nothing in the message for any other option. At a
    multiple question, every option so named (none of them exclusive, when there are several).
    """
    table = words_of(dialogue, question)
    evidence = [e for e in collect(table, typed, typos=False)
                if not set(e.span) & taken and e.kind != "word" and not e.shared]
    if any(e.kind == "phrase" and not _specific(table, typed, e) for e in evidence):
        return None
    if any(e.kind == "bare" for e in evidence):
        return None
    options = sorted({e.option for e in evidence})
    several = question.multiple and not any(question.options[n].exclusive for n in options)
    if not options or (len(options) > 1 and not several) or any(e.weight < 1 for e in evidence):
        return None
    used = frozenset(i for e in evidence for i in e.span)
    return Verdict("match", tuple(question.options[n] for n in options), used)


def _specific(table: QuestionWords, typed: Typed, evidence: Evidence) -> bool:
    """Tell whether a phrase says more than a vague word ("a lot", "long") out of context."""
    return any(table.counts(typed.tokens[i]) and typed.tokens[i].text not in table.words.vague
               for i in evidence.span)


def _bare_number(table: QuestionWords, typed: Typed) -> Verdict | None:
    """Read a message that is one number alone: a position, a value, or both."""
    words = table.words
    spoken = [t for t in typed.tokens if t.text not in words.fillers]
    if len(spoken) != 1 or not spoken[0].text.isdecimal():
        return None
    if any(t.text in (*words.below, *words.above, *words.about) for t in typed.tokens):
        return None  # "around 150", "under 3": an amount, weighed with the rest
    text = spoken[0].text
    options = table.question.options
    by_position = None
    if len(text) <= POSITION_DIGITS and 1 <= int(text) <= len(options):
        by_position = int(text) - 1
    value = float(text) * words.implied.get(table.question.unit or "", 1.0)
    by_value = [n for (low, high), n in table.ranges if low <= value < high]
    found = sorted({*([by_position] if by_position is not None else []), *by_value})
    everything = frozenset(range(len(typed.tokens)))
    if not found:
        return None
    return _verdict(table.question, found, "match" if len(found) == 1 else "ask", everything)


WEAK = frozenset({"bare", "word"})
"""Evidence that decides only in a short message: a number without a unit, one label word."""


def _weigh(
    question: Question, found: list[Evidence], everything: frozenset[int], unexplained: int
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
