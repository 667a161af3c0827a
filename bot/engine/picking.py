"""Understand a typed answer to any question; at a multiple one, every option it clearly names.

A single question's answer is `matching`'s. A multiple question ("Is there anything that
affects your comfort? Pick all that apply") may be answered with several options at once:

1. numbers alone ("1 3", "1, 3 and 4"): the options at those positions;
2. two or more options each named by a label, a part of one or a synonym found inside the
   message ("glasses and hot ears", "I wear glasses, and my ears get hot"): all of them,
   rather than asking back between them; an exclusive option named beside others, or yes and
   no at once, is asked back;
3. an option named so and another only misspelt ("glases and hot ears"): asked back, both
   (the engine shows them checked, to confirm with "Done");
4. otherwise one option, by `matching`'s rules (and so asked back when unsure, as usual).

A lone label word never adds an option beside others: it only decides when nothing clearer is
in the message.
"""

from __future__ import annotations

from bot.engine import matching
from bot.engine.evidence import collect
from bot.engine.matching import ASK_AT_MOST, Verdict
from bot.engine.model import Dialogue, Question
from bot.engine.option_words import QuestionWords, Typed, words_of

CLEAR = frozenset({"phrase", "number"})
"""Evidence that takes an option of a multiple question beside others."""


def understand(dialogue: Dialogue, question: Question, typed: Typed) -> Verdict:
    """Return what `typed` answers to `question`: at a multiple question the options it
    names (see the module's docstring), else `matching.understand`'s verdict."""
    if not question.multiple:
        return matching.understand(dialogue, question, typed)
    table = words_of(dialogue, question)
    everything = frozenset(range(len(typed.tokens)))
    numbered = _positions(table, typed)
    if numbered:
        return _verdict(question, numbered, everything)
    found = collect(table, typed)
    clear = [e for e in found if e.kind in CLEAR]
    named = sorted({e.option for e in clear})
    guessed = sorted({e.option for e in found if e.kind == "typo"} - set(named))
    if named and guessed:  # "glases and hot ears": both, checked, for the person to confirm
        options = tuple(question.options[n] for n in sorted({*named, *guessed}))
        return Verdict("ask", options) if len(options) <= ASK_AT_MOST else Verdict("none")
    if len(named) < 2:
        return matching.understand(dialogue, question, typed)
    return _verdict(question, named, frozenset(i for e in clear for i in e.span))


def _positions(table: QuestionWords, typed: Typed) -> list[int]:
    """Return the options named by number in a message of two or more numbers and nothing
    else but small words ("1 3", "1, 3 and 4"); [] for any other message."""
    words = table.words
    spoken = [t for t in typed.tokens if t.text not in words.fillers and t.text.isalnum()]
    count = len(table.question.options)
    if len(spoken) < 2 or not all(t.text.isdecimal() and len(t.text) <= 2 for t in spoken):
        return []
    numbers = sorted({int(t.text) for t in spoken})
    if len(numbers) < len(spoken) or not all(1 <= n <= count for n in numbers):
        return []
    return [n - 1 for n in numbers]


def _verdict(question: Question, named: list[int], used: frozenset[int]) -> Verdict:
    """Take every option named, or ask back when they cannot go together."""
    options = tuple(question.options[n] for n in named)
    said = {option.means for option in options}
    if any(option.exclusive for option in options) or {"yes", "no"} <= said:
        return Verdict("ask", options) if len(options) <= ASK_AT_MOST else Verdict("none")
    return Verdict("match", options, used)
