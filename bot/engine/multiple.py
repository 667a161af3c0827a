"""The buttons of a multiple question: options checked and unchecked in place, then "Done".

The set being picked lives in the buttons themselves, so checking an option stores nothing and
survives a restart: each option's button carries the set that pressing it would leave
("question:*<mask>"), and "Done" the set shown now ("question:=<mask>"). A mask has bit n for
the question's n-th option, in hexadecimal, followed by a fingerprint of the question's option
ids, so that a button from before a change to the options (a reload) is told apart instead of
read as other options. An exclusive option's button carries its own answer ("question:none")
and answers at once: it stands alone, so there is nothing to add to it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Literal, NamedTuple

from bot.engine.model import Button, Dialogue, Option, Question

TOGGLE = "*"
"""After "question:", the set an option's button leaves when pressed."""
DONE = "="
"""After "question:", the set "Done" answers with."""

Rows = tuple[tuple[Button, ...], ...]


class Picking(NamedTuple):
    """What a button of a multiple question asks: check or uncheck (to `mask`), or be done."""

    kind: Literal["toggle", "done"]
    mask: int


def fingerprint(question: Question) -> str:
    """Return three hex digits that change when the question's option ids do."""
    ids = ",".join(option.id for option in question.options)
    return f"{zlib.crc32(ids.encode()) & 0xFFF:03x}"


def data(question: Question, kind: str, mask: int) -> str:
    """Return the engine data of a toggle (TOGGLE) or "Done" (DONE) button for `mask`."""
    return f"{question.id}:{kind}{mask:x}.{fingerprint(question)}"


def is_done(data: str) -> bool:
    """Tell whether button data is a multiple question's "Done" ("question:=<mask>...")."""
    return data.partition(":")[2].startswith(DONE)


def longest_data(question: Question) -> str:
    """Return the longest data a button of this question carries (for the size checks)."""
    return data(question, TOGGLE, (1 << len(question.options)) - 1)


def read(question: Question, rest: str) -> Picking | None:
    """Return what the data after "question:" asks, or None when it is no toggle or "Done"
    of this question as it is now (another option, or options since changed)."""
    kind, body = rest[:1], rest[1:]
    if not question.multiple or kind not in (TOGGLE, DONE):
        return None
    digits, dot, mark = body.partition(".")
    if not dot or mark != fingerprint(question) or not _hex(digits):
        return None
    mask = int(digits, 16)
    if mask >> len(question.options) or any(
        mask >> n & 1 for n, option in enumerate(question.options) if option.exclusive
    ):
        return None
    return Picking("toggle" if kind == TOGGLE else "done", mask)


def _hex(digits: str) -> bool:
    return 0 < len(digits) <= 4 and all(c in "0123456789abcdef" for c in digits)


def mask_of(question: Question, options: Iterable[Option]) -> int:
    """Return the mask checking these options (exclusive ones are never checked)."""
    picked = {option.id for option in options}
    return sum(1 << n for n, option in enumerate(question.options)
               if option.id in picked and not option.exclusive)


def options_of(question: Question, mask: int) -> tuple[Option, ...]:
    """Return the options a mask checks, in the question's order."""
    return tuple(option for n, option in enumerate(question.options) if mask >> n & 1)


def buttons(dialogue: Dialogue, question: Question, mask: int = 0) -> Rows:
    """Return the question's answer buttons: a single question's, or a multiple one's with the
    options of `mask` checked and a row with "Done" under them."""
    if not question.multiple:
        return question.buttons
    texts = dialogue.texts
    cells = []
    for n, option in enumerate(question.options):
        checked = bool(mask >> n & 1)
        label = texts.button_checked.format(label=option.label) if checked else option.label
        target = f"{question.id}:{option.id}" if option.exclusive else data(
            question, TOGGLE, mask ^ (1 << n))
        cells.append(Button(label, target))
    columns = question.columns
    rows = tuple(tuple(cells[i : i + columns]) for i in range(0, len(cells), columns))
    return (*rows, (Button(texts.button_done, data(question, DONE, mask)),))


def out_of_bounds(dialogue: Dialogue, question: Question, count: int) -> str | None:
    """Return what to say when `count` options are too few or too many, else None."""
    most = question.max_chosen or len(question.options)
    if count < question.min_chosen:
        return dialogue.texts.pick_at_least.format(count=question.min_chosen)
    if count > most:
        return dialogue.texts.pick_at_most.format(count=most)
    return None
