"""Where a session stands when answers may come ahead of their turn (several in one message).

A typed message can answer questions further on (see `filling`); those answers are stored at
once, in asking order, and their questions are passed over when the route reaches them. So
the next question is the first one on the route from the start that is still open, each
question's `ask_if` and branches read with the answers given before it, exactly as if every
answer had been given in turn. `/back` may reopen a question answered ahead of its turn; the
walk from the start then still finds the open questions before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple, cast

from bot.engine import rules
from bot.engine.model import END, AllOf, Answered, AnyOf, Branch, Condition, Dialogue, Not

WALK_CACHE_LIMIT = 65_536


class Walk(NamedTuple):
    """The route from the start through the answers given so far."""

    first_open: str
    """The first question still to be asked, or END."""
    open_count: int
    """How many questions the route still asks if every open one got no option."""


def walk(dialogue: Dialogue, chosen: Mapping[str, str]) -> Walk:
    """Return where the route from the start stands with these answers, remembered.

    Only which questions are answered, and the answers routing looks at, can change it.
    """
    cache = cast(dict[object, Walk], dialogue.memo.setdefault("walk", {}))
    key = (frozenset(chosen), tuple(chosen.get(q) for q in steering(dialogue)))
    found = cache.get(key)
    if found is None:
        if len(cache) >= WALK_CACHE_LIMIT:
            cache.clear()
        found = cache[key] = _walk(dialogue, chosen)
    return found


def _walk(dialogue: Dialogue, chosen: Mapping[str, str]) -> Walk:
    passed: dict[str, str] = {}
    first, count, seen = END, 0, set()
    target = rules.asked(dialogue, dialogue.start, passed)
    while target != END and target not in seen:
        seen.add(target)
        question = dialogue.questions[target]
        answer = chosen.get(target)
        if answer is None:
            first = target if first == END else first
            count += 1
            option = None
        else:
            passed[target] = answer
            option = question.choice(answer)
        target = rules.asked(dialogue, rules.route(question, passed, option), passed)
    return Walk(first, count)


def steering(dialogue: Dialogue) -> tuple[str, ...]:
    """Return the questions whose answers can change the route: conditions and option `next`."""
    found = cast(tuple[str, ...] | None, dialogue.memo.get("steering"))
    if found is None:
        jumps = {q.id for q in dialogue.questions.values() if any(o.next for o in q.options)}
        found = tuple(sorted({*dialogue.routing_questions, *jumps}))
        dialogue.memo["steering"] = found
    return found


def certainly_asked(dialogue: Dialogue, chosen: Mapping[str, str]) -> list[str]:
    """Return the open questions the route will ask whatever the other open ones get.

    In asking order. The walk stops where the route starts to depend on an open question
    (its branches, an option's `next`, or a condition naming it).
    """
    found: list[str] = []
    passed: dict[str, str] = {}
    target, seen = dialogue.start, set()
    while target != END and target not in seen:
        seen.add(target)
        question = dialogue.questions[target]
        asked = True if question.ask_if is None else holds3(question.ask_if, passed)
        answer = chosen.get(target)
        if answer is not None and asked is not False:
            passed[target] = answer
            target = rules.route(question, passed, question.choice(answer))
            continue
        if asked is True:
            found.append(target)
        if asked is not False and any(option.next for option in question.options):
            break
        next_target = _certain_route(question.branches, passed, question.next)
        if next_target is None:
            break
        target = next_target
    return found


def _certain_route(
    branches: tuple[Branch, ...], passed: Mapping[str, str], default: str
) -> str | None:
    for branch in branches:
        holds = holds3(branch.when, passed)
        if holds is None:
            return None
        if holds:
            return branch.next
    return default


def holds3(condition: Condition, known: Mapping[str, str]) -> bool | None:
    """Return whether `condition` holds, or None when it depends on an unanswered question."""
    match condition:
        case Answered(question, options):
            answer = known.get(question)
            return None if answer is None else rules.among(answer, options)
        case AllOf(conditions):
            values = [holds3(c, known) for c in conditions]
            return False if False in values else (None if None in values else True)
        case AnyOf(conditions):
            values = [holds3(c, known) for c in conditions]
            return True if True in values else (None if None in values else False)
        case Not(inner):
            value = holds3(inner, known)
            return None if value is None else not value
    return None  # results-only conditions: not known while questions are asked
