"""What a recommendation rests on: why not another outcome, thin evidence, declared conflicts.

Everything is read from the scores and the dialogue's own words; nothing here formats a
message (bot.engine.screens does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.engine import rules
from bot.engine.advice import Advice, picked, reason
from bot.engine.counterfactual import Change, smallest_change
from bot.engine.model import Dialogue, Option, Outcome, Question

DECIDING = 3
"""The most questions a close call offers to answer again."""


@dataclass(frozen=True)
class Thin:
    """A result that rests on little: a tie broken only by the file's order, or most answers
    carrying no weight. The top two are shown side by side with the questions that would
    decide between them."""

    first: Outcome
    second: Outcome
    level: int
    """How many outcomes share the top score (1: the first is ahead)."""
    weightless: int
    answered: int
    deciding: tuple[Question, ...]


@dataclass(frozen=True)
class WhyNot:
    """Why `outcome` is not the recommendation: its score, what counted against it, and the
    smallest change of answers that would make it win."""

    outcome: Outcome
    winner: Outcome
    score: int
    winner_score: int
    against: tuple[str, ...]
    change: Change | None


def weightless(option: Option) -> bool:
    """Tell whether an answer moves no score ("not sure", "don't mind")."""
    return not any(option.scores.values())


def answered(dialogue: Dialogue, chosen: Mapping[str, str]) -> list[tuple[Question, Option]]:
    """Return the (question, answer) pairs of the answers, in the order given (a multiple
    question's set as one Option, see `Question.choice`)."""
    pairs = []
    for question_id, option_id in chosen.items():
        question = dialogue.questions.get(question_id)
        option = question.choice(option_id) if question else None
        if question is not None and option is not None:
            pairs.append((question, option))
    return pairs


def thin_evidence(dialogue: Dialogue, chosen: Mapping[str, str], advice: Advice) -> Thin | None:
    """Return the close call to show instead of a confident pick, or None when the answers
    carry the recommendation."""
    second = advice.runner_up
    if second is None:
        return None
    top = advice.scores[advice.outcome.id]
    level = sum(1 for score in advice.scores.values() if score == top)
    pairs = answered(dialogue, chosen)
    idle = sum(1 for _, option in pairs if weightless(option))
    if level == 1 and idle * 2 <= len(pairs):
        return None
    return Thin(advice.outcome, second, level, idle, len(pairs),
                deciding(dialogue, chosen, advice.outcome.id, second.id))


def deciding(
    dialogue: Dialogue, chosen: Mapping[str, str], first: str, second: str
) -> tuple[Question, ...]:
    """Return the answered questions whose answer could move `first` and `second` apart the
    most, biggest swing first (then in the order asked); those answered with no weight win
    ties, since answering them again is what the person can do."""
    swings = []
    for position, (question, option) in enumerate(answered(dialogue, chosen)):
        now = option.scores.get(first, 0) - option.scores.get(second, 0)
        swing = max(abs(o.scores.get(first, 0) - o.scores.get(second, 0) - now)
                    for o in question.choices)
        if swing > 0:
            swings.append((-swing, not weightless(option), position, question))
    swings.sort(key=lambda entry: entry[:3])
    return tuple(question for *_, question in swings[:DECIDING])


def why_not(dialogue: Dialogue, chosen: Mapping[str, str], outcome: str) -> WhyNot | None:
    """Return why `outcome` is not recommended; None when it is, or is no outcome."""
    if outcome not in dialogue.outcomes:
        return None
    totals = rules.scores(dialogue, chosen)
    winner = rules.ranking(totals)[0]
    if outcome == winner:
        return None
    weighed = []
    for position, (question, option) in enumerate(picked(dialogue, chosen)):
        gap = option.scores.get(winner, 0) - option.scores.get(outcome, 0)
        if gap > 0:
            weighed.append((-gap, position, reason(dialogue, option, question)))
    weighed.sort()
    return WhyNot(
        dialogue.outcomes[outcome], dialogue.outcomes[winner], totals[outcome], totals[winner],
        tuple(phrase for *_, phrase in weighed[: dialogue.max_reasons]),
        smallest_change(dialogue, chosen, outcome),
    )


def conflicts(dialogue: Dialogue, chosen: Mapping[str, str], advice: Advice) -> tuple[str, ...]:
    """Return the lines of the dialogue's conflicts that hold for this advice."""
    runner_up = advice.runner_up.name if advice.runner_up else advice.outcome.name
    return tuple(
        conflict.text.format(runner_up=runner_up)
        for conflict in dialogue.conflicts
        if rules.holds(conflict.when, chosen, outcome=advice.outcome.id,
                       close_call=advice.close_call)
    )
