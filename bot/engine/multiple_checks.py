"""Checks on questions that take several options (`multiple: true`) and on what only they take.

Kept apart from `checks` (which runs them for every question) so each stays one job of a
readable size. A problem that would leave a question with no answer it can take, or with an
answer routing cannot follow, stops the route checks as a broken reference does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from bot.engine import callback_data, multiple
from bot.engine.model import Question
from bot.engine.schema import MULTIPLE_LIMIT


class Found(NamedTuple):
    """A problem: its line, what to do, and whether following routes is pointless with it."""

    line: int
    message: str
    blocks: bool = False


def multiple_problems(question: Question) -> list[Found]:
    """Return what is wrong with how many options `question` takes, and with what only a
    multiple question allows."""
    if not question.multiple:
        return list(_single(question))
    return [*_sizes(question), *_options(question), *_data(question)]


def _single(question: Question) -> Iterator[Found]:
    what = f"question {question.id!r}"
    if question.min_chosen != 1 or question.max_chosen is not None:
        yield Found(question.where.line, f"{what} has 'min' or 'max', which only a question "
                                         "with `multiple: true` takes: add it, or remove them")
    for option in question.options:
        if option.exclusive:
            yield Found(option.where.line, f"option {option.id!r} of {what} is exclusive, "
                                           "which only means something at a question with "
                                           "`multiple: true`: add it, or remove `exclusive`")


def _sizes(question: Question) -> Iterator[Found]:
    line, what = question.where.line, f"multiple question {question.id!r}"
    count = len(question.options)
    together = sum(1 for option in question.options if not option.exclusive)
    if count > MULTIPLE_LIMIT:
        yield Found(line, f"{what} has {count} options; a multiple question may have at most "
                          f"{MULTIPLE_LIMIT} (each set of them is an answer): split it", True)
    if together < 2:
        shown = f"{together} option{'' if together == 1 else 's'}"
        yield Found(line, f"{what} has {shown} that can be chosen together (not exclusive); "
                          "it needs at least 2, or make it a single choice", True)
        return
    most = question.max_chosen
    if question.min_chosen > together:
        yield Found(line, f"'min' of {what} is {question.min_chosen}, but only {together} of "
                          "its options can be chosen together: lower it", True)
    elif most is not None and most < question.min_chosen:
        yield Found(line, f"'max' of {what} is {most}, below its 'min' "
                          f"({question.min_chosen}): raise it", True)
    elif most is not None and most > together:
        yield Found(line, f"'max' of {what} is {most}, but only {together} of its options can "
                          "be chosen together: lower it, or leave it out (all of them)")


def _options(question: Question) -> Iterator[Found]:
    what = f"multiple question {question.id!r}"
    if question.unit is not None:
        yield Found(question.where.line, f"{what} has a unit, but an amount picks one option: "
                                         "remove the unit and the ranges, or `multiple`")
    for option in question.options:
        named = f"option {option.id!r} of {what}"
        if option.next is not None:
            yield Found(option.where.line, f"{named} has its own 'next'; with several options "
                                           "chosen it could not say where to go: use the "
                                           "question's branches, with conditions such as "
                                           f"{{{question.id}: {option.id}}}", True)
        if option.means is not None and not option.exclusive:
            yield Found(option.where.line, f"{named} means {option.means!r}, but is not "
                                           "exclusive: a yes, no or not-sure answer stands "
                                           "alone; add `exclusive: true`, or remove `means`")


def _data(question: Question) -> Iterator[Found]:
    data = multiple.longest_data(question)
    size = len(data.encode())
    if size + callback_data.RESERVED > callback_data.LIMIT:
        yield Found(question.where.line,
                    f"the buttons of multiple question {question.id!r} carry up to {size} bytes "
                    f"({data!r}); with the {callback_data.RESERVED} kept for the session that "
                    f"is over Telegram's {callback_data.LIMIT}: shorten the question id")
