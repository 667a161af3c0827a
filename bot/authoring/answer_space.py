"""Every answer set of a dialogue as a grid, for coverage: one axis per question, in asking order.

A cell of the grid is one answer to every question, asked or not, each drawn uniformly from the
question's options (at a multiple question, each set it takes is one answer); routing decides
which of them count. Each axis also has "twins": an
option's way through with no points, so coverage can ask whether an option's points ever
change the outcome. A question that already has an option routed the same way with no points
uses it as the twin.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from typing import NamedTuple

from bot.engine import rules
from bot.engine.model import END, Dialogue, Option, Question
from bot.engine.routes import routing_sets, successors

Vector = tuple[int, ...]
"""Points toward each outcome, in the dialogue's order of outcomes."""

Key = tuple[str | None, ...]
"""The answers to the questions routing looks at (`Dialogue.routing_questions`), None when
not given: all a route depends on."""


class Step(NamedTuple):
    """Where one slot leads: its points (None for none), the next question asked (or END),
    the routing answers after it, and whether the slot is a real option."""

    points: Vector | None
    following: str
    key: Key
    real: bool


@dataclass(frozen=True)
class Slot:
    """One position on a question's axis: an option, or (not `real`) a twin with no points."""

    option: Option
    points: Vector
    real: bool


@dataclass(frozen=True)
class Axis:
    """A question, its options then their twins, and which slot is each option's twin."""

    question: Question
    slots: tuple[Slot, ...]
    twin: dict[str, int]
    """Option id -> the slot of the same option with no points (options with points only)."""

    @property
    def options(self) -> int:
        """Return how many real answers the question has (they come first): its options, or
        at a multiple question every set it takes (`Question.choices`)."""
        return len(self.question.choices)


@dataclass(frozen=True)
class Tally:
    """What a walk or a sample counts, each count in answer sets (or samples).

    Outcomes and questions are by index: outcomes in the file's order, questions in the order
    `Coverage.questions` names.
    """

    wins: list[int]
    tie_wins: list[int]
    """Wins where the runner-up has as many points (file order decided)."""
    ways: list[int]
    """Ways through each outcome wins: different answers the bot is given (the walk only)."""
    close: Counter[tuple[int, int]]
    """(winner, runner-up) -> answer sets where they are within `close_margin`."""
    asked: list[int]
    swings: list[int]
    """Answer sets where another answer to the question, the rest kept, changes the winner."""
    points: dict[tuple[str, str], int]
    """(question, option) -> answer sets that ask the question and pick the option, where
    the winner changes if the option's points are taken away."""
    total: int


class AnswerSpace:
    """The grid of answer sets: axes in an order every route follows, and routing by slot."""

    def __init__(self, dialogue: Dialogue) -> None:
        self.dialogue = dialogue
        self.outcomes = list(dialogue.outcomes)
        self.routing = dialogue.routing_questions
        self.sets = routing_sets(dialogue)
        self.order = asking_order(dialogue)
        self.axes = [self.axis(dialogue.questions[qid]) for qid in self.order or ()]
        self.cells = math.prod(len(axis.slots) for axis in self.axes)
        self.answer_sets = math.prod(len(q.choices) for q in dialogue.questions.values())
        self.moves: dict[tuple[int, Key], list[Step]] = {}
        self.no_answers: Key = (None,) * len(self.routing)

    def points(self, option: Option) -> Vector:
        return tuple(option.scores.get(outcome, 0) for outcome in self.outcomes)

    def axis(self, question: Question) -> Axis:
        slots = [Slot(option, self.points(option), real=True) for option in question.choices]
        by_route = {
            self.signature(question, slot.option): index
            for index, slot in enumerate(slots)
            if not any(slot.points)
        }
        twin: dict[str, int] = {}
        zero = (0,) * len(self.outcomes)
        for slot in tuple(slots):  # the real options; twins are appended
            if not any(slot.points):
                continue
            route = self.signature(question, slot.option)
            if route not in by_route:
                by_route[route] = len(slots)
                slots.append(Slot(slot.option, zero, real=False))
            twin[slot.option.id] = by_route[route]
        return Axis(question, tuple(slots), twin)

    def signature(self, question: Question, option: Option) -> tuple[object, ...]:
        """Return everything about an option that routing can tell apart."""
        tested = self.sets.get(question.id, ())
        inside = tuple(rules.among(option.id, options) for options in tested)
        return option.next, inside

    def start(self) -> str:
        return rules.asked(self.dialogue, self.dialogue.start, {})

    def steps(self, position: int, key: Key) -> list[Step]:
        """Return where each slot of the axis at `position` leads, given the routing answers
        `key` (one per routing question, None when unanswered), remembered by both."""
        found = self.moves.get((position, key))
        if found is None:
            found = self.moves[position, key] = [
                self.step(self.axes[position], slot, key) for slot in self.axes[position].slots
            ]
        return found

    def step(self, axis: Axis, slot: Slot, key: Key) -> Step:
        question = axis.question
        after = key
        if question.id in self.routing:
            at = self.routing.index(question.id)
            after = (*key[:at], slot.option.id, *key[at + 1 :])
        chosen = {qid: answer for qid, answer in zip(self.routing, after, strict=True) if answer}
        following = rules.asked(self.dialogue, rules.route(question, chosen, slot.option), chosen)
        return Step(slot.points if any(slot.points) else None, following, after, slot.real)


def asking_order(dialogue: Dialogue) -> list[str] | None:
    """Return the questions in an order every route asks them in, or None if there is none
    (the graph has a loop that conditions keep routes out of)."""
    graph = {
        qid: {target for target in successors(question) if target != END}
        for qid, question in dialogue.questions.items()
    }
    # TopologicalSorter takes predecessors; ours are successors, so the order is reversed.
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError:
        return None
    return order[::-1]




def winner(totals: Vector) -> tuple[int, int, int]:
    """Return the winner's index, the runner-up's (-1 with one outcome) and the margin.

    Ties go to the outcome written first, as `rules.ranking` has it.
    """
    best = max(totals)
    first = totals.index(best)
    if len(totals) == 1:
        return first, -1, 0
    if best in totals[first + 1 :]:
        return first, totals.index(best, first + 1), 0
    second = max(totals[:first] + totals[first + 1 :])
    return first, totals.index(second), best - second
