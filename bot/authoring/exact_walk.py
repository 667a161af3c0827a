"""The exact walk behind `coverage`: every answer set once, its winner a byte in one string.

The walk goes depth first along the asking order, adds points as it goes and writes each
cell's winner, copying a subtree's bytes for every answer to a question the route skips. A
question's effect is then read by comparing the string with itself shifted by the question's
stride: a handful of whole-string operations per question instead of one per answer set.
"""

from __future__ import annotations

import math
from collections import Counter
from operator import add

from bot.authoring.answer_space import AnswerSpace, Axis, Key, Tally, Vector, winner
from bot.engine.model import END


def ways(space: AnswerSpace) -> int:
    """Return how many leaves the walk would reach, twins included, counted by place."""
    counted: dict[tuple[int, str, Key], int] = {}

    def count(position: int, target: str, key: Key) -> int:
        if target == END:
            return 1
        if (position, target, key) not in counted:
            if space.axes[position].question.id != target:
                ways = count(position + 1, target, key)
            else:
                ways = sum(count(position + 1, step.following, step.key)
                           for step in space.steps(position, key))
            counted[position, target, key] = ways
        return counted[position, target, key]

    return count(0, space.start(), space.no_answers)


class ExactWalk:
    """Walks every answer set once, along the asking order, into a byte per cell."""

    def __init__(self, space: AnswerSpace) -> None:
        self.space = space
        self.margin = space.dialogue.close_margin
        sizes = [len(axis.slots) for axis in space.axes]
        self.cells = [math.prod(sizes[p:]) for p in range(len(sizes) + 1)]
        self.real = [math.prod(a.options for a in space.axes[p:]) for p in range(len(sizes) + 1)]
        outcomes = len(space.outcomes)
        self.tally = Tally([0] * outcomes, [0] * outcomes, [0] * outcomes, Counter(),
                           [0] * len(sizes), [0] * len(sizes), {}, space.answer_sets)
        self.codes = [bytes((index + 1,)) for index in range(outcomes)]

    def run(self) -> Tally:
        """Walk, then read each question's effect off the winners."""
        zero = (0,) * len(self.space.outcomes)
        winners = self.node(0, self.space.start(), self.space.no_answers, zero, 1)
        Effects(self.space, winners, self.cells).read(self.tally)
        return self.tally

    def node(self, position: int, target: str, key: Key, totals: Vector, weight: int) -> bytes:
        """Return the winners of every cell under this node; count the real ones' results.

        `weight` is how many real answer sets this node stands for so far (skipped questions
        multiply it), and 0 under a twin, which counts nothing.
        """
        if target == END:
            return self.leaf(position, totals, weight)
        axis = self.space.axes[position]
        if axis.question.id != target:
            skipped = self.node(position + 1, target, key, totals, weight * axis.options)
            return skipped * len(axis.slots)
        self.tally.asked[position] += weight * self.real[position]
        node, following = self.node, position + 1
        return b"".join([
            node(following, step.following, step.key,
                 totals if step.points is None else tuple(map(add, totals, step.points)),
                 weight * step.real)
            for step in self.space.steps(position, key)
        ])

    def leaf(self, position: int, totals: Vector, weight: int) -> bytes:
        if weight:
            best, second, margin = winner(totals)
            tally, count = self.tally, weight * self.real[position]
            tally.wins[best] += count
            tally.ways[best] += 1
            if margin == 0:
                tally.tie_wins[best] += count
            if second >= 0 and margin <= self.margin:
                tally.close[best, second] += count
        else:
            best = totals.index(max(totals))
        return self.codes[best] * self.cells[position]


class Effects:
    """Reads from the winners of every cell how often each question and option changes them."""

    def __init__(self, space: AnswerSpace, winners: bytes, cells: list[int]) -> None:
        self.space = space
        self.winners = winners
        self.cells = cells
        self.real = self.real_cells()

    def real_cells(self) -> bytes:
        """Return 0xFF for every cell whose answers are all real options, else 0."""
        mask = b"\xff"
        for axis in reversed(self.space.axes):
            blank = bytes(len(mask))
            mask = b"".join(mask if slot.real else blank for slot in axis.slots)
        return mask

    def read(self, tally: Tally) -> None:
        for position, axis in enumerate(self.space.axes):
            self.question(position, axis, tally)

    def question(self, position: int, axis: Axis, tally: Tally) -> None:
        """Count the answer sets where another answer to this question changes the winner,
        and those where an option's points do."""
        stride, slots = self.cells[position + 1], len(axis.slots)
        length = len(self.winners) - (slots - 1) * stride
        # The cells with this question's first option and real answers elsewhere: one per
        # group of cells that differ in this answer only.
        blocks = (b"\xff" * stride + bytes((slots - 1) * stride)) * (
            self.cells[0] // self.cells[position])
        base = int.from_bytes(self.real[:length], "big") & int.from_bytes(blocks[:length], "big")
        rows = [self.window(slot * stride, length) for slot in range(slots)]
        changed = 0
        for row in rows[1 : axis.options]:
            changed |= rows[0] ^ row
        # Every answer set in a group whose winners differ has another answer that changes it.
        tally.swings[position] = _nonzero(changed & base, length) * axis.options
        for index, option in enumerate(axis.question.choices):  # the real slots come first
            if option.id in axis.twin:
                differs = rows[index] ^ rows[axis.twin[option.id]]
                tally.points[axis.question.id, option.id] = _nonzero(differs & base, length)

    def window(self, start: int, length: int) -> int:
        return int.from_bytes(self.winners[start : start + length], "big")


def _nonzero(value: int, length: int) -> int:
    """Return how many of the `length` bytes of `value` are not zero."""
    return length - value.to_bytes(length, "big").count(0)
