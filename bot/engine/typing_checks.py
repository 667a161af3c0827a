"""Checks that typed answers will be understood as meant: the "3+ hours" kind of trouble.

Each label (and each part of it between commas, colons and brackets, the way people shorten
it), each synonym and id is typed at its question through the real matcher; one that would
be taken as another option, or asked back, is reported. So are synonyms that a shared
vocabulary gives to another option, `means` and `unit` the vocabulary does not know, and
ranges that overlap or leave gaps. Names that read the same once folded, and labels that are
numbers, are `checks.typing`'s to report.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

from bot.engine import picking
from bot.engine.folding import fold
from bot.engine.model import Dialogue, Option, Question
from bot.engine.option_words import label_parts, read
from bot.engine.vocabulary import MEANINGS

Found = tuple[int, str]
"""A problem: the line it is at and what to do."""


def typing_problems(dialogue: Dialogue, question: Question) -> list[Found]:
    """Return what would go wrong when this question's answers are typed."""
    if len({option.id for option in question.options}) < len(question.options):
        return []  # duplicate ids: reported as such, and typing could not tell them apart
    problems = [*_meanings(dialogue, question), *_units(dialogue, question)]
    problems += _ranges(question)
    if not problems:
        problems += _shadowed(dialogue, question)
    if not problems:
        problems += _ambiguous(dialogue, question)
    return problems


def _meanings(dialogue: Dialogue, question: Question) -> Iterator[Found]:
    seen: dict[str, str] = {}
    for option in question.options:
        if option.means is None:
            continue
        if option.means not in MEANINGS:
            yield option.where.line, (
                f"option {option.id!r} of question {question.id!r} means {option.means!r}; "
                f"an option can mean {', '.join(MEANINGS)}"
            )
        elif option.means in seen:
            yield option.where.line, (
                f"options {seen[option.means]!r} and {option.id!r} of question "
                f"{question.id!r} both mean {option.means!r}: typing "
                f"{dialogue.words.meanings[option.means][0]!r} could not choose; keep one"
            )
        seen.setdefault(option.means, option.id)


def _units(dialogue: Dialogue, question: Question) -> Iterator[Found]:
    ranged = [option for option in question.options if option.range is not None]
    units = dialogue.words.units
    if question.unit is not None and question.unit not in units:
        yield question.where.line, (
            f"question {question.id!r} has unit {question.unit!r}, which the {dialogue.language} "
            f"vocabulary does not know; known: {', '.join(units)}"
        )
    elif ranged and question.unit is None:
        yield ranged[0].where.line, (
            f"option {ranged[0].id!r} has a range but question {question.id!r} has no unit: "
            f"give the question `unit:` ({', '.join(units)})"
        )
    elif question.unit is not None and not ranged:
        yield question.where.line, (
            f"question {question.id!r} has a unit but none of its options has a range: give "
            "them ranges, or remove the unit"
        )


def _ranges(question: Question) -> Iterator[Found]:
    ranged = sorted((o for o in question.options if o.range), key=lambda o: _range(o)[0])
    for before, after in itertools.pairwise(ranged):
        (_, end), (start, _) = _range(before), _range(after)
        if end > start:
            yield after.where.line, (
                f"the ranges of options {before.id!r} and {after.id!r} of question "
                f"{question.id!r} overlap ({_shown(before)} and {_shown(after)}): an amount in "
                f"both could not choose; let one end where the next begins ({_number(start)})"
            )
        elif end < start:
            yield after.where.line, (
                f"the ranges of options {before.id!r} and {after.id!r} of question "
                f"{question.id!r} leave a gap ({_shown(before)} and {_shown(after)}): amounts "
                f"from {_number(end)} to {_number(start)} pick no option; let them meet"
            )


def _range(option: Option) -> tuple[float, float]:
    assert option.range is not None
    return option.range


def _shown(option: Option) -> str:
    low, high = _range(option)
    return f"[{_number(low)}, {'null' if math.isinf(high) else _number(high)}]"


def _number(value: float) -> str:
    return f"{value:g}"


def _shadowed(dialogue: Dialogue, question: Question) -> Iterator[Found]:
    meant = {o.means: o for o in question.options if o.means is not None}
    for option in question.options:
        for synonym in option.synonyms:
            for meaning, other in meant.items():
                if other is not option and fold(synonym) in dialogue.words.meanings[meaning]:
                    yield option.where.line, (
                        f"synonym {synonym!r} of option {option.id!r} is also a word for "
                        f"{meaning!r}, which option {other.id!r} of question {question.id!r} "
                        f"means: typing it could not choose; remove the synonym, or the "
                        f"`means` of {other.id!r} and list its words yourself"
                    )


def _ambiguous(dialogue: Dialogue, question: Question) -> Iterator[Found]:
    for option in question.options:
        for said in _said(dialogue, question, option):
            verdict = picking.understand(dialogue, question, read(dialogue, said))
            if verdict.kind == "match" and verdict.options == (option,):
                continue
            if verdict.kind == "ask" and option in verdict.options and said not in _names(option):
                continue  # a part of a label that other labels share: asking back is right
            others = ", ".join(repr(o.id) for o in verdict.options if o is not option)
            how = {
                "match": f"taken as option {others}",
                "ask": f"asked back between {others} and it",
                "none": "not understood (its words are in other labels too)",
            }[verdict.kind]
            yield option.where.line, (
                f"typing {said!r} (of option {option.id!r}) at question {question.id!r} would "
                f"be {how}: make the labels and synonyms tell the options apart (add a "
                "synonym, or reword one)"
            )


def _names(option: Option) -> tuple[str, ...]:
    return (option.label, *option.synonyms)


def _said(dialogue: Dialogue, question: Question, option: Option) -> list[str]:
    """Return what a person may type for the option: its names and the parts of its label."""
    parts = label_parts(option.label, dialogue)
    taken = {fold(n) for other in question.options if other is not option for n in _names(other)}
    said = [*_names(option), *(part for part in parts if part != option.label)]
    # Names folded alike, and labels that are numbers, are reported by `checks.typing`.
    return [text for text in dict.fromkeys(said)
            if fold(text) not in taken and not fold(text).isdecimal() and fold(text)]
