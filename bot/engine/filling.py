"""Several answers in one message: "Wireless earbuds for the gym, under $50".

The current question is answered first, by the usual rules (`matching.understand`). Then
each question the route will certainly ask later (`ahead.certainly_asked`) is filled when the
message clearly answers it (`matching.clear_match`): its own label or synonym, or an amount in
its unit, on words the other answers did not use. A word two questions would both take
fills neither. The answers are returned in asking order, to be stored as if given in turn.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.engine import ahead
from bot.engine.matching import Verdict, clear_match
from bot.engine.model import Dialogue, Option, Question
from bot.engine.option_words import Typed


def fills(
    dialogue: Dialogue, chosen: Mapping[str, str], current: str, typed: Typed,
    used: frozenset[int],
) -> list[tuple[Question, Option]]:
    """Return the other questions `typed` clearly answers, with their answers (see
    `Question.choice`: several options of a multiple question as one), in asking order.

    `chosen` holds every answer so far, the current question's included; `used` are the
    tokens that answered it.
    """
    if len(used) >= len(typed.tokens):
        return []
    found: list[tuple[Question, Verdict]] = []
    for question_id in ahead.certainly_asked(dialogue, chosen):
        if question_id == current:
            continue
        question = dialogue.questions[question_id]
        verdict = clear_match(dialogue, question, typed, set(used))
        if verdict is not None:
            found.append((question, verdict))
    claimed: dict[int, int] = {}
    for _, verdict in found:
        for token in verdict.used:
            claimed[token] = claimed.get(token, 0) + 1
    return [
        (question, answer)
        for question, verdict in found
        if all(claimed[token] == 1 for token in verdict.used)
        and (answer := question.answer_of(verdict.options)) is not None
    ]
