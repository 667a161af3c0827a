"""Conditions, routing and scoring: the rules a dialogue file sets, shared by engine and checks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bot.engine.model import (
    END,
    SEPARATOR,
    AllOf,
    Answered,
    AnyOf,
    CloseCall,
    Condition,
    Dialogue,
    Not,
    Option,
    Question,
    Recommended,
)


def among(answer: str | None, options: frozenset[str]) -> bool:
    """Tell whether an answer is one of `options`; at a multiple question, whether one of
    the options it chose is (`{comfort: glasses}` holds for "glasses+heat")."""
    if answer in options:
        return True
    return answer is not None and SEPARATOR in answer and not options.isdisjoint(
        answer.split(SEPARATOR))


def holds(
    condition: Condition,
    chosen: Mapping[str, str],
    *,
    outcome: str | None = None,
    close_call: bool = False,
) -> bool:
    """Return whether `condition` holds for these answers (and result, for tips)."""

    def sub(inner: Condition) -> bool:
        return holds(inner, chosen, outcome=outcome, close_call=close_call)

    match condition:
        case Answered(question, options):
            return among(chosen.get(question), options)
        case AllOf(conditions):
            return all(sub(c) for c in conditions)
        case AnyOf(conditions):
            return any(sub(c) for c in conditions)
        case Not(inner):
            return not sub(inner)
        case CloseCall():
            return close_call
        case Recommended(outcomes):
            return outcome in outcomes
    raise TypeError(f"not a condition: {condition!r}")


def route(question: Question, chosen: Mapping[str, str], option: Option | None) -> str:
    """Return where the dialogue goes after `question`: a question id or END."""
    if option is not None and option.next is not None:
        return option.next
    for branch in question.branches:
        if holds(branch.when, chosen):
            return branch.next
    return question.next


def asked(dialogue: Dialogue, target: str, chosen: Mapping[str, str]) -> str:
    """Return the first question from `target` on that is actually asked, or END.

    Questions whose `ask_if` is false are passed over as if answered with no option.
    """
    seen: set[str] = set()
    while target != END:
        question = dialogue.questions[target]
        if question.ask_if is None or holds(question.ask_if, chosen):
            return target
        if target in seen:
            raise ValueError(f"questions skip each other in a loop at {target!r}")
        seen.add(target)
        target = route(question, chosen, None)
    return END


def predicted_path(dialogue: Dialogue, current: str, chosen: Mapping[str, str]) -> Iterator[str]:
    """Yield the questions from `current` on that would be asked if none got an option."""
    seen: set[str] = set()
    target = asked(dialogue, current, chosen)
    while target != END and target not in seen:
        seen.add(target)
        yield target
        target = asked(dialogue, route(dialogue.questions[target], chosen, None), chosen)


AHEAD_CACHE_LIMIT = 65_536


def questions_ahead(dialogue: Dialogue, current: str, chosen: Mapping[str, str]) -> int:
    """Return how many questions `predicted_path` yields, remembered per dialogue.

    Only the answers that routing looks at can change it, so the cache is keyed by those: a
    handful of entries for a typical dialogue, however many people go through it.
    """
    key = (current, tuple(chosen.get(q) for q in dialogue.routing_questions))
    cache = dialogue.ahead_cache
    found = cache.get(key)
    if found is None:
        if len(cache) >= AHEAD_CACHE_LIMIT:
            cache.clear()
        found = cache[key] = sum(1 for _ in predicted_path(dialogue, current, chosen))
    return found


def scores(dialogue: Dialogue, chosen: Mapping[str, str]) -> dict[str, int]:
    """Return every outcome's points for these answers, in the file's order of outcomes (at a
    multiple question, the chosen options' points added up)."""
    totals = dict.fromkeys(dialogue.outcomes, 0)
    for question_id, option_id in chosen.items():
        question = dialogue.questions.get(question_id)
        option = question.choice(option_id) if question else None
        if option is None:
            continue
        for outcome, weight in option.scores.items():
            if outcome in totals:
                totals[outcome] += weight
    return totals


def ranking(totals: Mapping[str, int]) -> list[str]:
    """Return outcome ids best first; ties keep the file's order."""
    order = {outcome: index for index, outcome in enumerate(totals)}
    return sorted(totals, key=lambda outcome: (-totals[outcome], order[outcome]))
