"""Answers -> scores -> recommendation, the reasons for it, the runner-up and the tips."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.engine import rules
from bot.engine.model import Condition, Dialogue, Option, Outcome, Question, Tip


@dataclass(frozen=True)
class Advice:
    """The recommendation for one set of answers, and everything said with it."""

    outcome: Outcome
    runner_up: Outcome | None
    scores: dict[str, int]
    reasons: tuple[str, ...]
    extras: tuple[str, ...]
    tips: tuple[Tip, ...]
    close_call: bool


def advice_for(dialogue: Dialogue, chosen: Mapping[str, str]) -> Advice:
    """Return the advice these answers lead to."""
    totals = rules.scores(dialogue, chosen)
    order = rules.ranking(totals)
    best = order[0]
    second = order[1] if len(order) > 1 else None
    close_call = second is not None and totals[best] - totals[second] <= dialogue.close_margin
    outcome = dialogue.outcomes[best]

    def holds_here(condition: Condition) -> bool:
        return rules.holds(condition, chosen, outcome=best, close_call=close_call)

    return Advice(
        outcome=outcome,
        runner_up=dialogue.outcomes[second] if second is not None else None,
        scores=totals,
        reasons=reasons_for(dialogue, chosen, best),
        extras=tuple(extra.text for extra in outcome.extras if holds_here(extra.when)),
        tips=tuple(tip for tip in dialogue.tips if tip.when is None or holds_here(tip.when)),
        close_call=close_call,
    )


def reasons_for(
    dialogue: Dialogue, chosen: Mapping[str, str], outcome: str
) -> tuple[str, ...]:
    """Return the answers that weighed most for `outcome`, heaviest first."""
    weighed: list[tuple[int, int, str]] = []
    for position, (question_id, option_id) in enumerate(chosen.items()):
        question = dialogue.questions.get(question_id)
        option = question.option(option_id) if question else None
        if question is None or option is None:
            continue
        weight = option.scores.get(outcome, 0)
        if weight > 0:
            weighed.append((-weight, position, reason(dialogue, option, question)))
    weighed.sort()
    return tuple(phrase for _, _, phrase in weighed[: dialogue.max_reasons])


def reason_for(dialogue: Dialogue, question: Question, option: Option) -> str:
    """Return how "because ..." names an answer whose option gives no `reason` of its own."""
    return dialogue.texts.answered_reason.format(label=option.label, question=question.text)


def reason(dialogue: Dialogue, option: Option, question: Question) -> str:
    """Return how "because ..." names an answer: its `reason`, or what was answered."""
    return option.reason or reason_for(dialogue, question, option)
