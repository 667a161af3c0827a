"""How often each outcome wins, which answers change it and which never do: over every answer set.

Answers are drawn uniformly: every option of every question equally likely, whether the route
asks the question or not (an unasked question's answer changes nothing), so a share is a
probability for someone pressing buttons at random. Exactly, when the grid of answer sets is
small enough (`answer_space`): a depth-first walk along the asking order adds points as it
goes and writes each cell's winner into one byte string, copying a subtree's bytes for every
answer to a question the route skips; a question's effect is then read by comparing that
string with itself shifted by the question's stride, a handful of whole-string operations per
question. A bigger dialogue is sampled (`coverage_sample`), and the report says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.authoring.answer_space import AnswerSpace, Tally
from bot.authoring.coverage_sample import sample
from bot.authoring.exact_walk import ExactWalk, ways
from bot.engine.model import Dialogue

CELL_LIMIT = 1 << 25
"""The most cells (answer sets, with twins) walked exactly; one byte each, a few copies alive."""

WAY_LIMIT = 2_000_000
"""The most ways through (twins included) walked exactly: the walk's time grows with them."""


@dataclass(frozen=True)
class Coverage:
    """The figures for one dialogue: counts over `tally.total` answer sets (or samples)."""

    dialogue: Dialogue
    exact: bool
    tally: Tally
    questions: tuple[str, ...]
    """The questions in the order `tally.asked` and `tally.swings` count them."""
    answer_sets: int
    seconds: float

    def share(self, count: int) -> float:
        """Return `count` as a share of the answer sets (or samples) counted."""
        return count / self.tally.total if self.tally.total else 0.0


def coverage(dialogue: Dialogue, *, samples: int = 2000, seed: int = 1) -> Coverage:
    """Return the coverage of `dialogue`: exact when it is small enough, else `samples` drawn."""
    began = time.perf_counter()
    space = AnswerSpace(dialogue)
    exact = exact_fits(space)
    tally = ExactWalk(space).run() if exact else sample(space, samples, seed)
    # The walk counts questions in asking order, the samples in the file's order.
    order = [axis.question.id for axis in space.axes] if exact else list(dialogue.questions)
    return Coverage(dialogue, exact, tally, tuple(order), space.answer_sets,
                    time.perf_counter() - began)


def exact_fits(space: AnswerSpace) -> bool:
    """Return whether every answer set can be walked: an asking order, few enough cells and
    ways, and at most 255 outcomes (a winner is one byte)."""
    if space.order is None or len(space.outcomes) > 255 or space.cells > CELL_LIMIT:
        return False
    return ways(space) <= WAY_LIMIT


