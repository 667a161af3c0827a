"""Button data of actions around the questions: "!name" or "!name:argument".

Answer buttons carry "question:option"; data starting with "!" asks the Advisor to do
something instead. These are the result screen's and the questions' own actions; the Advisor
has more (CONTINUE and RESTART after a long pause, bot.advisor.turns).
"""

from __future__ import annotations

BACK = "!back"
"""Go back one question, as /back does; its argument is the question the button was on."""
CHANGE = "!change"
"""List the answers given; with a question as argument, answer that one again."""
WHY_NOT = "!whynot"
"""Why not the outcome named as argument."""
WHAT_IF = "!whatif"
"""What would change the recommendation."""
START = "!start"
"""Start over from the result, without the welcome."""

NAMES = frozenset({BACK, CHANGE, WHY_NOT, WHAT_IF, START})
LONGEST = max(len(name) for name in NAMES) + 1
"""Bytes an action takes in front of its argument (the longest name and a colon)."""


def action(name: str, argument: str | None = None) -> str:
    """Return the button data of action `name`, with its argument when given."""
    return name if argument is None else f"{name}:{argument}"


def parse(data: str) -> tuple[str, str | None] | None:
    """Return (action, argument or None) for our action data, or None for anything else."""
    name, colon, argument = data.partition(":")
    if name not in NAMES:
        return None
    return name, (argument if colon else None)
