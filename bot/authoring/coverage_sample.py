"""Coverage by sampling, for dialogues with too many answer sets to walk one by one.

Each sample draws every question's answer uniformly, as the exact walk counts them, and follows
the route with the engine's rules; each asked question is then answered every other way, with
the rest kept, to see whether the winner changes. The figures are estimates, and the report
says how many samples they rest on.
"""

from __future__ import annotations

import random
from collections import Counter
from operator import sub

from bot.authoring.answer_space import AnswerSpace, Tally, Vector, winner
from bot.engine import rules
from bot.engine.model import END, Option


class _Routes:
    """Follows one set of answers through the dialogue, remembering each move by what routing
    can tell apart."""

    def __init__(self, space: AnswerSpace) -> None:
        self.space = space
        self.moves: dict[tuple[str, str, tuple[str | None, ...]], str] = {}

    def follow(self, answers: dict[str, Option]) -> tuple[list[str], Vector]:
        """Return the questions asked, in order, and the points the answers add up to."""
        dialogue, routing = self.space.dialogue, self.space.routing
        chosen: dict[str, str] = {}
        asked: list[str] = []
        totals = [0] * len(self.space.outcomes)
        target = rules.asked(dialogue, dialogue.start, chosen)
        while target != END:
            option = answers[target]
            chosen[target] = option.id
            asked.append(target)
            for index, points in enumerate(self.space.points(option)):
                totals[index] += points
            key = (target, option.id, tuple(chosen.get(qid) for qid in routing))
            if key not in self.moves:
                after = rules.route(dialogue.questions[target], chosen, option)
                self.moves[key] = rules.asked(dialogue, after, chosen)
            target = self.moves[key]
        return asked, tuple(totals)

    def winner(self, answers: dict[str, Option]) -> int:
        return winner(self.follow(answers)[1])[0]


def sample(space: AnswerSpace, samples: int, seed: int) -> Tally:
    """Return the tally of `samples` answer sets drawn uniformly (reproducibly, from `seed`)."""
    sampler = _Sampler(space, samples)
    draw = random.Random(seed)
    questions = space.dialogue.questions
    for _ in range(samples):
        sampler.count({qid: draw.choice(question.choices) for qid, question in questions.items()})
    return sampler.tally


class _Sampler:
    """Counts what one drawn answer set shows, into one tally."""

    def __init__(self, space: AnswerSpace, samples: int) -> None:
        self.space = space
        self.order = list(space.dialogue.questions)
        outcomes, questions = len(space.outcomes), len(self.order)
        self.tally = Tally([0] * outcomes, [0] * outcomes, [0] * outcomes, Counter(),
                           [0] * questions, [0] * questions, {}, samples)
        self.routes = _Routes(space)

    def count(self, answers: dict[str, Option]) -> None:
        tally = self.tally
        asked, totals = self.routes.follow(answers)
        best, second, margin = winner(totals)
        tally.wins[best] += 1
        tally.tie_wins[best] += margin == 0
        if second >= 0 and margin <= self.space.dialogue.close_margin:
            tally.close[best, second] += 1
        for qid in asked:
            self.effects(answers, qid, totals, best)

    def effects(self, answers: dict[str, Option], qid: str, totals: Vector, best: int) -> None:
        """Count whether another answer to `qid`, or no points for its answer, changes `best`."""
        question, tally = self.space.dialogue.questions[qid], self.tally
        position = self.order.index(qid)
        tally.asked[position] += 1
        chosen = answers[qid]
        others = (option for option in question.choices if option is not chosen)
        changes = any(self.routes.winner({**answers, qid: o}) != best for o in others)
        tally.swings[position] += changes
        points = self.space.points(chosen)
        if any(points):
            without = winner(tuple(map(sub, totals, points)))[0]
            key = (qid, chosen.id)
            tally.points[key] = tally.points.get(key, 0) + (without != best)
