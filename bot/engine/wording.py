"""What the bot will say, checked before it says it: placeholders, and messages within the limit.

Texts are filled in and messages rendered the way the engine does it, at their longest, so a
dialogue that passes never makes the bot send a message Telegram refuses.
"""

from __future__ import annotations

import string
from collections.abc import Callable

from bot.engine.advice import Advice, reason, weighed_reason
from bot.engine.compose import utf16_length
from bot.engine.counterfactual import Change
from bot.engine.explain import Thin, WhyNot
from bot.engine.model import TEXT_LIMIT, Dialogue, Outcome, Question, Reply, Texts
from bot.engine.screens import (
    SIDE_REASONS,
    close_call_reply,
    confident_reply,
    what_if_reply,
    why_not_reply,
)

OPTIONAL_PLACEHOLDERS = {"reprompt": {"options"}}
"""Placeholders a text may use or leave out: the re-prompt may still list the options in its
text, though it carries them as buttons now."""

# The texts the engine fills in with str.format, and the names each may use: those of its
# English built-in text, and the optional ones; a conflict's text names the runner-up.
_PLACEHOLDERS = {
    name: fields
    for name, text in vars(Texts.defaults("en")).items()
    if (fields := {field for _, field, _, _ in string.Formatter().parse(text) if field})
} | OPTIONAL_PLACEHOLDERS | {"conflict": {"runner_up"}}


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
    longest = max((option.label for option in question.choices), key=len, default="")
    text = f"{texts.pick_several}\n\n{question.text}" if question.multiple else question.text
    listing = "\n".join(f"{n}. {option.label}" for n, option in enumerate(question.options, 1))
    rendered = {
        "with its progress line": lambda: (
            texts.progress.format(number=total, total=total) + "\n\n" + text
        ),
        "with its longest answer marked": lambda: texts.chosen.format(
            question=question.text, label=longest
        ),
        "as the list of options shown when typing is not understood": lambda: (
            texts.reprompt.format(options=listing)
        ),
        "asked again to change its answer": lambda: (
            texts.change_asking.format(label=longest) + "\n\n"
            + texts.progress.format(number=total, total=total) + "\n\n" + text
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
    """Return what is wrong when the outcome's result can be over the limit (or when its
    formatting would not fit its text), else None."""
    replies = _rendered(lambda: worst_results(dialogue, outcome))
    for how, reply in replies.items():
        if len(reply.text) > TEXT_LIMIT:
            return (
                f"outcome {outcome.id!r} can come to {len(reply.text):,} characters as {how} "
                "with every extra, conflict and tip, its longest reasons and runner-up, over "
                f"Telegram's {TEXT_LIMIT:,} (this is the worst case; the real message depends "
                "on the answers): shorten its text, its extras, the conflicts or the tips"
            )
        if (problem := span_problem(reply)) is not None:
            return f"outcome {outcome.id!r} as {how}: {problem}"
    return None


def explanations_too_long(dialogue: Dialogue) -> str | None:
    """Return what is wrong when "why not" or "what would change this" can be over the
    limit, else None."""
    replies = _rendered(lambda: worst_explanations(dialogue))
    for how, reply in replies.items():
        if len(reply.text) > TEXT_LIMIT:
            return (
                f"{how} can come to {len(reply.text):,} characters with the longest titles, "
                f"reasons and 'whatif' phrases, over Telegram's {TEXT_LIMIT:,}: shorten the "
                "texts it is made of"
            )
        if (problem := span_problem(reply)) is not None:
            return f"{how}: {problem}"
    return None


def span_problem(reply: Reply) -> str | None:
    """Return what is wrong with a reply's formatting: a span outside its text (in Python
    characters, or in the UTF-16 code units Telegram counts), or an empty one."""
    size, units = len(reply.text), utf16_length(reply.text)
    for span in reply.spans:
        end = span.start + span.length
        offset = utf16_length(reply.text[: span.start])
        if span.start < 0 or span.length < 1 or end > size or (
                offset + utf16_length(reply.text[span.start : end]) > units):
            return (f"its {span.kind} formatting ({span.start}, {span.length}) is outside its "
                    f"text of {size} characters; this is a bug in the bot, please report it")
    return None


def worst_results(dialogue: Dialogue, outcome: Outcome) -> dict[str, Reply]:
    """Return the outcome's result screens at their longest: confident, and a close call."""
    texts = dialogue.texts
    advice = worst_advice(dialogue, outcome)
    others = [o for o in dialogue.outcomes.values() if o.id != outcome.id] or [outcome]
    named = max(others, key=lambda o: len(o.name))
    lines = tuple(c.text.format(runner_up=named.name) for c in dialogue.conflicts)
    questions = sorted(dialogue.questions.values(), key=lambda q: len(q.name), reverse=True)
    labels = sorted((o.label for q in questions for o in q.options), key=len, reverse=True)
    changed = texts.changed.format(question=questions[0].name, old=labels[0], new=labels[0],
                                   title=outcome.name, before=named.name)
    count = len(dialogue.questions) * 10
    thin = Thin(outcome, named, len(dialogue.outcomes), count, count, tuple(questions[:3]))
    sides = (_longest_reasons(dialogue, outcome.id, SIDE_REASONS),
             _longest_reasons(dialogue, named.id, SIDE_REASONS))
    return {
        "a result": confident_reply(dialogue, advice, lines, changed),
        "a close call": close_call_reply(dialogue, advice, thin, sides, lines,
                                         changed=changed),
    }


def worst_explanations(dialogue: Dialogue) -> dict[str, Reply]:
    """Return "why not" and "what would change this" at their longest."""
    outcomes = sorted(dialogue.outcomes.values(), key=lambda o: len(o.title), reverse=True)
    winner, other = outcomes[0], outcomes[min(1, len(outcomes) - 1)]
    every = tuple(
        (q.id, max(q.options, key=lambda o: len(o.whatif or o.label)).id)
        for q in dialogue.questions.values() if q.options
    )
    change = Change(other.id, dict(every), every)
    against = sorted(
        (reason(dialogue, o, q) for q in dialogue.questions.values() for o in q.options),
        key=len, reverse=True)[: dialogue.max_reasons]
    why = WhyNot(other, winner, -999, 999, tuple(against), change)
    return {
        "the answer to “Why not …?”": why_not_reply(dialogue, {}, why),
        "the answer to “What would change this?”": what_if_reply(
            dialogue, {}, (change, Change(winner.id, dict(every), every))),
    }


def _longest_reasons(dialogue: Dialogue, outcome: str, most: int) -> tuple[str, ...]:
    phrases = sorted((phrase for q in dialogue.questions.values()
                      for phrase in _reasons_of(dialogue, q, outcome)), key=len, reverse=True)
    return tuple(phrases[:most])


def _reasons_of(dialogue: Dialogue, question: Question, outcome: str) -> list[str]:
    """Return every way "because ..." may name an answer to `question` for `outcome`."""
    found = (weighed_reason(dialogue, question, question.picks(choice.id), outcome)
             for choice in question.choices)
    return [weighed[1] for weighed in found if weighed is not None]


def _rendered(build: Callable[[], dict[str, Reply]]) -> dict[str, Reply]:
    """Return what `build` renders; nothing when the texts cannot render (reported apart)."""
    try:
        return build()
    except (KeyError, IndexError, ValueError, AttributeError):
        return {}


def worst_advice(dialogue: Dialogue, outcome: Outcome) -> Advice:
    """Return advice for `outcome` with everything that could be said at its longest."""
    others = [o for o in dialogue.outcomes.values() if o.id != outcome.id]
    reasons: list[str] = []
    for question in dialogue.questions.values():
        phrases = _reasons_of(dialogue, question, outcome.id)
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
