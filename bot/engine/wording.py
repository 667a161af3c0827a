"""What the bot will say, checked before it says it: placeholders, and messages within the limit.

Texts are filled in and messages rendered the way the engine does it, at their longest, so a
dialogue that passes never makes the bot send a message Telegram refuses.
"""

from __future__ import annotations

import string
from collections.abc import Callable

from bot.engine.advice import Advice, reason_for, render_advice
from bot.engine.model import TEXT_LIMIT, Dialogue, Outcome, Question, Texts

OPTIONAL_PLACEHOLDERS = {"reprompt": {"options"}}
"""Placeholders a text may use or leave out: the re-prompt may still list the options in its
text, though it carries them as buttons now."""

# The texts the engine fills in with str.format, and the names each may use: those of its
# English built-in text, and the optional ones.
_PLACEHOLDERS = {
    name: fields
    for name, text in vars(Texts.defaults("en")).items()
    if (fields := {field for _, field, _, _ in string.Formatter().parse(text) if field})
} | OPTIONAL_PLACEHOLDERS


def placeholder_problems(name: str, text: str) -> list[str]:
    """Return what is wrong with the {placeholders} in texts.`name`."""
    allowed = _PLACEHOLDERS.get(name)
    if allowed is None:
        return []
    listed = ", ".join(f"{{{each}}}" for each in sorted(allowed))
    try:
        used = {field for _, field, _, _ in string.Formatter().parse(text) if field}
    except ValueError:
        return [
            f"texts.{name} has an unmatched {{ or }}: write {{{{ or }}}} for a brace; "
            f"it can use {listed}"
        ]
    return [
        f"texts.{name} uses {{{unknown}}}, which it cannot fill; it can use {listed}"
        for unknown in sorted(used - allowed)
    ]


def question_too_long(dialogue: Dialogue, question: Question) -> str | None:
    """Return what is wrong when one of the question's messages is over the limit, else None."""
    texts, total = dialogue.texts, len(dialogue.questions)
    longest = max((option.label for option in question.options), key=len, default="")
    listing = "\n".join(f"{n}. {option.label}" for n, option in enumerate(question.options, 1))
    rendered = {
        "with its progress line": lambda: (
            texts.progress.format(number=total, total=total) + "\n\n" + question.text
        ),
        "with its longest answer marked": lambda: texts.chosen.format(
            question=question.text, label=longest
        ),
        "as the list of options shown when typing is not understood": lambda: (
            texts.reprompt.format(options=listing)
        ),
    }
    for how, render in rendered.items():
        size = _size(render)
        if size > TEXT_LIMIT:
            return (
                f"question {question.id!r} {how} is {size:,} characters; Telegram "
                f"allows {TEXT_LIMIT:,} in a message: shorten it"
            )
    return None


def result_too_long(dialogue: Dialogue, outcome: Outcome) -> str | None:
    """Return what is wrong when the outcome's result can be over the limit, else None."""
    size = _size(lambda: render_advice(dialogue, worst_advice(dialogue, outcome)))
    if size <= TEXT_LIMIT:
        return None
    return (
        f"outcome {outcome.id!r} can come to {size:,} characters as a result message with "
        "every extra, every tip, its longest reasons and runner-up, over Telegram's "
        f"{TEXT_LIMIT:,} (this is the worst case; the real message depends on the "
        "answers): shorten its text, its extras or the tips"
    )


def worst_advice(dialogue: Dialogue, outcome: Outcome) -> Advice:
    """Return advice for `outcome` with everything that could be said at its longest."""
    others = [o for o in dialogue.outcomes.values() if o.id != outcome.id]
    reasons: list[str] = []
    for question in dialogue.questions.values():
        phrases = [
            option.reason or reason_for(dialogue, question, option)
            for option in question.options
            if option.scores.get(outcome.id, 0) > 0
        ]
        reasons += [max(phrases, key=len)] if phrases else []
    reasons.sort(key=len, reverse=True)
    return Advice(
        outcome=outcome,
        runner_up=max(others, key=lambda o: len(o.title), default=None),
        scores={},
        reasons=tuple(reasons[: dialogue.max_reasons]),
        extras=tuple(extra.text for extra in outcome.extras),
        tips=dialogue.tips,
        close_call=True,
    )


def _size(render: Callable[[], str]) -> int:
    """Return the length of a rendered text; 0 when the texts cannot render (reported apart)."""
    try:
        return len(render())
    except (KeyError, IndexError, ValueError, AttributeError):
        return 0
