"""Answers -> scores -> recommendation, the reasons for it, the runner-up and the tips."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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
    """Return the answers that weighed most for `outcome`, heaviest first (see
    `weighed_reason` for a multiple question's)."""
    weighed: list[tuple[int, int, str]] = []
    for position, (question_id, answer) in enumerate(chosen.items()):
        question = dialogue.questions.get(question_id)
        found = weighed_reason(dialogue, question, question.picks(answer), outcome) if (
            question is not None) else None
        if found is not None:
            weighed.append((-found[0], position, found[1]))
    weighed.sort()
    return tuple(phrase for _, _, phrase in weighed[: dialogue.max_reasons])


def weighed_reason(
    dialogue: Dialogue, question: Question, picks: tuple[Option, ...], outcome: str
) -> tuple[int, str] | None:
    """Return how much an answer weighs for `outcome` and how "because ..." names it, or None
    when it gives no points. At a multiple question, the options chosen that give points
    count together and are named together ("you wear glasses ... and closed cups make your
    ears hot"), so that one reason names each of them."""
    helping = [option for option in picks if option.scores.get(outcome, 0) > 0]
    if not helping:
        return None
    phrases = [reason(dialogue, option, question) for option in helping]
    return sum(option.scores[outcome] for option in helping), listed(dialogue, phrases)


def listed(dialogue: Dialogue, items: list[str]) -> str:
    """Return items as a list in words: "a", "a and b", "a, b and c"."""
    if len(items) < 2:
        return "".join(items)
    return dialogue.texts.list_and.format(rest=", ".join(items[:-1]), last=items[-1])


def picked(dialogue: Dialogue, chosen: Mapping[str, str]) -> Iterator[tuple[Question, Option]]:
    """Yield (question, option) for every option chosen, in the order answered (several for
    a multiple question, in its order); answers the dialogue does not have are left out."""
    for question_id, answer in chosen.items():
        question = dialogue.questions.get(question_id)
        if question is not None:
            for option in question.picks(answer):
                yield question, option


def reason_for(dialogue: Dialogue, question: Question, option: Option) -> str:
    """Return how "because ..." names an answer whose option gives no `reason` of its own."""
    return dialogue.texts.answered_reason.format(label=option.label, question=question.text)


def reason(dialogue: Dialogue, option: Option, question: Question) -> str:
    """Return how "because ..." names an answer: its `reason`, or what was answered."""
    return option.reason or reason_for(dialogue, question, option)
